"""Recording running sessions into the history store and a live-export file, off the loop
(no Qt): "every session is recorded as it happens".

    journal = SessionJournal(store, on_warning=notify)       # store may be None (no history)
    session = journal.begin(meta, keep_audio=False, audio_format="pcm_16000",
                            live_export=LiveExportTarget(path, "srt"))
    session.add_segment(seg); session.enrich(seg); session.add_audio(pcm)
    history_id = await session.finish(SessionStatus.COMPLETED, duration_s=12.3)

Every write runs on ONE background thread, in the order it was asked for: a committed
segment costs an fsync (`SessionRecorder.add_segment` is durable when it returns), which must
never stall the audio or the UI on the loop. The calls above only queue work and never raise:
a failing store or export file becomes one warning (`on_warning`, called on the loop) and
the rest of that session's writes to it are skipped; the dictation itself goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.transcript import Segment, SegmentAdded, SegmentEnriched, TranscriptChange
from ..export.live import LiveExporter
from ..export.model import ExportSegment, SessionMeta, SessionStatus
from ..history import HistoryStore, SessionRecorder

log = logging.getLogger(__name__)

HISTORY_FAILED = "The session history could not be saved ({error}); dictation goes on, " \
                 "but this session may be missing from History."
EXPORT_FAILED = "Live export to {path} failed ({error}); dictation goes on without it."


@dataclass(frozen=True, slots=True)
class LiveExportTarget:
    """Where a session's committed text is appended as it arrives (`live_export.py`)."""

    path: str
    format: str = "txt"  # "txt" | "srt"


class SessionJournal:
    """Owns the writer thread; one per process (the worker's, or a CLI command's)."""

    def __init__(self, store: HistoryStore | None, *,
                 on_warning: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.on_warning = on_warning
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._warned: set[str] = set()  # one warning per kind and target per run
        self._closed = False

    def begin(self, meta: SessionMeta, *, keep_audio: bool = False,
              audio_format: str | None = None,
              live_export: LiveExportTarget | None = None,
              history: bool = True) -> JournalSession:
        """Start recording a session (call on the loop). `history=False`: nothing of it
        goes into the store (private mode)."""
        with contextlib.suppress(RuntimeError):  # no loop: warnings are called directly
            self._loop = asyncio.get_running_loop()
        session = JournalSession(self)
        if self.store is not None and history:
            store = self.store
            self._submit(session, "history", store.path,
                         lambda: session._begin_history(store, meta, keep_audio, audio_format))
        if live_export is not None and live_export.path.strip():
            target = live_export
            session._export_path = target.path
            self._submit(session, "export", target.path,
                         lambda: session._open_export(target))
        return session

    async def drain(self) -> None:
        """Wait until every write asked for so far is done."""
        if not self._closed:
            await asyncio.wrap_future(self._executor.submit(lambda: None))

    def close(self) -> None:
        """Finish the queued writes, then stop the thread (blocks; at shutdown)."""
        if not self._closed:
            self._closed = True
            self._executor.shutdown(wait=True)

    # -- internals (the writer thread) -------------------------------------------------------

    def _submit(self, session: JournalSession, kind: str, target: object,
                work: Callable[[], Any]) -> Future[Any] | None:
        if self._closed:
            return None
        return self._executor.submit(session._guarded, kind, target, work)

    def _warn(self, kind: str, target: object, exc: BaseException) -> None:
        log.warning("journal: %s write to %s failed: %s", kind, target, exc, exc_info=exc)
        key = f"{kind}:{target}"
        if key in self._warned:
            return
        self._warned.add(key)
        template = HISTORY_FAILED if kind == "history" else EXPORT_FAILED
        message = template.format(path=target, error=_short(exc))
        if self.on_warning is None:
            return
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.on_warning, message)
        else:
            self.on_warning(message)


class JournalSession:
    """One session being recorded; its methods queue work and return at once."""

    def __init__(self, journal: SessionJournal) -> None:
        self._journal = journal
        self._broken: set[str] = set()  # "history" / "export": failed, skipped from then on
        self._recorder: SessionRecorder | None = None
        self._exporter: LiveExporter | None = None
        self._export_path = ""
        self.finished = False

    @property
    def history_id(self) -> int | None:
        """The session's id in the store once begun there (None without history)."""
        return self._recorder.id if self._recorder is not None else None

    def add_segment(self, segment: Segment | ExportSegment) -> None:
        """A committed segment: into the store (durable once written) and the export file."""
        if self.finished:
            return
        j = self._journal
        if j.store is not None:
            j._submit(self, "history", j.store.path, lambda: self._with_recorder(
                lambda r: r.add_segment(segment)))
        if self._export_path:
            j._submit(self, "export", self._export_path, lambda: self._export(segment))

    def enrich(self, segment: Segment | ExportSegment) -> None:
        """Words and language for a stored segment (rule C4)."""
        if self.finished or self._journal.store is None:
            return
        self._journal._submit(self, "history", self._journal.store.path,
                              lambda: self._with_recorder(lambda r: r.enrich(segment)))

    def record_change(self, change: TranscriptChange) -> None:
        """A `Transcript` change as it happens: a committed segment is added, timestamps
        enrich it, a partial is not recorded (a `file_transcription.ChangeCallback`)."""
        if isinstance(change, SegmentAdded):
            self.add_segment(change.segment)
        elif isinstance(change, SegmentEnriched):
            self.enrich(change.segment)

    def add_audio(self, pcm: bytes) -> None:
        """Raw audio, kept only if the session was begun with `keep_audio`."""
        if self.finished or self._journal.store is None:
            return
        self._journal._submit(self, "history", self._journal.store.path,
                              lambda: self._with_recorder(lambda r: r.add_audio(pcm)))

    def finish(self, status: SessionStatus, *,
               duration_s: float | None = None) -> asyncio.Future[int | None]:
        """End the session; the future gives its history id once it is written (None without
        history or after a failure). Idempotent: later calls return an already-done future."""
        loop = asyncio.get_running_loop()
        if self.finished:
            done: asyncio.Future[int | None] = loop.create_future()
            done.set_result(self.history_id)
            return done
        self.finished = True
        j = self._journal

        def end() -> int | None:
            if self._exporter is not None:
                exporter, self._exporter = self._exporter, None
                self._guarded("export", self._export_path, exporter.close)
            if self._recorder is None or "history" in self._broken:
                return None
            recorder = self._recorder
            self._guarded("history", j.store.path if j.store else "",
                          lambda: recorder.finish(status, duration_s=duration_s))
            return None if "history" in self._broken else recorder.id
        future = j._submit(self, "end", "", end)
        if future is None:  # the journal is closed
            done = loop.create_future()
            done.set_result(None)
            return done
        return asyncio.wrap_future(future, loop=loop)

    # -- on the writer thread ------------------------------------------------------------------

    def _guarded(self, kind: str, target: object, work: Callable[[], Any]) -> Any:
        """Run `work` unless `kind` already failed; a failure is warned about once."""
        if kind in self._broken:
            return None
        try:
            return work()
        except Exception as exc:  # never let the record break the dictation
            self._broken.add(kind)
            self._journal._warn(kind, target, exc)
            return None

    def _begin_history(self, store: HistoryStore, meta: SessionMeta, keep_audio: bool,
                       audio_format: str | None) -> None:
        self._recorder = store.begin_session(meta, keep_audio=keep_audio,
                                             audio_format=audio_format)

    def _with_recorder(self, work: Callable[[SessionRecorder], object]) -> None:
        if self._recorder is not None and not self._recorder.finished:
            work(self._recorder)

    def _open_export(self, target: LiveExportTarget) -> None:
        self._exporter = LiveExporter.open(Path(target.path).expanduser(), target.format)

    def _export(self, segment: Segment | ExportSegment) -> None:
        if self._exporter is not None:
            self._exporter.add_segment(segment)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
