"""Tokens with their place in the original text, and spoken numbers read back as digits.

Speech engines write numbers two ways: as digits ("555-123-4567", Whisper) or as words
("five five five one two three", pocketsphinx; "twenty one", "eight hundred", "double
five"). `numeric_runs` turns both into runs of digit groups, each group knowing the tokens it
came from, so a validator can work on digits while the entity keeps its exact span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

_TOKEN = re.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]")
# between two tokens of one number: spaces, or one of these separators with spaces around
_RUN_GAP = re.compile(r"\s*[-.()]?\s*")

UNITS = {"zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
         "seven": 7, "eight": 8, "nine": 9}
TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
         "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
REPEATS = {"double": 2, "triple": 3}
_NONZERO = (UNITS.keys() - {"zero", "oh"}) | TEENS.keys() | TENS.keys()
NUMBER_WORDS = frozenset(UNITS) | frozenset(TEENS) | frozenset(TENS) | {"hundred",
                                                                          "thousand"}


class Token(NamedTuple):  # a tuple: a long segment makes hundreds, cheaply
    text: str
    low: str
    start: int
    end: int

    @property
    def is_digits(self) -> bool:
        return self.text.isdigit()

    @property
    def is_word(self) -> bool:
        return self.text.isalpha()


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.group().lower(), m.start(), m.end())
            for m in _TOKEN.finditer(text)]


@dataclass(frozen=True, slots=True)
class Group:
    """Digits read from tokens[first..last] (inclusive)."""

    digits: str
    first: int
    last: int
    spoken: bool


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive digit groups of one number, as written or spoken."""

    groups: tuple[Group, ...]
    # per gap between groups: the separator char, " " for spaces only, "" for none
    gaps: tuple[str, ...]

    @property
    def digits(self) -> str:
        return "".join(g.digits for g in self.groups)

    @property
    def first(self) -> int:
        return self.groups[0].first

    @property
    def last(self) -> int:
        return self.groups[-1].last

    @property
    def spoken(self) -> bool:
        return any(g.spoken for g in self.groups)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(g.digits) for g in self.groups)

    def sub(self, lo: int, hi: int) -> Run:
        """Groups lo..hi-1 as a run of their own."""
        return Run(self.groups[lo:hi], self.gaps[lo:hi - 1])


def is_number_word(token: Token, next_token: Token | None) -> bool:
    if token.low in NUMBER_WORDS - {"oh", "hundred", "thousand"}:
        return True
    if token.low == "oh":  # "oh" is zero only among digits ("two oh four")
        return next_token is not None and (next_token.is_digits
                                           or next_token.low in UNITS)
    if token.low in REPEATS:
        return next_token is not None and next_token.low in UNITS
    return False


def read_number(tokens: list[Token], i: int) -> tuple[str, int] | None:
    """The spoken number starting at tokens[i] as digits, and the index after it.

    One group is one number as said: "five" -> 5, "twenty one" -> 21, "eight hundred" ->
    800, "two thousand and five" -> 2005, "double five" -> 55. Digit-by-digit dictation
    gives one group per digit; the caller concatenates."""
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if tok.low in REPEATS and nxt is not None and nxt.low in UNITS:
        return str(UNITS[nxt.low]) * REPEATS[tok.low], i + 2
    if not is_number_word(tok, nxt):
        return None
    value, j = _below_thousand(tokens, i)
    if j < len(tokens) and tokens[j].low == "thousand" and 0 < value < 1000:
        value *= 1000
        j += 1
        k = j + 1 if j < len(tokens) and tokens[j].low == "and" else j
        rest = _below_thousand(tokens, k) if _at(tokens, k) in _NONZERO else None
        if rest is not None:
            value += rest[0]
            j = rest[1]
    return str(value), j


def _below_thousand(tokens: list[Token], i: int) -> tuple[int, int]:
    """A number under 1000 at tokens[i] (a number word other than "oh" there or "oh")."""
    low = tokens[i].low
    if low == "oh":
        return 0, i + 1
    if low in UNITS and _at(tokens, i + 1) == "hundred":
        value, j = UNITS[low] * 100, i + 2
        # "five hundred and five" and "five hundred twelve" are one number; "eight hundred
        # five five five" is 800 then digits, as toll-free numbers are said
        if _at(tokens, j) == "and" and _at(tokens, j + 1) in _NONZERO:
            rest = _tens(tokens, j + 1)
        elif _at(tokens, j) in TENS.keys() | TEENS.keys():
            rest = _tens(tokens, j)
        else:
            rest = None
        if rest is not None:
            return value + rest[0], rest[1]
        return value, j
    rest = _tens(tokens, i)
    assert rest is not None
    return rest


def _tens(tokens: list[Token], i: int) -> tuple[int, int] | None:
    low = _at(tokens, i)
    if low in TENS:
        unit = _at(tokens, i + 1)
        if unit in UNITS and unit not in ("zero", "oh"):
            return TENS[low] + UNITS[unit], i + 2
        return TENS[low], i + 1
    if low in TEENS:
        return TEENS[low], i + 1
    if low in UNITS and low != "oh":
        return UNITS[low], i + 1
    return None


def _at(tokens: list[Token], i: int) -> str:
    return tokens[i].low if 0 <= i < len(tokens) else ""


def numeric_runs(text: str, tokens: list[Token]) -> list[Run]:
    """Every maximal run of digit groups: digit tokens and spoken numbers, joined by spaces
    or by one of - . ( ) (the separators of written phone and card numbers)."""
    runs: list[Run] = []
    groups: list[Group] = []
    gaps: list[str] = []
    i = 0
    while i < len(tokens):
        group = _group_at(tokens, i)
        if group is None:
            i += 1
            continue
        if groups:
            gap = _gap(text, tokens[groups[-1].last].end, tokens[group.first].start)
            if gap is None:
                runs.append(Run(tuple(groups), tuple(gaps)))
                groups, gaps = [], []
            else:
                gaps.append(gap)
        groups.append(group)
        i = group.last + 1  # a separator token after it is skipped by the next turn
    if groups:
        runs.append(Run(tuple(groups), tuple(gaps)))
    return runs


def _group_at(tokens: list[Token], i: int) -> Group | None:
    tok = tokens[i]
    if tok.is_digits:
        return Group(tok.text, i, i, spoken=False)
    spoken = read_number(tokens, i)
    if spoken is None:
        return None
    digits, after = spoken
    return Group(digits, i, after - 1, spoken=True)


def _gap(text: str, end: int, start: int) -> str | None:
    between = text[end:start]
    if not _RUN_GAP.fullmatch(between):
        return None
    sep = between.strip()
    return sep if sep else (" " if between else "")
