"""What an exporter reads: a session (metadata + segments with optional times and words). Pure.

`ExportSession` is the one input of every exporter (TXT, SRT, VTT, JSON) and what the history
store loads, so a live transcript, a transcribed file and a stored session export the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from ..core.transcript import Segment
from ..protocol.messages import Word, WordType


class SessionSource(StrEnum):
    """Where a session's audio came from."""

    DICTATION = "dictation"  # the main window
    PUSH_TO_TALK = "push_to_talk"  # the global hotkey
    FILE = "file"  # `transcribe` or File → Transcribe…
    LISTEN = "listen"  # the `listen` command
    RETRY = "retry"  # a stored session's kept audio transcribed again (file: that audio)


class SessionStatus(StrEnum):
    """How a session ended; RECORDING while it runs (or until recovery finds it orphaned)."""

    RECORDING = "recording"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # the recording process died (crash, SIGKILL, power loss)


class TextForm(StrEnum):
    """Which text an export writes."""

    SHAPED = "shaped"  # made ready to use: spoken commands, dictionary, numbers (shaping/)
    RAW = "raw"  # as the engine recognised it

    @property
    def label(self) -> str:
        return {"shaped": "As inserted (commands, replacements, numbers applied)",
                "raw": "As recognised (raw)"}[self.value]


@dataclass(frozen=True, slots=True)
class SessionMeta:
    """Session metadata; every field is optional except where the session came from."""

    source: SessionSource | str = SessionSource.DICTATION
    backend: str | None = None  # "local" | "cloud"
    model_id: str | None = None
    language_code: str | None = None  # the requested language (None: auto-detect)
    file: str | None = None  # the transcribed file (FILE), the original's audio (RETRY)
    started_at: datetime | None = None  # timezone-aware


@dataclass(frozen=True, slots=True)
class ExportSegment:
    """One committed segment. `start_s`/`end_s` are the segment's own times when known
    (stream-global seconds); without them, times come from the words, if any. `shaped` is
    the text made ready to use (None: never shaped); in a shaped export (`with_form`),
    `text` is that and `raw` what was recognised."""

    text: str
    words: tuple[Word, ...] = ()
    language_code: str | None = None
    start_s: float | None = None
    end_s: float | None = None
    shaped: str | None = None
    raw: str | None = None

    @classmethod
    def from_segment(cls, segment: Segment, *, start_s: float | None = None,
                     end_s: float | None = None) -> ExportSegment:
        """A transcript segment; its word times give the segment times unless given here."""
        return cls(text=segment.text, words=tuple(segment.words or ()),
                   language_code=segment.language_code,
                   start_s=start_s if start_s is not None else segment.start_s,
                   end_s=end_s if end_s is not None else segment.end_s,
                   shaped=segment.shaped)

    @property
    def timed_words(self) -> tuple[Word, ...]:
        """The non-spacing words."""
        return tuple(w for w in self.words if w.type != WordType.SPACING)


@dataclass(frozen=True, slots=True)
class ExportSession:
    """A session to export; `id`, `status` and `ended_at` are set for stored sessions."""

    segments: tuple[ExportSegment, ...] = ()
    meta: SessionMeta = field(default_factory=SessionMeta)
    id: int | None = None
    status: SessionStatus | str | None = None
    ended_at: datetime | None = None
    duration_s: float | None = None
    text_form: TextForm = TextForm.RAW

    @classmethod
    def from_segments(cls, segments: Iterable[Segment | ExportSegment],
                      meta: SessionMeta | None = None, *,
                      duration_s: float | None = None) -> ExportSession:
        """From transcript segments (e.g. `Transcript.segments` of the main window)."""
        converted = tuple(s if isinstance(s, ExportSegment) else ExportSegment.from_segment(s)
                          for s in segments)
        return cls(segments=converted, meta=meta or SessionMeta(), duration_s=duration_s)

    @property
    def has_shaped(self) -> bool:
        """True when some segment's shaped text differs from what was recognised."""
        return any(s.shaped is not None and s.shaped != s.text for s in self.segments)

    def with_form(self, form: TextForm) -> ExportSession:
        """The session with `form`'s text: SHAPED writes each segment's shaped text (times
        kept; a segment whose text a "scratch that" removed is left out; one never shaped
        keeps its raw text), RAW is the session as recognised."""
        if form is TextForm.RAW or self.text_form is TextForm.SHAPED:
            return self
        segments = tuple(
            s if s.shaped is None else replace(s, text=s.shaped, raw=s.text)
            for s in self.segments if s.shaped is None or s.shaped.strip(" "))
        return replace(self, segments=segments, text_form=TextForm.SHAPED)

    @property
    def text(self) -> str:
        """All text, segments joined by single spaces (as `Transcript.text`)."""
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    @property
    def language_code(self) -> str | None:
        """The first detected language, else the requested one."""
        return next((s.language_code for s in self.segments if s.language_code),
                    self.meta.language_code)
