"""The user dictionary as CSV (stdlib `csv`), for import, export and the settings file. Pure:
text in, text out; the caller reads and writes the file.

    heard,written,match,case
    scribe desk,Scribe Desktop,word,preserve
    k8s|kates,Kubernetes,regex,as_written

`match` is `word` (whole words, the default) or `regex`; `case` is `preserve` (the default)
or `as_written`. The header is optional; empty lines are skipped. A malformed file raises
`DictionaryCsvError` listing every bad line, and nothing is imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from .replace import problems
from .rules import CaseRule, Replacement

HEADER = ("heard", "written", "match", "case")
_MATCH = {"word": False, "words": False, "": False, "regex": True}
MAX_REPORTED = 10


class DictionaryCsvError(ValueError):
    """A dictionary file that cannot be imported; `problems` names each bad line."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        super().__init__("\n".join(shown) + (f"\n…and {more} more." if more else ""))
        self.problems = problems


def _row(cells: list[str], line: int, found: list[str]) -> Replacement | None:
    if not 2 <= len(cells) <= 4:
        found.append(f"Line {line}: expected 2 to 4 columns ({', '.join(HEADER)}), found "
                     f"{len(cells)}.")
        return None
    heard, written = cells[0], cells[1]
    match = cells[2].strip().lower() if len(cells) > 2 else ""
    case = cells[3].strip().lower() if len(cells) > 3 else ""
    if match not in _MATCH:
        found.append(f"Line {line}: match must be “word” or “regex”, not “{cells[2]}”.")
        return None
    try:
        rule = CaseRule(case) if case else CaseRule.PRESERVE
    except ValueError:
        found.append(f"Line {line}: case must be “preserve” or “as_written”, not "
                     f"“{cells[3]}”.")
        return None
    return Replacement(heard.strip(), written.strip(), rule, _MATCH[match])


def read_dictionary(text: str, *, lenient: bool = False) -> tuple[Replacement, ...]:
    """The entries of a CSV dictionary (see the module doc). `lenient`: skip malformed rows
    and keep unusable entries (an editor shows them to be fixed) instead of raising."""
    found: list[str] = []
    entries: list[Replacement] = []
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if not entries and not found and \
                    tuple(c.strip().lower() for c in cells) == HEADER[:len(cells)]:
                continue
            entry = _row(cells, line, found)
            if entry is not None:
                entries.append(entry)
                lines.append(line)
    except csv.Error as exc:
        found.append(f"Line {reader.line_num}: {exc}.")
    if lenient:
        return tuple(entries)
    for problem in problems(entries):
        reason = problem.reason
        if problem.duplicate_of is not None:
            reason = f"“{entries[problem.row - 1].heard}” is already on line " \
                     f"{lines[problem.duplicate_of - 1]}."
        found.append(f"Line {lines[problem.row - 1]}: {reason}")
    if found:
        found.sort(key=lambda p: int(p.split(":", 1)[0].removeprefix("Line ")))
        raise DictionaryCsvError(found)
    return tuple(entries)


def write_dictionary(entries: Sequence[Replacement]) -> str:
    """The entries as CSV text with a header (what `read_dictionary` reads back)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for e in entries:
        writer.writerow([e.heard, e.written, "regex" if e.regex else "word", e.case.value])
    return out.getvalue()
