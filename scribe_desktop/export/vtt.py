"""WebVTT export. Pure.

Cue text is escaped (`&`, `<`, `>`), so it can never contain `-->` or be read as markup
(WebVTT §4.2). An approximate timing is stated in a NOTE block, which players do not show.
"""

from __future__ import annotations

from collections.abc import Iterator

from .cues import APPROXIMATE_NOTE, CueLimits, CueTrack, build_cues
from .model import ExportSession


def vtt_timestamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def escape_cue_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def iter_vtt(track: CueTrack) -> Iterator[str]:
    """The WebVTT text, a block at a time."""
    yield "WEBVTT\n"
    if track.approximate:
        yield f"\nNOTE {APPROXIMATE_NOTE}\n"
    for cue in track.cues:
        lines = "\n".join(escape_cue_text(line) for line in cue.lines)
        yield (f"\n{vtt_timestamp(cue.start_s)} --> {vtt_timestamp(cue.end_s)}\n"
               f"{lines}\n")


def compose_vtt(track: CueTrack) -> str:
    return "".join(iter_vtt(track))


def to_vtt(session: ExportSession, limits: CueLimits | None = None) -> tuple[str, CueTrack]:
    """The session as WebVTT text, and the cue track."""
    track = build_cues(session.segments, limits)
    return compose_vtt(track), track
