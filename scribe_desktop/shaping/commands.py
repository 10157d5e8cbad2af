"""The spoken commands and when a phrase is one. Pure.

A phrase is a command only when it stands alone: set apart before AND after it, by the
segment's edges, by a pause of at least `pause_s` in the word timings, by punctuation the
engine wrote (Whisper-style engines mark pauses with it), or by a dropped filler. So "the
period of the contract" stays text, while "... contract. Period." or a "period" said after a
pause is a full stop. Matching ignores case and the engine's punctuation ("New line." is
"new line").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from .tokens import Token


class Kind(Enum):
    MARK = "mark"  # punctuation attached to the text before
    BREAK = "break"  # newlines
    OPEN_QUOTE = "open_quote"
    CLOSE_QUOTE = "close_quote"
    SCRATCH = "scratch"  # remove the last dictated text
    UNDO = "undo"  # undo the last edit
    CAPS_ON = "caps_on"
    CAPS_OFF = "caps_off"


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # the phrase users see in docs and Settings
    kind: Kind
    output: str = ""
    meaning: str = ""


_C = Command
COMMANDS: tuple[tuple[tuple[str, ...], Command], ...] = (
    (("new", "line"), _C("new line", Kind.BREAK, "\n", "a line break")),
    (("newline",), _C("new line", Kind.BREAK, "\n", "a line break")),
    (("new", "paragraph"), _C("new paragraph", Kind.BREAK, "\n\n", "an empty line")),
    (("period",), _C("period", Kind.MARK, ".", "“.”")),
    (("full", "stop"), _C("full stop", Kind.MARK, ".", "“.”")),
    (("comma",), _C("comma", Kind.MARK, ",", "“,”")),
    (("question", "mark"), _C("question mark", Kind.MARK, "?", "“?”")),
    (("exclamation", "mark"), _C("exclamation mark", Kind.MARK, "!", "“!”")),
    (("exclamation", "point"), _C("exclamation point", Kind.MARK, "!", "“!”")),
    (("colon",), _C("colon", Kind.MARK, ":", "“:”")),
    (("semicolon",), _C("semicolon", Kind.MARK, ";", "“;”")),
    (("open", "quote"), _C("open quote", Kind.OPEN_QUOTE, "\"", "an opening “\"”")),
    (("close", "quote"), _C("close quote", Kind.CLOSE_QUOTE, "\"", "a closing “\"”")),
    (("end", "quote"), _C("end quote", Kind.CLOSE_QUOTE, "\"", "a closing “\"”")),
    (("scratch", "that"), _C("scratch that", Kind.SCRATCH, "",
                             "removes what you dictated last")),
    (("undo", "that"), _C("undo that", Kind.UNDO, "", "undoes the last edit, a scratch too")),
    (("all", "caps"), _C("all caps", Kind.CAPS_ON, "", "CAPITALS until “end caps”")),
    (("end", "caps"), _C("end caps", Kind.CAPS_OFF, "", "ends “all caps”")),
)
_BY_WORDS = dict(COMMANDS)
_LONGEST = max(len(words) for words, _ in COMMANDS)
FIRST_WORDS = frozenset(words[0] for words, _ in COMMANDS)  # a cheap test before `match`


def separated(tokens: Sequence[Token]) -> list[bool]:
    """sep[i]: token i is set apart from token i-1 (len(tokens) + 1 entries; the segment's
    edges are separations)."""
    sep = [True] * (len(tokens) + 1)
    for i in range(1, len(tokens)):
        prev, token = tokens[i - 1], tokens[i]
        sep[i] = prev.brk or token.brk or token.pause_before or prev.ends_clause
    return sep


def match(tokens: Sequence[Token], i: int, sep: Sequence[bool]) -> tuple[Command, int] | None:
    """The command standing alone at token i and its length in tokens, or None."""
    if not sep[i] or tokens[i].brk or tokens[i].key not in FIRST_WORDS:
        return None
    for length in range(min(_LONGEST, len(tokens) - i), 0, -1):
        span = tokens[i:i + length]
        if any(t.brk for t in span) or not sep[i + length]:
            continue
        # punctuation inside the phrase splits it ("something new. Line up")
        if any(t.ends_clause for t in span[:-1]):
            continue
        command = _BY_WORDS.get(tuple(t.key for t in span))
        if command is not None:
            return command, length
    return None


def command_help() -> list[tuple[str, str]]:
    """(phrase, meaning) of every command once, for Settings and the README."""
    seen: dict[str, str] = {}
    for _, command in COMMANDS:
        seen.setdefault(command.name, command.meaning)
    return list(seen.items())
