"""SubRip (SRT) export, composed by the `srt` library. Pure.

SRT has no comment syntax, and an extra cue would be shown to viewers, so an approximate
timing is not written into the file: `to_srt` returns the track's timing and the caller says
it (the CLI prints a warning to stderr; the export dialog shows it).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import srt

from .cues import CueLimits, CueTrack, build_cues
from .model import ExportSession


def iter_srt(track: CueTrack, *, first_index: int = 1) -> Iterator[str]:
    """The cues as SRT blocks, one at a time (what `srt.compose` joins; numbered from
    `first_index`, so live export continues the numbering of cues already in the file)."""
    for n, cue in enumerate(track.cues):
        yield srt.Subtitle(index=first_index + n, start=timedelta(seconds=cue.start_s),
                           end=timedelta(seconds=cue.end_s), content=cue.text
                           ).to_srt(strict=True)


def compose_srt(track: CueTrack, *, first_index: int = 1) -> str:
    """The cues as SRT text (empty string for no cues)."""
    return "".join(iter_srt(track, first_index=first_index))


def to_srt(session: ExportSession, limits: CueLimits | None = None) -> tuple[str, CueTrack]:
    """The session as SRT text, and the cue track (check `.approximate` to warn the user)."""
    track = build_cues(session.segments, limits)
    return compose_srt(track), track
