"""`ShapedDocument`: the shaped view of a transcript, kept beside the raw one. Pure.

It turns the transcript's changes into the same changes with `Segment.shaped` set, and adds
a `SegmentEnriched` for every earlier segment whose shaped text a later one changed (a
"scratch that", a punctuation mark that attaches to it). The raw text stays in
`Segment.text`.

Edits across segments follow the insertion ledger, so the window, the history and exports
show what an inserter executing the same `ShapeResult`s produced:
- each segment with text is an insertion;
- `ScratchLast` removes the last insertion still shown (and can be undone);
- `UndoLast` reverts the last edit: an insertion is removed, a scratch restored.

Word timings arrive after their commit (rule C4): the enriched segment is shaped again, and
with it every later segment (their context follows from it), stopping where nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..core.transcript import (
    PartialChanged,
    Segment,
    SegmentAdded,
    SegmentEnriched,
    TranscriptChange,
)
from .rules import ShapingRules
from .shaper import ScratchLast, ShapeContext, ShapeResult, UndoLast, shape
from .spacing import joint
from .tokens import MARKS


@dataclass(slots=True)
class _Entry:
    segment: Segment  # as the transcript has it (raw)
    rules: ShapingRules
    result: ShapeResult
    shown: str | None = None  # the shaped text last reported


def hidden_by_edits(results: list[ShapeResult]) -> list[bool]:
    """For each result, True when later edits (scratch, undo) removed its text."""
    hidden = [False] * len(results)
    edits: list[tuple[bool, int]] = []  # (True: an insertion, False: a scratch) of entry k
    for j, result in enumerate(results):
        for action in result.actions:
            if isinstance(action, ScratchLast):
                k = next((k for k in range(j - 1, -1, -1)
                          if results[k].text and not hidden[k]), None)
                if k is not None:
                    hidden[k] = True
                    edits.append((False, k))
            elif isinstance(action, UndoLast) and edits:
                inserted, k = edits.pop()
                hidden[k] = inserted
        if result.text:
            edits.append((True, j))
    return hidden


_TAIL = 64  # what a joint looks at of the text before it


@dataclass(slots=True)
class Layout:
    """Each segment's text as the document shows it, computed left to right; `run(start)`
    redoes it from one segment on (a segment's text depends only on what came before)."""

    shown: list[str]
    # before each segment: the document's tail, the last segment shown, that one's text
    before: list[tuple[str, int | None, str]]
    end: tuple[str, int | None, str] = ("", None, "")  # the same after the last segment

    @classmethod
    def empty(cls) -> Layout:
        return cls([], [])

    def run(self, results: list[ShapeResult], hidden: list[bool], capitalize: list[bool],
            start: int = 0) -> None:
        """Lay out results[start:] (and re-touch the segment shown before `start`). A
        segment's leading punctuation moves onto the segment shown before it, so each
        segment's text reads on its own (exports join segments with spaces)."""
        tail, last, last_text = self.before[start] if start < len(self.before) else self.end
        del self.shown[start:], self.before[start:]
        if last is not None:
            self.shown[last] = last_text
        for j in range(start, len(results)):
            self.before.append((tail, last, self.shown[last] if last is not None else ""))
            result = results[j]
            if hidden[j] or not result.text:
                self.shown.append("")
                continue
            piece = joint(tail, result.text, capitalize=capitalize[j])
            tail = piece.apply(tail)[-_TAIL:]
            text = piece.text.lstrip(" ")
            if last is not None:
                if piece.delete:
                    self.shown[last] = self.shown[last][: len(self.shown[last]) - 1]
                lead = len(text) - len(text.lstrip(MARKS + "\"”"))
                if lead and not text.startswith("\n"):
                    self.shown[last] += text[:lead]
                    text = text[lead:].lstrip(" ")
            self.shown.append(text)
            last = j if text else last
        self.end = (tail, last, self.shown[last] if last is not None else "")


def visible_texts(results: list[ShapeResult]) -> tuple[list[str], list[bool]]:
    """Each segment's shown text and which ones later edits hid, from scratch."""
    hidden = hidden_by_edits(results)
    layout = Layout.empty()
    layout.run(results, hidden, [True] * len(results))
    return layout.shown, hidden


class ShapedDocument:
    """One transcript's shaped view (see the module doc). Loop-only."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._position: dict[int, int] = {}  # Segment.index -> entry
        self.hidden: list[bool] = []
        self._results: list[ShapeResult] = []  # the entries' results and rules, side by side
        self._capitalize: list[bool] = []
        self._layout = Layout.empty()

    def clear(self) -> None:
        self._entries.clear()
        self._position.clear()
        self.hidden = []
        self._results, self._capitalize = [], []
        self._layout = Layout.empty()

    @property
    def segments(self) -> list[Segment]:
        """The segments with their shaped text."""
        return [replace(e.segment, shaped=e.shown) for e in self._entries]

    @property
    def text(self) -> str:
        """The whole shaped text, as an inserter would have produced it."""
        document = ""
        for entry, hidden in zip(self._entries, self.hidden, strict=True):
            if not hidden:
                document = joint(document, entry.result.text,
                                 capitalize=entry.rules.capitalize).apply(document)
        return document

    def result(self, index: int) -> ShapeResult | None:
        """The shaping of the segment with `Segment.index` == index, if known."""
        position = self._position.get(index)
        return self._entries[position].result if position is not None else None

    def apply(self, change: TranscriptChange, rules: ShapingRules) -> list[TranscriptChange]:
        """`change` with shaped text, plus the earlier segments it changed. `rules` shape a
        new segment; an enriched one keeps the rules it was first shaped with."""
        if isinstance(change, PartialChanged):
            return [change]
        if isinstance(change, SegmentAdded):
            before = self._entries[-1].result.context if self._entries else ShapeContext()
            segment = replace(change.segment, shaped=None)
            self._position[segment.index] = len(self._entries)
            entry = _Entry(segment, rules, shape(segment, before, rules))
            self._entries.append(entry)
            self._results.append(entry.result)
            self._capitalize.append(rules.capitalize)
            return self._report(len(self._entries) - 1, added=True,
                                edits=bool(entry.result.actions))
        position = self._position.get(change.segment.index)
        if position is None:
            return [change]
        self._entries[position].segment = replace(change.segment, shaped=None)
        return self._report(position, added=False, edits=self._reshape(position))

    def _reshape(self, start: int) -> bool:
        """Shape the entries from `start` on again; True if an edit action was involved."""
        context = self._entries[start - 1].result.context if start else ShapeContext()
        edits = False
        for n in range(start, len(self._entries)):
            entry = self._entries[n]
            result = shape(entry.segment, context, entry.rules)
            if result == entry.result and n != start:
                break  # the same input context gives the same results from here on
            edits = edits or bool(result.actions or entry.result.actions)
            entry.result, context = result, result.context
            self._results[n] = result
        return edits

    def _report(self, position: int, *, added: bool, edits: bool) -> list[TranscriptChange]:
        """The changes since the last report: the entry at `position` first, then every
        other entry whose shown text changed. Without edit actions involved, no entry's
        hidden state can change, and only the entries from `position` on are laid out."""
        count = len(self._entries)
        if edits:
            hidden = hidden_by_edits(self._results)
            start = next((n for n, (old, new) in enumerate(zip(self.hidden, hidden,
                                                               strict=False))
                          if old != new), position)
            self.hidden = hidden
        else:
            self.hidden.extend([False] * (count - len(self.hidden)))
            start = position
        start = min(start, position)
        touched = self._layout.before[start][1] if start < len(self._layout.before) \
            else self._layout.end[1]
        self._layout.run(self._results, self.hidden, self._capitalize, start)
        changes: list[TranscriptChange] = []
        candidates = range(start, count) if touched is None else \
            [touched, *range(start, count)]
        for n in candidates:
            entry, text = self._entries[n], self._layout.shown[n]
            if n == position:
                entry.shown = text
                segment = replace(entry.segment, shaped=text)
                changes.insert(0, SegmentAdded(segment) if added else SegmentEnriched(segment))
            elif text != entry.shown:
                entry.shown = text
                changes.append(SegmentEnriched(replace(entry.segment, shaped=text)))
        return changes
