"""One entry point for every export format: `render(session, fmt)`, or `stream(...)` for
its text piece by piece (what `write` sends to a file). Pure.

Used by the CLI (`transcribe --format`), File → Export… and the history panel, so they all
write the same bytes for the same session. Every format costs time linear in the session:
a 10-hour session streams to a file without its whole text in memory (bench/export_bench.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TextIO

from .cues import APPROXIMATE_NOTE, CueLimits, build_cues
from .json_export import iter_json
from .model import ExportSession
from .srt import iter_srt
from .tokens import Timing, run_timing
from .txt import iter_txt, txt_run
from .vtt import iter_vtt


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


class _Timed:
    __slots__ = ()
    timing: Timing

    @property
    def approximate(self) -> bool:
        return self.timing is Timing.APPROXIMATE

    @property
    def warning(self) -> str | None:
        """What to tell the user about the times, if anything (SRT cannot say it itself)."""
        return APPROXIMATE_NOTE if self.approximate else None


@dataclass(frozen=True, slots=True)
class Rendered(_Timed):
    text: str
    timing: Timing


@dataclass(frozen=True, slots=True)
class Streamed(_Timed):
    """The text as it is produced (an iterator: consume it once), and its timing."""

    chunks: Iterator[str]
    timing: Timing


def stream(session: ExportSession, fmt: ExportFormat | str,
           options: ExportOptions | None = None) -> Streamed:
    """The session in `fmt`, piece by piece (a segment, cue or paragraph each)."""
    options = options or ExportOptions()
    match ExportFormat(fmt):
        case ExportFormat.TXT:
            run = txt_run(session)
            # Without timestamps the times do not show, so there is nothing to warn about.
            return Streamed(iter_txt(run, timestamps=options.timestamps,
                                     paragraph_pause_s=options.paragraph_pause_s),
                            run.timing if options.timestamps else Timing.WORDS)
        case ExportFormat.SRT:
            track = build_cues(session.segments, options.limits)
            return Streamed(iter_srt(track), track.timing)
        case ExportFormat.VTT:
            track = build_cues(session.segments, options.limits)
            return Streamed(iter_vtt(track), track.timing)
        case ExportFormat.JSON:
            # JSON states its timing in the "timing" key; the flag is for the caller too.
            return Streamed(iter_json(session), run_timing(session.segments) or Timing.WORDS)


def render(session: ExportSession, fmt: ExportFormat | str,
           options: ExportOptions | None = None) -> Rendered:
    """The session in `fmt`, as text ready to write as UTF-8."""
    streamed = stream(session, fmt, options)
    return Rendered("".join(streamed.chunks), streamed.timing)


def write(session: ExportSession, fmt: ExportFormat | str, file: TextIO,
          options: ExportOptions | None = None) -> Streamed:
    """Write the session in `fmt` to `file` (text, UTF-8, newline="\\n") as it is produced;
    returns what was written (its chunks consumed) for the timing and warning."""
    streamed = stream(session, fmt, options)
    file.writelines(streamed.chunks)
    return streamed
