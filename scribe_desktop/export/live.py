"""Live export: append committed text to a TXT or SRT file as it arrives (file I/O).

For captions in streaming software (e.g. OBS "read from file"): every write is flushed, so a
reader sees each segment as soon as it is committed.

* TXT: each segment is appended as one line; an existing file is kept (appended to).
* SRT: each segment becomes one or more cues (the same cue builder as File → Export…), numbered
  on from the cues already written. The file starts empty: SRT times restart with a session.
  Times come from the segment's words (stream-global seconds, §6.6); without words, or when
  they went backwards (a new stream after a reconnect), from the clock since `open`: the cue
  ends at the commit and lasts about as long as the text takes to say.

Not thread-safe; call from the thread that receives the segments (the worker's loop).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import IO

from ..core.transcript import Segment
from .cues import Cue, CueLimits, CueTrack, build_cues
from .formats import ExportFormat
from .model import ExportSegment
from .srt import compose_srt
from .tokens import Timing

BACKWARDS_TOLERANCE_S = 0.5


class LiveExporter:
    """Appends committed segments to `path`; use `LiveExporter.open(path, fmt)`."""

    def __init__(self, file: IO[str], fmt: ExportFormat, *, limits: CueLimits | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if fmt not in (ExportFormat.TXT, ExportFormat.SRT):
            raise ValueError(f"live export writes TXT or SRT, not {fmt.value}")
        self._file = file
        self.format = fmt
        self._limits = limits or CueLimits()
        self._clock = clock
        self._t0 = clock()
        self._next_index = 1
        self._last_end_s = 0.0
        self.segments_written = 0

    @classmethod
    def open(cls, path: str | os.PathLike[str], fmt: ExportFormat | str, *,
             limits: CueLimits | None = None,
             clock: Callable[[], float] = time.monotonic) -> LiveExporter:
        """Open `path` for live export (TXT: append; SRT: truncate); OSError if it can't."""
        fmt = ExportFormat(fmt)
        if fmt not in (ExportFormat.TXT, ExportFormat.SRT):
            raise ValueError(f"live export writes TXT or SRT, not {fmt.value}")
        mode = "a" if fmt is ExportFormat.TXT else "w"
        file = Path(path).open(mode, encoding="utf-8", newline="\n")  # noqa: SIM115
        return cls(file, fmt, limits=limits, clock=clock)

    @property
    def closed(self) -> bool:
        return self._file.closed

    def add_segment(self, segment: Segment | ExportSegment) -> None:
        """Append one committed segment (call on the worker's `segment_committed`)."""
        seg = segment if isinstance(segment, ExportSegment) else \
            ExportSegment.from_segment(segment)
        text = " ".join(seg.text.split())
        if not text:
            return  # an empty commit (rule C5)
        if self.format is ExportFormat.TXT:
            self._file.write(text + "\n")
        else:
            self._file.write(self._srt(seg))
        self._file.flush()
        self.segments_written += 1

    def _srt(self, seg: ExportSegment) -> str:
        track = build_cues([seg], self._limits)
        if track.timing is not Timing.WORDS or not track.cues \
                or track.cues[0].start_s < self._last_end_s - BACKWARDS_TOLERANCE_S:
            track = self._clock_cues(seg)
        cues = self._after_last(track.cues)
        if not cues:
            return ""
        self._last_end_s = cues[-1].end_s
        out = compose_srt(CueTrack(cues, track.timing), first_index=self._next_index)
        self._next_index += len(cues)
        return out

    def _clock_cues(self, seg: ExportSegment) -> CueTrack:
        """Cues ending now (the commit), starting as long before as the text takes to say."""
        end_s = max(self._clock() - self._t0, self._last_end_s)
        spoken_s = len(seg.text) / self._limits.chars_per_s
        start_s = max(self._last_end_s, end_s - spoken_s)
        if end_s - start_s < self._limits.min_duration_s:
            end_s = start_s + self._limits.min_duration_s
        timed = ExportSegment(seg.text, (), seg.language_code, start_s, end_s)
        return build_cues([timed], self._limits)

    def _after_last(self, cues: tuple[Cue, ...]) -> tuple[Cue, ...]:
        """Shift cues that would start before the last written one ended (never overlap)."""
        out: list[Cue] = []
        last = self._last_end_s
        for cue in cues:
            if cue.start_s < last:
                cue = replace(cue, start_s=last, end_s=max(cue.end_s, last))
            out.append(cue)
            last = cue.end_s
        return tuple(out)

    def close(self) -> None:
        """Close the file; idempotent."""
        if not self._file.closed:
            self._file.close()

    def __enter__(self) -> LiveExporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
