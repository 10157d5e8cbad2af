"""What shaping does, as data: `ShapingRules` and its parts. Frozen and hashable, so a
compiled form can be cached per rule set (`replace.compiled`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DEFAULT_PAUSE_S = 0.3  # a gap this long between two words sets a command apart


class NumberStyle(StrEnum):
    """How numbers are written."""

    AS_SPOKEN = "as_spoken"  # as the engine wrote them
    DIGITS = "digits"  # "twenty one" -> "21"
    WORDS = "words"  # "21" -> "twenty-one"


class CaseRule(StrEnum):
    """How a replacement's written form takes the case of what was heard."""

    PRESERVE = "preserve"  # a heard capital (a sentence start) or all-caps carries over
    AS_WRITTEN = "as_written"  # always exactly as written ("iPhone" stays "iPhone")


@dataclass(frozen=True, slots=True)
class Replacement:
    """One user dictionary entry: `heard` (whole words, any case; a regular expression when
    `regex`) is written as `written` (literal text, may be empty to drop a word)."""

    heard: str
    written: str
    case: CaseRule = CaseRule.PRESERVE
    regex: bool = False


@dataclass(frozen=True, slots=True)
class ShapingRules:
    """Everything `shape()` applies. The defaults change nothing but spacing and capitals
    at segment joins (`capitalize`)."""

    commands: bool = False  # spoken commands ("new line", "scratch that", ...)
    pause_s: float = DEFAULT_PAUSE_S
    remove_fillers: bool = False  # "um", "uh", "er", ...
    numbers: NumberStyle = NumberStyle.AS_SPOKEN
    replacements: tuple[Replacement, ...] = ()
    language: str | None = None  # the requested language; None: English (numbers)
    capitalize: bool = True  # a capital at a sentence start where segments join

    @property
    def changes_words(self) -> bool:
        """False when shaping a segment can only strip it (the fast path)."""
        return (self.commands or self.remove_fillers or bool(self.replacements)
                or self.numbers != NumberStyle.AS_SPOKEN)
