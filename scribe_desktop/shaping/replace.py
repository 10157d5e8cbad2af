"""The user dictionary applied: whole-word (or regular expression) matches replaced by their
written form, as non-overlapping edits. Pure.

Plain entries are one alternation (longest first), so a dictionary of hundreds of entries
costs one regex scan; regex entries are scanned one by one. Where matches overlap, the one
that starts first wins, then the longest, then the earlier entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .rules import CaseRule, Replacement

MAX_HEARD_CHARS = 200


class ReplacementError(ValueError):
    """A dictionary entry that cannot be used; `row` is 1-based, the text says why."""

    def __init__(self, row: int, message: str, *, duplicate_of: int | None = None) -> None:
        super().__init__(f"Entry {row}: {message}")
        self.row = row
        self.reason = message
        self.duplicate_of = duplicate_of  # the entry it repeats


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace text[start:end] with `text`."""

    start: int
    end: int
    text: str


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _plain_pattern(heard: str) -> str:
    return r"\s+".join(re.escape(w) for w in heard.split())


def problems(entries: Sequence[Replacement]) -> list[ReplacementError]:
    """Every reason the entries cannot be used (empty: they are fine)."""
    found: list[ReplacementError] = []
    seen: dict[str, int] = {}
    for row, entry in enumerate(entries, 1):
        if not entry.heard.strip():
            found.append(ReplacementError(row, "“heard” is empty."))
            continue
        if len(entry.heard) > MAX_HEARD_CHARS:
            found.append(ReplacementError(row, f"“heard” is longer than {MAX_HEARD_CHARS} "
                                               "characters."))
            continue
        if entry.regex:
            try:
                pattern = re.compile(entry.heard, re.IGNORECASE)
            except re.error as exc:
                found.append(ReplacementError(row, f"the regular expression “{entry.heard}” "
                                                   f"is invalid: {exc}."))
                continue
            if pattern.fullmatch(""):
                found.append(ReplacementError(row, f"the regular expression “{entry.heard}” "
                                                   "matches empty text."))
            continue
        key = _key(entry.heard)
        if key in seen:
            found.append(ReplacementError(row, f"“{entry.heard.strip()}” is already entry "
                                               f"{seen[key]}.", duplicate_of=seen[key]))
        else:
            seen[key] = row
    return found


def cased(heard: str, written: str, rule: CaseRule) -> str:
    """`written` with the case of `heard` carried over, as `rule` says. PRESERVE only ever
    raises case: an all-caps match writes all caps, a capitalised one a capital first."""
    if rule is CaseRule.AS_WRITTEN or not written:
        return written
    letters = [c for c in heard if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return written.upper()
    if heard[:1].isupper() and written[:1].islower():
        return written[0].upper() + written[1:]
    return written


class Replacer:
    """Compiled entries; raises the first `ReplacementError` of bad ones."""

    def __init__(self, entries: Sequence[Replacement]) -> None:
        bad = problems(entries)
        if bad:
            raise bad[0]
        self.entries = tuple(entries)
        plain = [(n, e) for n, e in enumerate(entries) if not e.regex]
        self._by_key = {_key(e.heard): n for n, e in reversed(plain)}
        alternatives = sorted({_plain_pattern(e.heard) for _, e in plain}, key=len,
                              reverse=True)
        self._plain = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)",
                                 re.IGNORECASE) if alternatives else None
        self._regexes = [(n, re.compile(e.heard, re.IGNORECASE))
                         for n, e in enumerate(entries) if e.regex]

    def _entry_of(self, matched: str) -> int | None:
        n = self._by_key.get(_key(matched))
        if n is not None:
            return n
        for m, entry in enumerate(self.entries):  # case folding quirks (e.g. "ß")
            if not entry.regex and re.fullmatch(_plain_pattern(entry.heard), matched,
                                                re.IGNORECASE):
                return m
        return None

    def edits(self, text: str) -> list[Edit]:
        """The non-overlapping edits the entries make to `text`, in order."""
        found: list[tuple[int, int, int]] = []  # (start, end, entry)
        if self._plain is not None:
            for m in self._plain.finditer(text):
                entry = self._entry_of(m.group())
                if entry is not None:
                    found.append((m.start(), m.end(), entry))
        for n, pattern in self._regexes:
            found.extend((m.start(), m.end(), n) for m in pattern.finditer(text)
                         if m.end() > m.start())
        found.sort(key=lambda f: (f[0], -(f[1] - f[0]), f[2]))
        out: list[Edit] = []
        end = 0
        for start, stop, n in found:
            if start < end:
                continue
            chosen = self.entries[n]
            out.append(Edit(start, stop, cased(text[start:stop], chosen.written, chosen.case)))
            end = stop
        return out

    def apply(self, text: str) -> tuple[str, list[tuple[int, int]]]:
        """`text` edited, and the spans of written text in it (to be left alone after)."""
        return splice(text, self.edits(text))


def splice(text: str, edits: list[Edit], offset: int = 0) -> tuple[str, list[tuple[int, int]]]:
    """`text` with `edits` made (their positions less `offset`), and the spans of the
    written text in the result."""
    if not edits:
        return text, []
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = length = 0
    for edit in edits:
        start, end = edit.start - offset, edit.end - offset
        parts.append(text[pos:start])
        length += start - pos
        parts.append(edit.text)
        spans.append((length, length + len(edit.text)))
        length += len(edit.text)
        pos = end
    parts.append(text[pos:])
    return "".join(parts), spans


@lru_cache(maxsize=32)
def compiled(entries: tuple[Replacement, ...]) -> Replacer:
    """The `Replacer` of `entries`, compiled once per distinct dictionary."""
    return Replacer(entries)
