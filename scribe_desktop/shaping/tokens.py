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

from ..protocol.messages import Word, WordType

SENTENCE_MARKS = ".!?…"
CLAUSE_MARKS = ",;:"
MARKS = SENTENCE_MARKS + CLAUSE_MARKS
QUOTES = "\"'“”‘’«»"
_EDGE = MARKS + QUOTES + "()[]{}-–—"
_CLOSERS = QUOTES + ")]}"
_PIECES = re.compile(r"\n+|[^\s]+")
_EPSILON_S = 1e-6  # times are milliseconds; float sums must not hide a pause


class Token:
    """One piece of the text. A plain slotted class: shaping makes one per word, and a
    frozen dataclass with derived fields costs several times as much to build."""

    __slots__ = ("brk", "end_s", "ends_clause", "ends_sentence", "key", "pause_before",
                 "start_s", "surface")

    def __init__(self, surface: str, start_s: float | None = None, end_s: float | None = None,
                 pause_before: bool = False, brk: bool = False) -> None:
        self.surface = surface  # as in the text ("Line." with the engine's punctuation)
        self.start_s = start_s
        self.end_s = end_s
        self.pause_before = pause_before  # a timed gap (or a dropped filler) before it
        self.brk = brk  # a run of newlines
        last = surface.rstrip(_CLOSERS)[-1:]
        self.key = strip_marks(surface).casefold()  # for matching commands
        self.ends_sentence = last != "" and last in SENTENCE_MARKS
        self.ends_clause = last != "" and last in MARKS

    def but(self, *, surface: str | None = None, pause_before: bool | None = None) -> Token:
        """A copy with `surface` or `pause_before` changed."""
        return Token(self.surface if surface is None else surface, self.start_s, self.end_s,
                     self.pause_before if pause_before is None else pause_before, self.brk)

    def __repr__(self) -> str:
        return f"Token({self.surface!r}, {self.start_s}, {self.end_s}, {self.pause_before})"


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


def _word_times(pieces: list[str], words: Sequence[Word]) -> list[tuple[int, float | None,
                                                                          float | None]] | None:
    """The common case, one word per piece: (word number, start, end) of each piece."""
    spoken = [(n, w) for n, w in enumerate(words) if w.type != WordType.SPACING]
    texts = [p for p in pieces if not p.startswith("\n")]
    if len(spoken) != len(texts) or any(w.text.strip() != p for (_, w), p in
                                        zip(spoken, texts, strict=True)):
        return None
    return [(n, w.start_s, w.end_s) for n, w in spoken]


def tokenize(text: str, words: Sequence[Word] | None = None,
             pause_s: float = 0.3) -> list[Token]:
    """The tokens of `text`, timed from `words` when they spell it."""
    pieces = _PIECES.findall(text)
    if words:
        per_word = _word_times(pieces, words)
        if per_word is not None:
            return _timed(pieces, per_word, pause_s)
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


def _timed(pieces: list[str], times: list[tuple[int, float | None, float | None]],
           pause_s: float) -> list[Token]:
    tokens: list[Token] = []
    last_end: float | None = None
    spoken = iter(times)
    for piece in pieces:
        if piece.startswith("\n"):
            tokens.append(Token(piece, brk=True))
            continue
        _, start, end = next(spoken)
        pause = tokens != [] and start is not None and last_end is not None \
            and start - last_end >= pause_s - _EPSILON_S
        tokens.append(Token(piece, start, end, pause_before=pause))
        last_end = end if end is not None else last_end
    return tokens
