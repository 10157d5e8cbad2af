"""Exports (layer 0: standard library + `srt`; may import core and protocol): TXT, SRT,
WebVTT and JSON from an `ExportSession`, the subtitle cue builder, and live export
(`live`: appends committed text to a file as it arrives)."""

from __future__ import annotations

from .cues import Cue, CueLimits, CueTrack, build_cues
from .formats import ExportFormat, ExportOptions, Rendered, Streamed, render, stream, write
from .json_export import SCHEMA_VERSION, from_json, to_json
from .model import ExportSegment, ExportSession, SessionMeta, SessionSource, SessionStatus
from .srt import to_srt
from .tokens import Timing
from .txt import to_txt
from .vtt import to_vtt

__all__ = [
    "SCHEMA_VERSION",
    "Cue",
    "CueLimits",
    "CueTrack",
    "ExportFormat",
    "ExportOptions",
    "ExportSegment",
    "ExportSession",
    "Rendered",
    "SessionMeta",
    "SessionSource",
    "SessionStatus",
    "Streamed",
    "Timing",
    "build_cues",
    "from_json",
    "render",
    "stream",
    "to_json",
    "to_srt",
    "to_txt",
    "to_vtt",
    "write",
]
