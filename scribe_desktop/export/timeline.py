"""The transcript a window tab shows, as one timeline of takes, and its export. Pure.

Word times are seconds of ONE connection's audio (§6.6): every dictation starts again at 0.
A tab that holds several dictations therefore places each take at its offset on the tab's own
clock (the time since its first take began), and its export shifts each take's times by that
offset, so the cues of the whole tab run forward. A take never starts before the end of the
one before it, whatever the offsets say, so the timeline is monotonic by construction.

A segment without word times is shown at its fallback time (the session time when it was
committed); its export carries that as the segment's end, and the cue builder spreads its
words before it (`tokens.Timing.APPROXIMATE`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from ..core.transcript import Segment
from ..protocol.messages import Word
from .model import ExportSegment


@dataclass(slots=True)
class Entry:
    """One segment on the timeline: its take's offset and the fallback time of an untimed
    segment (seconds of its take)."""

    segment: Segment
    take: int
    offset_s: float
    fallback_s: float | None = None

    @property
    def start_s(self) -> float | None:
        """Where the segment starts on the tab's clock (the fallback when untimed)."""
        own = self.segment.start_s
        local = own if own is not None else self.fallback_s
        return None if local is None else self.offset_s + local

    @property
    def end_s(self) -> float | None:
        own = self.segment.end_s
        local = own if own is not None else self.fallback_s
        return None if local is None else self.offset_s + local

    def export_segment(self) -> ExportSegment:
        """The segment with its take's offset added to every time."""
        seg = self.segment
        words = tuple(_shifted(w, self.offset_s) for w in seg.words or ())
        if seg.words:
            return ExportSegment(seg.text, words, seg.language_code, shaped=seg.shaped)
        return ExportSegment(seg.text, words, seg.language_code, start_s=None, end_s=self.end_s,
                             shaped=seg.shaped)


def _shifted(word: Word, offset_s: float) -> Word:
    def move(t: float | None) -> float | None:
        return None if t is None or not math.isfinite(t) else t + offset_s
    return dataclasses.replace(word, start_s=move(word.start_s), end_s=move(word.end_s))


class Timeline:
    """Takes of segments on one clock; `export_segments()` is what File → Export writes."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.offsets: list[float] = []

    def begin_take(self, offset_s: float = 0.0) -> float:
        """A new take (a dictation) starts at `offset_s` on the tab's clock, or at the end of
        what the timeline already holds if that is later. Returns the offset used."""
        floor = self.end_s
        offset = max(offset_s if math.isfinite(offset_s) else 0.0, floor, 0.0)
        self.offsets.append(offset)
        return offset

    @property
    def end_s(self) -> float:
        """The latest time any entry reaches (0 when empty)."""
        ends = [e for entry in self.entries
                for e in (entry.end_s, entry.start_s) if e is not None and math.isfinite(e)]
        return max(ends, default=self.offsets[-1] if self.offsets else 0.0)

    def add(self, segment: Segment, fallback_s: float | None = None) -> Entry:
        """Append a committed segment to the current take (one is begun if none was)."""
        if not self.offsets:
            self.begin_take(0.0)
        entry = Entry(segment, len(self.offsets) - 1, self.offsets[-1], fallback_s)
        self.entries.append(entry)
        return entry

    def enrich(self, segment: Segment) -> int | None:
        """Replace the current take's segment with the same index (rule C4: timestamps and
        language arrive after the text); returns its row, None if none matched."""
        take = len(self.offsets) - 1
        for row in range(len(self.entries) - 1, -1, -1):
            entry = self.entries[row]
            if entry.take == take and entry.segment.index == segment.index:
                entry.segment = segment
                return row
        return None

    def clear(self) -> None:
        self.entries.clear()
        self.offsets.clear()

    @property
    def segments(self) -> list[Segment]:
        return [e.segment for e in self.entries]

    def export_segments(self) -> tuple[ExportSegment, ...]:
        return tuple(e.export_segment() for e in self.entries)
