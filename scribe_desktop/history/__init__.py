"""The crash-safe session history: SQLite in WAL mode, FTS5 search."""

from __future__ import annotations

from .recorder import SessionRecorder
from .store import DiskUsage, HistoryStore, SessionSummary, default_history_path

__all__ = ["DiskUsage", "HistoryStore", "SessionRecorder", "SessionSummary",
           "default_history_path"]
