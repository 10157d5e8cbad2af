"""One entry point for every export format: `render(session, fmt)`. Pure.

Used by the CLI (`transcribe --format`), File → Export… and the history panel, so they all
write the same bytes for the same session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .cues import APPROXIMATE_NOTE, CueLimits
from .json_export import to_json
from .model import ExportSession
from .srt import to_srt
from .tokens import Timing, tokenize
from .txt import to_txt
from .vtt import to_vtt


class ExportFormat(StrEnum):
    TXT = "txt"
    SRT = "srt"
    VTT = "vtt"
    JSON = "json"

    @property
    def suffix(self) -> str:
        return f".{self.value}"

    @property
    def label(self) -> str:
        return {"txt": "Plain text", "srt": "SubRip subtitles", "vtt": "WebVTT subtitles",
                "json": "JSON (everything)"}[self.value]

    @classmethod
    def for_path(cls, path: str) -> ExportFormat | None:
        """The format a file name's suffix asks for, if any."""
        suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        return next((f for f in cls if f.value == suffix), None)


@dataclass(frozen=True, slots=True)
class ExportOptions:
    timestamps: bool = False  # TXT: `[HH:MM:SS]` before each paragraph
    paragraph_pause_s: float = 2.0  # TXT: a pause this long starts a paragraph
    limits: CueLimits = field(default_factory=CueLimits)  # SRT/VTT cue rules


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    timing: Timing

    @property
    def approximate(self) -> bool:
        return self.timing is Timing.APPROXIMATE

    @property
    def warning(self) -> str | None:
        """What to tell the user about the times, if anything (SRT cannot say it itself)."""
        return APPROXIMATE_NOTE if self.approximate else None


def render(session: ExportSession, fmt: ExportFormat | str,
           options: ExportOptions | None = None) -> Rendered:
    """The session in `fmt`, as text ready to write as UTF-8."""
    options = options or ExportOptions()
    match ExportFormat(fmt):
        case ExportFormat.TXT:
            text, timing = to_txt(session, timestamps=options.timestamps,
                                  paragraph_pause_s=options.paragraph_pause_s)
            # Without timestamps the times do not show, so there is nothing to warn about.
            return Rendered(text, timing if options.timestamps else Timing.WORDS)
        case ExportFormat.SRT:
            text, track = to_srt(session, options.limits)
            return Rendered(text, track.timing)
        case ExportFormat.VTT:
            text, track = to_vtt(session, options.limits)
            return Rendered(text, track.timing)
        case ExportFormat.JSON:
            # JSON states its timing in the "timing" key; the flag is for the caller too.
            return Rendered(to_json(session), tokenize(list(session.segments)).timing)
