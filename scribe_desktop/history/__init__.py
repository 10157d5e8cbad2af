"""The crash-safe session history (layer 1): SQLite in WAL mode with FTS5 search, the
recorder thread, and kept session audio. May import: core, protocol, export, `audio.pcm`."""

from __future__ import annotations

from .recorder import SessionRecorder
from .store import DiskUsage, HistoryStore, SessionSummary, default_history_path

__all__ = ["DiskUsage", "HistoryStore", "SessionRecorder", "SessionSummary",
           "default_history_path"]
