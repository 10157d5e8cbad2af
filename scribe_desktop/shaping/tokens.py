"""A segment's text as tokens, with the pauses its word timings show. Pure.

Tokens are the text's own whitespace-separated pieces (the text is the truth; the engine's
`words` may split punctuation differently). Timings are aligned character by character:
when the words spell the text, each token gets the span of its words, and `pause_before`
says a gap of at least `pause_s` separates it from the token before. Runs of newlines (a
shaped "new line" shaped again) are break tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..protocol.messages import Word, WordType

SENTENCE_MARKS = ".!?…"
CLAUSE_MARKS = ",;:"
MARKS = SENTENCE_MARKS + CLAUSE_MARKS
QUOTES = "\"'“”‘’«»"
_EDGE = MARKS + QUOTES + "()[]{}-–—"
_PIECES = re.compile(r"\n+|[^\s]+")
_EPSILON_S = 1e-6  # times are milliseconds; float sums must not hide a pause


@dataclass(frozen=True, slots=True)
class Token:
    surface: str  # as in the text ("Line." with the engine's punctuation)
    start_s: float | None = None
    end_s: float | None = None
    pause_before: bool = False  # a timed gap (or a dropped filler) before it
    brk: bool = False  # a run of newlines

    @property
    def key(self) -> str:
        """The surface without case and edge punctuation, for matching commands."""
        return strip_marks(self.surface).casefold()

    @property
    def ends_sentence(self) -> bool:
        return self.surface.rstrip(QUOTES + ")]}")[-1:] in SENTENCE_MARKS

    @property
    def ends_clause(self) -> bool:
        return self.surface.rstrip(QUOTES + ")]}")[-1:] in MARKS


def strip_marks(surface: str) -> str:
    return surface.strip(_EDGE)


def _char_times(text: str, words: Sequence[Word]) -> list[tuple[int, float | None,
                                                                 float | None]] | None:
    """(word number, start, end) for each non-space character of `text`, or None when the
    words do not spell the text."""
    chars: list[tuple[int, float | None, float | None]] = []
    spelled: list[str] = []
    for n, w in enumerate(words):
        if w.type == WordType.SPACING:
            continue
        for ch in w.text:
            if not ch.isspace():
                chars.append((n, w.start_s, w.end_s))
                spelled.append(ch)
    wanted = [c for c in text if not c.isspace()]
    if "".join(spelled).casefold() != "".join(wanted).casefold():
        return None
    return chars


def tokenize(text: str, words: Sequence[Word] | None = None,
             pause_s: float = 0.3) -> list[Token]:
    """The tokens of `text`, timed from `words` when they spell it."""
    pieces = _PIECES.findall(text)
    times = _char_times(text, words) if words else None
    tokens: list[Token] = []
    pos = 0
    last_word: int | None = None
    last_end: float | None = None
    for piece in pieces:
        if piece.startswith("\n"):
            tokens.append(Token(piece, brk=True))
            continue
        if times is None:
            tokens.append(Token(piece))
            continue
        first, last = times[pos], times[pos + len(piece) - 1]
        pos += len(piece)
        start, end = first[1], last[2]
        gap = start - last_end if start is not None and last_end is not None else None
        pause = first[0] != last_word and last_word is not None and gap is not None \
            and gap >= pause_s - _EPSILON_S
        tokens.append(Token(piece, start, end, pause_before=pause))
        last_word, last_end = last[0], end if end is not None else last_end
    return tokens
