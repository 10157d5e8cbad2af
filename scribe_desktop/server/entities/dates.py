"""Dates of birth: a real calendar date right after a birth context ("born", "date of
birth", "DOB", "birthday"). A bare date is not a date of birth.

Forms: 07/12/1987, 1987-07-12, 12.07.1987, "July 12, 1987", "12th of July 1987", "the
twelfth of july nineteen eighty seven", "march third two thousand five", "july fourth"
(no year). Numeric dates are read month first unless the first number cannot be a month.
"""

from __future__ import annotations

import datetime as dt
import re

from .catalog import DOB
from .found import Found
from .tokens import TENS, Token, read_number

BIRTH_CONTEXT = re.compile(r"(?i)\b(?:born|birth|dob|d\.\s?o\.\s?b|birthday|birthdate)\b")
CONTEXT_CHARS = 60  # how far before the date the birth context may be

MONTHS = {"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
          "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
          "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "october": 10,
          "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
            "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11,
            "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
            "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
            "twentieth": 20, "thirtieth": 30}
_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})\b")


def detect_dobs(text: str, tokens: list[Token], today: dt.date | None = None) -> list[Found]:
    if not BIRTH_CONTEXT.search(text):
        return []  # the cheap test first: most segments say nothing about birth
    today = today or dt.date.today()
    found: list[Found] = []
    for m in _ISO.finditer(text):
        _add(found, text, m.start(), m.end(), int(m.group(1)), int(m.group(2)),
             int(m.group(3)), today)
    for m in _NUMERIC.finditer(text):
        a, b, year = int(m.group(1)), int(m.group(3)), _year(m.group(4), today)
        month, day = (b, a) if a > 12 else (a, b)
        _add(found, text, m.start(), m.end(), year, month, day, today)
    for i, tok in enumerate(tokens):
        named = MONTHS.get(tok.low)
        if named is not None:
            _textual(found, text, tokens, i, named, today)
    return found


def _year(raw: str, today: dt.date) -> int:
    if len(raw) == 4:
        return int(raw)
    year = 2000 + int(raw)
    return year if year <= today.year else year - 100


def _add(found: list[Found], text: str, start: int, end: int, year: int | None,
         month: int, day: int, today: dt.date) -> None:
    try:
        date = dt.date(year or 2000, month, day)  # 2000: a leap year, so 29 Feb is allowed
    except ValueError:
        return
    if year is not None and (year < 1900 or date > today):
        return  # nobody alive was born before 1900, nor after today
    if not BIRTH_CONTEXT.search(text[max(0, start - CONTEXT_CHARS):start]):
        return
    value = date.isoformat() if year is not None else f"--{month:02d}-{day:02d}"
    found.append(Found(start, end, DOB, value))


def _textual(found: list[Found], text: str, tokens: list[Token], m: int, month: int,
             today: dt.date) -> None:
    # MONTH [the] DAY [,] [YEAR]: "july 12, 1987", "july the twelfth"
    j = m + 2 if _low(tokens, m + 1) == "the" else m + 1
    day = _day(tokens, j)
    if day is not None:
        start, (value, last) = tokens[m].start, day
    else:
        # [the] DAY [of] MONTH [,] [YEAR]: "12th of July 1987", "the twelfth of july"
        k = m - 2 if _low(tokens, m - 1) == "of" else m - 1
        first = _day_backwards(tokens, k)
        if first is None:
            return
        value, last, start = first[0], m, tokens[first[1]].start
    k = last + 2 if _low(tokens, last + 1) == "," else last + 1
    year = _spoken_year(tokens, k)
    end_index = year[1] if year is not None else last
    _add(found, text, start, tokens[end_index].end, year[0] if year else None, month, value,
         today)


def _day(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """A day of the month at tokens[i]: (day, index of its last token)."""
    if not 0 <= i < len(tokens):
        return None
    tok = tokens[i]
    if tok.is_digits and len(tok.text) <= 2:
        last = i + 1 if _low(tokens, i + 1) in _SUFFIXES \
            and tokens[i + 1].start == tok.end else i
        return (int(tok.text), last) if 1 <= int(tok.text) <= 31 else None
    if tok.low in TENS and _low(tokens, i + 1) in ORDINALS:  # "twenty first"
        return TENS[tok.low] + ORDINALS[tokens[i + 1].low], i + 1
    if tok.low in ORDINALS:
        return ORDINALS[tok.low], i
    spoken = read_number(tokens, i)
    if spoken is not None and spoken[0].isdigit() and 1 <= int(spoken[0]) <= 31:
        return int(spoken[0]), spoken[1] - 1
    return None


def _day_backwards(tokens: list[Token], k: int) -> tuple[int, int] | None:
    """A day ending at tokens[k]: (day, index of its first token, "the" excluded)."""
    for first in (k - 1, k):  # two tokens ("12" "th", "twenty" "first") or one
        if first < 0:
            continue
        day = _day(tokens, first)
        if day is not None and day[1] == k:
            return day[0], first
    return None


def _spoken_year(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """A four-digit year at tokens[i]: "1987", "nineteen eighty seven", "two thousand and
    five" (whether plausible is for `_add` to say: an impossible year voids the date)."""
    if 0 <= i < len(tokens) and tokens[i].is_digits:
        raw = tokens[i].text
        return (int(raw), i) if len(raw) == 4 else None
    digits, j = "", i
    while len(digits) < 4 and j < len(tokens):
        spoken = read_number(tokens, j)
        if spoken is None:
            break
        digits += spoken[0]
        j = spoken[1]
    if len(digits) == 4:
        return int(digits), j - 1
    return None


def _low(tokens: list[Token], i: int) -> str:
    return tokens[i].low if 0 <= i < len(tokens) else ""
