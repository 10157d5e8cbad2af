"""`SessionRecorder`: writes one running session into the history store, durably.

Each `add_segment` is one SQLite transaction with `synchronous=FULL` (see schema.py): when it
returns, the segment survives SIGKILL, a crash or a power cut. Thread-safe (the store's lock);
each call blocks for one fsync, so a caller on the UI loop may use `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING

from ..core.transcript import Segment
from ..export.json_export import word_to_json
from ..export.model import ExportSegment, SessionStatus
from ..paths.private import open_private_append

if TYPE_CHECKING:
    from .store import HistoryStore

PREVIEW_CHARS = 120


class SessionRecorder:
    """Records one session; get one from `HistoryStore.begin_session`."""

    def __init__(self, store: HistoryStore, session_id: int, audio_path: Path | None,
                 clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self.id = session_id
        self._clock = clock
        self._seq = 0
        self._by_source_index: dict[int, int] = {}
        self._preview = ""
        self._audio_path = audio_path
        self._audio: IO[bytes] | None = None
        self.finished = False

    # --- segments -----------------------------------------------------------------------

    def add_segment(self, segment: Segment | ExportSegment) -> None:
        """Store a committed segment; it is durable when this returns. Empty text is skipped
        (rule C5: an empty commit adds no segment)."""
        if self.finished:
            raise RuntimeError(f"session {self.id} is finished")
        if not segment.text.strip():
            return
        seg = segment if isinstance(segment, ExportSegment) else \
            ExportSegment.from_segment(segment)
        source_index = segment.index if isinstance(segment, Segment) else None
        now = self._clock()
        if len(self._preview) < PREVIEW_CHARS:
            self._preview = (self._preview + " " + seg.text.strip()).strip()[:PREVIEW_CHARS]
        with self._store.transaction() as conn:
            conn.execute(
                "INSERT INTO segments (session_id, seq, source_index, text, shaped, start_s, "
                "end_s, language_code, words, committed_unix) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (self.id, self._seq, source_index, seg.text.strip(), seg.shaped, seg.start_s,
                 seg.end_s, seg.language_code, _words_json(seg), now))
            conn.execute("UPDATE sessions SET segment_count = segment_count + 1, preview = ?, "
                         "updated_unix = ? WHERE id = ?", (self._preview, now, self.id))
            if self._audio is not None:
                self._audio.flush()  # the audio up to this commit is in the OS cache too
        if source_index is not None:
            self._by_source_index[source_index] = self._seq
        self._seq += 1

    def enrich(self, segment: Segment | ExportSegment, *, seq: int | None = None) -> bool:
        """Add words/language (and its shaped text) to a stored segment (rule C4: a
        timestamped commit enriches the preceding one). A transcript `Segment` is found by
        its index; otherwise `seq` (the order of `add_segment` calls) or the last segment.
        Returns False if none matches."""
        if isinstance(segment, Segment):
            target = self._by_source_index.get(segment.index)
            seg = ExportSegment.from_segment(segment)
        else:
            target, seg = seq, segment
        if target is None:
            target = self._seq - 1
        if target < 0:
            return False
        with self._store.transaction() as conn:
            cur = conn.execute(
                "UPDATE segments SET words = ?, language_code = coalesce(?, language_code), "
                "start_s = coalesce(?, start_s), end_s = coalesce(?, end_s), "
                "text = CASE WHEN ? != '' THEN ? ELSE text END, shaped = coalesce(?, shaped) "
                "WHERE session_id = ? AND seq = ?",
                (_words_json(seg), seg.language_code, seg.start_s, seg.end_s,
                 seg.text.strip(), seg.text.strip(), seg.shaped, self.id, target))
            conn.execute("UPDATE sessions SET updated_unix = ? WHERE id = ?",
                         (self._clock(), self.id))
        return cur.rowcount == 1

    # --- audio --------------------------------------------------------------------------

    def add_audio(self, pcm: bytes) -> None:
        """Append raw audio (the format given to begin_session); a no-op unless the session
        keeps audio. Buffered: flushed at each segment and at finish."""
        if self._audio_path is None or self.finished:
            return
        if self._audio is None:
            self._audio = open_private_append(self._audio_path)
        self._audio.write(pcm)

    # --- end ----------------------------------------------------------------------------

    def finish(self, status: SessionStatus = SessionStatus.COMPLETED, *,
               duration_s: float | None = None) -> None:
        """Mark the session ended; idempotent (the first call wins). `duration_s` defaults to
        the wall-clock time since it began (give the audio duration for files)."""
        if self.finished:
            return
        self.finished = True
        if self._audio is not None:
            self._audio.close()
            self._audio = None
        self._store.finish_session(self.id, status, duration_s, self._clock())

    def __enter__(self) -> SessionRecorder:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.finish(SessionStatus.COMPLETED)
        elif issubclass(exc_type, (KeyboardInterrupt, asyncio.CancelledError)):
            self.finish(SessionStatus.CANCELLED)
        else:
            self.finish(SessionStatus.FAILED)


def _words_json(seg: ExportSegment) -> str | None:
    if not seg.words:
        return None
    return json.dumps([word_to_json(w) for w in seg.words], ensure_ascii=False,
                      separators=(",", ":"))
