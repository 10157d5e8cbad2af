"""The transcript a user sees, built from the connection's events. Pure.

The protocol's receive rules (echo partials, the timestamped re-delivery, commit attribution:
C3-C5) are applied by `protocol.connection.ClientConnection`; here a partial replaces the
live text, a non-empty commit adds a segment, and timings enrich the segment of their commit.
An empty commit ends the live text but adds no segment.

Redaction (`redacting`, for a session that asked for `entity_redaction`, §6.8): a commit's
raw text is never surfaced. Its segment is held until the commit's `Redacted` event and then
added with the redacted text, and with word items lined up with it
(`protocol.redacted.redact_words`: an entity's raw words become one item holding its
placeholder, so exports keep their timings and never the raw words). A commit whose
redaction never came (the connection ended first) is withheld for good:
`withhold_unredacted()` says how many, for an error the user sees.

`feed()` is the one place where events become transcript changes for every consumer (the
window's worker, file transcription, `listen`). Not thread-safe: owned by one consumer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..protocol.connection import Commit, CommitTimed, ConnectionEvent, Partial, Redacted
from ..protocol.messages import Word, WordType
from ..protocol.redacted import redact_words


class RedactionMissingError(Exception):
    """Redaction was on and committed text came without its redacted form (§6.8) before its
    connection ended: that text was withheld, neither shown, typed nor saved."""

    def __init__(self, segments: int) -> None:
        super().__init__(f"{segments} committed segment(s) withheld: no redacted text came")
        self.segments = segments


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
        self.redacting = False  # surface only redacted commits (see the module doc)
        self._held: dict[int, Segment] = {}  # commit index -> raw segment awaiting Redacted
        self._redacted: set[int] = set()  # positions of segments shown in redacted form

    @property
    def text(self) -> str:
        """All committed text, segments joined by single spaces."""
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    def clear(self) -> None:
        """Forget the text; later timings of earlier commits are then ignored. A commit
        still held for its redaction is not yet text the user saw: it is kept, and shown
        once redacted."""
        self.partial = ""
        self.segments.clear()
        self._segment_of_commit.clear()
        self._redacted.clear()

    @property
    def held(self) -> int:
        """Commits waiting for their redacted form."""
        return len(self._held)

    def withhold_unredacted(self) -> int:
        """Give up on the held commits (their connection ended before their redacted form
        came): they are dropped unshown, never surfaced raw. Returns how many."""
        count = len(self._held)
        self._held.clear()
        return count

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
            case Redacted():
                return self._redaction(event)
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
        if self.redacting:
            self._held[commit.index] = segment
            return changes
        self._segment_of_commit[commit.index] = segment.index
        self.segments.append(segment)
        changes.append(SegmentAdded(segment))
        return changes

    def _timed(self, timed: CommitTimed) -> list[TranscriptChange]:
        held = self._held.get(timed.index)
        if held is not None:  # shown once redacted, with these timings
            self._held[timed.index] = replace(held, words=timed.words,
                                              language_code=timed.language_code)
            return []
        position = self._segment_of_commit.get(timed.index)
        if position is None or position >= len(self.segments):
            return []  # timings of an empty (or cleared) commit: nothing to show
        words = timed.words
        if words is not None and position in self._redacted:  # timings after the redaction
            words = redact_words(words, self.segments[position].text)
        enriched = replace(self.segments[position], words=words,
                           language_code=timed.language_code)
        self.segments[position] = enriched
        return [SegmentEnriched(enriched)]

    def _redaction(self, event: Redacted) -> list[TranscriptChange]:
        held = self._held.pop(event.index, None)
        if held is None:
            return []  # an empty commit's, or redaction not asked for: nothing to replace
        if not event.redacted_text.strip():
            self.empty_commits += 1
            return []
        words = None if held.words is None else redact_words(held.words, event.redacted_text)
        segment = replace(held, index=len(self.segments), text=event.redacted_text,
                          words=words)
        self._segment_of_commit[event.index] = segment.index
        self._redacted.add(segment.index)
        self.segments.append(segment)
        return [SegmentAdded(segment)]


def feed(transcript: Transcript, event: ConnectionEvent,
         *sinks: ChangeSink) -> list[TranscriptChange]:
    """Apply `event` to `transcript` and hand each change to every sink, in order."""
    changes = transcript.apply(event)
    for change in changes:
        for sink in sinks:
            sink(change)
    return changes
