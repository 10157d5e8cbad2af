"""The transcript a user sees, built by applying server messages per rules C3-C5. Pure.

* A partial replaces the previous one (C3); the "echo" partial that repeats the text just
  committed is dropped.
* `committed_transcript_with_timestamps` enriches the preceding commit (words, language) and
  never adds its text again (C4).
* Commits may be unsolicited or empty (C5): an empty commit ends the live text but adds no
  segment.

Not thread-safe: owned by whoever consumes the client's events.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..protocol.messages import (
    CommittedTranscript,
    CommittedTranscriptWithTimestamps,
    PartialTranscript,
    ServerMessage,
    Word,
    WordType,
)


@dataclass(frozen=True, slots=True)
class Segment:
    """One committed segment; word times are stream-global seconds."""

    index: int
    text: str
    words: tuple[Word, ...] | None = None
    language_code: str | None = None
    solicited: bool = True

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


class Transcript:
    """Segments plus the live partial; `apply()` returns what changed, for a view."""

    def __init__(self) -> None:
        self.partial = ""
        self.segments: list[Segment] = []
        self.empty_commits = 0
        self.dropped_echoes = 0
        self.dropped_duplicates = 0
        self._commits_requested = 0
        self._awaiting_enrichment: int | None = None  # index into segments, or -1 if empty
        self._echo_candidate: str | None = None

    @property
    def text(self) -> str:
        """All committed text, segments joined by single spaces."""
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    def note_commit_sent(self) -> None:
        """Mark that the client asked for a commit; the next commit is then solicited."""
        self._commits_requested += 1

    def apply(self, msg: ServerMessage) -> list[TranscriptChange]:
        match msg:
            case PartialTranscript(text):
                return self._partial(text)
            case CommittedTranscript(text):
                return self._committed(text)
            case CommittedTranscriptWithTimestamps():
                return self._timestamps(msg)
        return []

    def _partial(self, text: str) -> list[TranscriptChange]:
        if self._echo_candidate is not None:
            echo, self._echo_candidate = self._echo_candidate, None
            if text.strip() == echo.strip():
                self.dropped_echoes += 1
                return []
        if text == self.partial:
            return []
        self.partial = text
        return [PartialChanged(text)]

    def _committed(self, text: str) -> list[TranscriptChange]:
        solicited = self._commits_requested > 0
        if solicited:
            self._commits_requested -= 1
        changes: list[TranscriptChange] = []
        if self.partial:
            self.partial = ""
            changes.append(PartialChanged(""))
        if not text.strip():
            self.empty_commits += 1
            self._awaiting_enrichment = -1
            self._echo_candidate = None
            return changes
        segment = Segment(index=len(self.segments), text=text, solicited=solicited)
        self.segments.append(segment)
        self._awaiting_enrichment = segment.index
        self._echo_candidate = text
        changes.append(SegmentAdded(segment))
        return changes

    def _timestamps(self, msg: CommittedTranscriptWithTimestamps) -> list[TranscriptChange]:
        pending, self._awaiting_enrichment = self._awaiting_enrichment, None
        if pending == -1:
            return []  # enrichment of an empty commit: nothing to show
        if pending is not None:
            enriched = replace(self.segments[pending], words=msg.words,
                               language_code=msg.language_code)
            self.segments[pending] = enriched
            return [SegmentEnriched(enriched)]
        if self.segments and self.segments[-1].text.strip() == msg.text.strip():
            self.dropped_duplicates += 1
            return []
        # A timestamped commit with no plain commit before it: it is the only delivery.
        changes = self._committed(msg.text)
        self._awaiting_enrichment = None
        if self.segments and any(isinstance(c, SegmentAdded) for c in changes):
            enriched = replace(self.segments[-1], words=msg.words,
                               language_code=msg.language_code)
            self.segments[-1] = enriched
            changes = [c if not isinstance(c, SegmentAdded) else SegmentAdded(enriched)
                       for c in changes]
        return changes
