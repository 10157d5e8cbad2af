"""The transcript a user sees, built from the connection's events. Pure.

The protocol's receive rules (echo partials, the timestamped re-delivery, commit attribution:
C3-C5) are applied by `protocol.connection.ClientConnection`; here a partial replaces the
live text, a non-empty commit adds a segment, and timings enrich the segment of their commit.
An empty commit ends the live text but adds no segment.

`feed()` is the one place where events become transcript changes for every consumer (the
window's worker, file transcription, `listen`). Not thread-safe: owned by one consumer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..protocol.connection import Commit, CommitTimed, ConnectionEvent, Partial
from ..protocol.messages import Word, WordType


@dataclass(frozen=True, slots=True)
class Segment:
    """One committed segment; word times are stream-global seconds. `text` is what the
    engine recognised; `shaped` is it made ready to use (`shaping.ShapedDocument`), None
    where nothing shaped it."""

    index: int
    text: str
    words: tuple[Word, ...] | None = None
    language_code: str | None = None
    solicited: bool = True
    shaped: str | None = None

    @property
    def start_s(self) -> float | None:
        return next((w.start_s for w in self.words or () if w.type != WordType.SPACING
                     and w.start_s is not None), None)

    @property
    def end_s(self) -> float | None:
        return next((w.end_s for w in reversed(self.words or ()) if w.type != WordType.SPACING
                     and w.end_s is not None), None)


@dataclass(frozen=True, slots=True)
class PartialChanged:
    text: str


@dataclass(frozen=True, slots=True)
class SegmentAdded:
    segment: Segment


@dataclass(frozen=True, slots=True)
class SegmentEnriched:
    segment: Segment


TranscriptChange = PartialChanged | SegmentAdded | SegmentEnriched
ChangeSink = Callable[[TranscriptChange], None]


class Transcript:
    """Segments plus the live partial; `apply()` returns what changed, for a view."""

    def __init__(self) -> None:
        self.partial = ""
        self.segments: list[Segment] = []
        self.empty_commits = 0
        self._segment_of_commit: dict[int, int] = {}  # commit index -> index in segments

    @property
    def text(self) -> str:
        """All committed text, segments joined by single spaces."""
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    def clear(self) -> None:
        """Forget the text; later timings of earlier commits are then ignored."""
        self.partial = ""
        self.segments.clear()
        self._segment_of_commit.clear()

    def apply(self, event: ConnectionEvent) -> list[TranscriptChange]:
        match event:
            case Partial(text):
                if text == self.partial:
                    return []
                self.partial = text
                return [PartialChanged(text)]
            case Commit():
                return self._committed(event)
            case CommitTimed():
                return self._timed(event)
        return []

    def _committed(self, commit: Commit) -> list[TranscriptChange]:
        changes: list[TranscriptChange] = []
        if self.partial:
            self.partial = ""
            changes.append(PartialChanged(""))
        if not commit.text.strip():
            self.empty_commits += 1
            return changes
        segment = Segment(index=len(self.segments), text=commit.text, words=commit.words,
                          language_code=commit.language_code, solicited=commit.ours)
        self._segment_of_commit[commit.index] = segment.index
        self.segments.append(segment)
        changes.append(SegmentAdded(segment))
        return changes

    def _timed(self, timed: CommitTimed) -> list[TranscriptChange]:
        position = self._segment_of_commit.get(timed.index)
        if position is None or position >= len(self.segments):
            return []  # timings of an empty (or cleared) commit: nothing to show
        enriched = replace(self.segments[position], words=timed.words,
                           language_code=timed.language_code)
        self.segments[position] = enriched
        return [SegmentEnriched(enriched)]


def feed(transcript: Transcript, event: ConnectionEvent,
         *sinks: ChangeSink) -> list[TranscriptChange]:
    """Apply `event` to `transcript` and hand each change to every sink, in order."""
    changes = transcript.apply(event)
    for change in changes:
        for sink in sinks:
            sink(change)
    return changes
