"""`DictationWorker`: the ONLY place where client and capture events become Qt signals
(layer 2: QtCore only). Agreed interface 3 of docs/HELPERS-CONTEXT.md.

Every trigger — the Start/Stop button, the tray, a `--toggle` remote command, later the
hotkey — calls a slot here, and every slot goes through the one `dictation.Lifecycle` table;
a trigger the table ignores does nothing. Slots return the `asyncio.Task` doing the work (or
None when nothing happens), so `await worker.stop()` works in tests and `app.py`.

Threads: all of this runs on the one asyncio loop on the Qt main thread (qasync). Signals are
emitted on that thread, so connected widgets are called directly. Failures of background
tasks end in `reporter` (the error funnel) and never kill the app.

Qt-free helpers hold the rest (the signals stay here): worker_status.py (WorkerStatus, the
session timer), worker_devices.py (the microphone seam and its replacement),
worker_backends.py (backend factories, "Test connection"), worker_record.py (the history
hooks), worker_listener.py (LiveSession callbacks -> triggers), worker_files.py (file jobs).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from ...audio.capture_events import (
    CaptureEvent,
    CaptureWarning,
    DeviceOpened,
    DeviceRestored,
    LevelMeasured,
    MicrophoneLostError,
    WarningKind,
)
from ...client import ScribeError
from ...connect import ApiKeys, Backend, BackendStatus, LocalBackend
from ...core.lifecycle import DictationState, Lifecycle, Trigger
from ...core.owned_tasks import OwnedTasks
from ...core.transcript import (
    PartialChanged,
    Segment,
    SegmentAdded,
    SegmentEnriched,
    Transcript,
    TranscriptChange,
    feed,
)
from ...export.model import SessionSource, SessionStatus
from ...protocol.options import SessionOptions
from ...session.journal import JournalSession, SessionJournal
from ...session.live import (
    Connected,
    ConnectionLost,
    LiveEvent,
    LiveSession,
    Received,
    Reconnected,
)
from ...session.user_errors import UserError, user_error_for
from ..settings import AppliesTo, Settings, changed_parts
from .backends import (
    BackendFactory,
    backend_factory_for,
    test_connection,
)
from .devices import (
    MicrophoneFactory,
    MicrophoneLike,
    Microphones,
    default_microphone_factory,
)
from .file_job import FileJob
from .record import begin_record, end_record
from .status import STATUS_TICK_S, SessionTimer, WorkerStatus

if TYPE_CHECKING:
    from ...history import HistoryStore
    from ...session.file_transcription import StreamPolicy
    from .api import WorkerApi

__all__ = [
    "DEFAULT_COMMIT_TIMEOUT_S", "STATUS_TICK_S", "BackendFactory", "DictationWorker",
    "MicrophoneFactory", "MicrophoneLike", "WorkerStatus", "backend_factory_for",
    "default_microphone_factory",
]

log = logging.getLogger(__name__)

DEFAULT_COMMIT_TIMEOUT_S = 10.0


class DictationWorker(QObject):
    """See module doc and docs/HELPERS-CONTEXT.md §3 for the signal/slot contract."""

    state_changed = Signal(object)  # DictationState
    partial_changed = Signal(str)
    segment_committed = Signal(object)  # transcript.Segment
    segment_enriched = Signal(object)  # transcript.Segment (words/language added)
    level_changed = Signal(float, float)  # rms_dbfs, peak_dbfs
    device_warning = Signal(str)
    devices_changed = Signal(list)  # list[str] of input device names
    error = Signal(object)  # user_errors.UserError
    status_changed = Signal(object)  # WorkerStatus
    file_job_started = Signal(object)  # FileJob: connect to its own signals
    settings_changed = Signal(object)  # Settings, after apply_settings/select_device
    connection_tested = Signal(object)  # UserError | None, answer to test_connection
    session_recorded = Signal(int)  # history id of a session that just ended (issue 6)
    notice = Signal(str)  # a one-time warning that needs no dialog (history write failed)

    def __init__(self, settings: Settings, *, backend_factory: BackendFactory,
                 microphone_factory: MicrophoneFactory = default_microphone_factory,
                 api_keys: ApiKeys | None = None,
                 reporter: Callable[[BaseException], Any] | None = None,
                 commit_timeout_s: float = DEFAULT_COMMIT_TIMEOUT_S,
                 reconnect_delays_s: tuple[float, ...] | None = None,
                 clock: Callable[[], float] = time.perf_counter,
                 history: HistoryStore | None = None,
                 parent: QObject | None = None) -> None:
        """`history`: where sessions are recorded as they happen (None: nowhere)."""
        super().__init__(parent)
        self.settings = settings
        self._backend_factory = backend_factory
        self.api_keys = api_keys or ApiKeys()
        self._reporter = reporter
        self.commit_timeout_s = commit_timeout_s
        self._reconnect_delays_s = reconnect_delays_s
        self._clock = clock
        self.lifecycle = Lifecycle()
        self.transcript = Transcript()
        self.backend: Backend = self._make_backend(settings)
        self._mics = Microphones(microphone_factory, settings, self._on_capture)
        self.live: LiveSession | None = None
        self._timer = SessionTimer(clock, self._on_tick)
        self._tasks = OwnedTasks(self._task_failed, "worker task")
        self._run_task: asyncio.Task[None] | None = None
        self._file_job: FileJob | None = None
        self.file_policy: StreamPolicy | None = None  # how files are streamed (None: default)
        self._shut_down = False
        self.journal = SessionJournal(history, on_warning=self.notice.emit)
        self._record: JournalSession | None = None  # the running dictation's record
        self._next_source = SessionSource.DICTATION

    # -- properties ----------------------------------------------------------------------------

    @property
    def state(self) -> DictationState:
        return self.lifecycle.state

    @property
    def status(self) -> WorkerStatus:
        return self._timer.status(self.backend.label, self.backend.status, self.state)

    @property
    def microphone(self) -> MicrophoneLike:
        return self._mics.current

    # -- slots: dictation ------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None] | None:
        return self._trigger(Trigger.START)

    def start_push_to_talk(self) -> asyncio.Task[None] | None:
        """`start()` for the global hotkey: the history records it as push-to-talk."""
        self._next_source = SessionSource.PUSH_TO_TALK
        try:
            return self.start()
        finally:
            self._next_source = SessionSource.DICTATION

    def stop(self) -> asyncio.Task[None] | None:
        return self._trigger(Trigger.STOP)

    def toggle(self) -> asyncio.Task[None] | None:
        return self._trigger(Trigger.TOGGLE)

    def cancel(self) -> asyncio.Task[None] | None:
        return self._trigger(Trigger.CANCEL)

    def reset(self) -> asyncio.Task[None] | None:
        return self._trigger(Trigger.RESET)

    def commit_now(self) -> asyncio.Task[bool] | None:
        """Commit the current segment now (manual strategy); ignored unless listening."""
        if self.state != DictationState.LISTENING or self.live is None:
            return None
        return self._spawn(self.live.commit_now())

    def clear(self) -> None:
        """Forget the transcript (the views clear themselves); timings that arrive later for
        a cleared segment are ignored."""
        self.transcript.clear()
        self.partial_changed.emit("")

    # -- slots: devices, settings, keys ------------------------------------------------------

    def open_microphone(self) -> asyncio.Task[None]:
        """Open the microphone now (the app does it at launch so the pre-roll fills)."""
        return self._spawn(self._open_microphone())

    def refresh_devices(self) -> list[str]:
        """Emit the input devices as last enumerated (no rescan)."""
        names = [d.name for d in self.microphone.list_devices()]
        self.devices_changed.emit(names)
        return names

    def rescan_devices(self) -> asyncio.Task[None]:
        """Re-enumerate the inputs now (a microphone plugged in since), then emit them.
        PortAudio can only rescan with no stream open, so this is skipped during a
        dictation (the capture layer rescans by itself while idle)."""
        return self._spawn(self._rescan_devices())

    async def _rescan_devices(self) -> None:
        if not self.state.active:
            await self.microphone.refresh_devices()
        self.refresh_devices()

    def select_device(self, name: str | None) -> asyncio.Task[None]:
        """Capture from `name` (None: the system default); remembered in the settings."""
        return self.apply_settings(dataclasses.replace(self.settings, device_name=name or None))

    def apply_settings(self, settings: Settings) -> asyncio.Task[None]:
        """Use `settings` from now on: a new backend if it changed, the microphone reopened
        if its settings changed (after the running dictation). Session options apply to the
        next dictation. Emits `settings_changed` (the app persists it)."""
        old, self.settings = self.settings, settings.validate()
        self.settings_changed.emit(self.settings)
        return self._spawn(self._apply(old, self.settings))

    def set_api_key(self, key: str, remember: bool = True) -> asyncio.Task[bool]:
        """Store the ElevenLabs key in the OS keyring; with no keyring it is kept for this
        run only and a NO_KEYRING error explains it. The task's result: saved to keyring."""
        return self._spawn(self._set_api_key(key, remember))

    def test_connection(self, settings: Settings | None = None,
                        api_key: str | None = None) -> asyncio.Task[UserError | None]:
        """"Test connection" for `settings` (default: the current ones) and, for ElevenLabs,
        `api_key` if given (else the stored one). Emits `connection_tested`."""
        return self._spawn(self._test_connection(settings or self.settings, api_key))

    def report_error(self, error: UserError) -> None:
        """Show `error` (used by the app's error funnel)."""
        self.error.emit(error)

    # -- slots: files -------------------------------------------------------------------------

    def transcribe_file(self, path: str) -> FileJob:
        """Transcribe an audio file over its own session as a `FileJob` (announced by
        `file_job_started`; await it for its segments). Its segments are also appended to
        the transcript as `segment_committed`; a failure is also shown through `error`.
        One file at a time: a new call cancels the old."""
        self.cancel_file()
        job = FileJob(path, self.backend, self.settings, self.journal, policy=self.file_policy,
                      parent=self)
        job.finished.connect(self._file_finished)
        job.failed.connect(self.error.emit)
        job.recorded.connect(self.session_recorded.emit)
        job.ended.connect(lambda: self._file_ended(job))
        self._file_job = job
        self.file_job_started.emit(job)
        job.start()
        return job

    def cancel_file(self) -> None:
        if self._file_job is not None:
            self._file_job.cancel()

    # -- shutdown ------------------------------------------------------------------------------

    def shutdown(self) -> asyncio.Task[None]:
        """Abandon any dictation and file, close the microphone and stop the backend (the
        local server child). Idempotent; await the returned task."""
        return self._spawn(self._shutdown())

    # -- the state machine -----------------------------------------------------------------

    def _fire(self, trigger: Trigger) -> bool:
        old = self.state
        new = self.lifecycle.fire(trigger)
        if new is None:
            log.debug("trigger %s ignored in state %s", trigger, old)
            return False
        if new != old:
            log.info("dictation: %s --%s--> %s", old, trigger, new)
            self.state_changed.emit(new)
            self._emit_status()
        return True

    def _trigger(self, trigger: Trigger) -> asyncio.Task[None] | None:
        """A user trigger: fire it, then perform what the transition means."""
        if self._shut_down:
            return None
        old = self.state
        if not self._fire(trigger):
            return None
        new = self.state
        if new == DictationState.CONNECTING:
            return self._spawn(self._begin(self._next_source))
        if new == DictationState.COMMITTING:
            return self._spawn(self._finish())
        if new == DictationState.IDLE and old.active:
            return self._spawn(self._abort())
        return None

    async def _begin(self, source_kind: SessionSource) -> None:
        self._timer.begin()
        self._mics.loss_reported = False
        source = self.microphone.start(preroll=True)  # buffers while we connect
        if not self.microphone.is_open:
            self._spawn(self._open_microphone())
        kwargs: dict[str, Any] = {"clock": self._clock}
        if self._reconnect_delays_s is not None:
            kwargs["reconnect_delays_s"] = self._reconnect_delays_s
        try:
            options = self.settings.session_options()
        except Exception as exc:
            source.stop()
            self._failed(exc)
            return
        self._record = self._begin_record(options, source_kind)
        keep_audio = self._record.add_audio if self.settings.keep_session_audio else None
        live = LiveSession(source, self.backend, options, self._on_live_event,
                           on_audio=keep_audio, **kwargs)
        self.live = live
        self._timer.schedule_tick()
        self._run_task = self._spawn(self._run(live))

    async def _run(self, live: LiveSession) -> None:
        try:
            await live.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if self.live is live:
                self._failed(exc)
            return
        if self.live is live and self.state in (DictationState.LISTENING,
                                                DictationState.CONNECTING):
            # run() ended without finish()/abort(): the session is gone
            self._failed(ScribeError("the session ended unexpectedly"))

    async def _finish(self) -> None:
        live = self.live
        if live is None:
            self._fire(Trigger.COMMITTED)
            return
        try:
            await live.finish(self.commit_timeout_s)
        except ScribeError:
            pass  # run() reports it
        except Exception as exc:  # CommitTimeoutError
            self.error.emit(user_error_for(exc))
        if self.live is live and self.state == DictationState.COMMITTING:
            self._end_previous(SessionStatus.COMPLETED)
            self._fire(Trigger.COMMITTED)

    async def _abort(self) -> None:
        live, self.live = self.live, None
        run, self._run_task = self._run_task, None
        self._timer.stop_tick()
        if live is not None:
            await live.abort()
        if run is not None and not run.done():
            run.cancel()  # e.g. still reconnecting: no new session may open after this
            await asyncio.wait({run}, timeout=5)
        self._end_previous(SessionStatus.CANCELLED)

    def _failed(self, exc: BaseException) -> None:
        log.warning("dictation failed: %s", exc, exc_info=exc)
        live = self.live
        self._end_previous(SessionStatus.FAILED)
        if live is not None:
            self._spawn(live.abort())
        self.error.emit(user_error_for(exc))
        self._fire(Trigger.FAILED)

    def _end_previous(self, status: SessionStatus) -> None:
        """Forget the finished dictation (its record ends with `status`); apply microphone
        settings that waited for it."""
        self._timer.stop_tick()
        record, self._record = self._record, None
        if record is not None:
            self._end_record(record, status, self._timer.elapsed_s())
        self._timer.started_at = None
        self.live = None
        if self._mics.replace_pending:
            self._mics.replace_pending = False
            self._spawn(self._replace_microphone(self.settings))

    # -- session events -------------------------------------------------------------------------

    def _on_live_event(self, event: LiveEvent) -> None:
        """What the running `LiveSession` reports: lifecycle triggers and transcript events."""
        if isinstance(event, Received):
            self._on_received(event)
        elif isinstance(event, Connected):
            self._fire(Trigger.CONNECTED)
        elif isinstance(event, ConnectionLost):
            log.info("connection lost: %s", event.error)
            if self.state != DictationState.COMMITTING:
                # while finishing, the replay happens silently; the commit timeout bounds it
                self._fire(Trigger.CONNECTION_LOST)
        elif isinstance(event, Reconnected):
            self._fire(Trigger.RECONNECTED)

    def _on_received(self, received: Received) -> None:
        if received.latency_s is not None:
            self._timer.latency_ms = received.latency_s * 1000
        feed(self.transcript, received.event, self._on_transcript_change)
        if received.latency_s is not None:
            self._emit_status()

    def _on_transcript_change(self, change: TranscriptChange) -> None:
        if isinstance(change, PartialChanged):
            self.partial_changed.emit(change.text)
        elif isinstance(change, SegmentAdded):
            if self._record is not None:
                self._record.add_segment(change.segment)
            self.segment_committed.emit(change.segment)
        elif isinstance(change, SegmentEnriched):
            if self._record is not None:
                self._record.enrich(change.segment)
            self.segment_enriched.emit(change.segment)

    # -- capture events ------------------------------------------------------------------------

    def _on_capture(self, event: CaptureEvent) -> None:
        if isinstance(event, LevelMeasured):
            self.level_changed.emit(event.rms_dbfs, event.peak_dbfs)
        elif isinstance(event, CaptureWarning):
            lost = event.kind in (WarningKind.DEVICE_LOST, WarningKind.NO_DEVICE)
            if lost and self.state.active and not self._mics.loss_reported:
                self._mics.loss_reported = True
                self.error.emit(user_error_for(MicrophoneLostError(event.device_name,
                                                                   event.message)))
            self.device_warning.emit(event.message)
        elif isinstance(event, DeviceOpened | DeviceRestored):
            if isinstance(event, DeviceRestored):
                self.device_warning.emit(f"Microphone restored: {event.device.name}")
            self.refresh_devices()

    # -- the session record (history + live export, issue 6) -----------------------------

    def _begin_record(self, options: SessionOptions | None, source: SessionSource, *,
                      file: str | None = None) -> JournalSession:
        return begin_record(self.journal, self.settings, options, source, file=file)

    def _end_record(self, record: JournalSession, status: SessionStatus,
                    duration_s: float | None) -> None:
        end_record(record, status, duration_s, self.session_recorded.emit)

    # -- helpers -------------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        return self._tasks.spawn(coro)

    def _task_failed(self, exc: BaseException) -> None:
        if self._reporter is not None:
            self._reporter(exc)
        else:
            log.error("worker task failed", exc_info=exc)
            self.error.emit(user_error_for(exc))

    def _emit_status(self) -> None:
        self.status_changed.emit(self.status)

    def _on_tick(self) -> None:
        if self.state.active:
            self._emit_status()
            self._timer.schedule_tick()

    def _on_backend_status(self, status: BackendStatus, detail: str) -> None:
        log.info("backend %s: %s %s", self.backend.label, status, detail)
        self._emit_status()

    def _make_backend(self, settings: Settings) -> Backend:
        backend = self._backend_factory(settings)
        backend.on_status = self._on_backend_status
        return backend

    async def _open_microphone(self) -> None:
        await self.microphone.open()
        self.refresh_devices()

    async def _replace_microphone(self, settings: Settings) -> None:
        await self._mics.replace(settings)
        await self._open_microphone()

    async def _apply(self, old: Settings, new: Settings) -> None:
        parts = changed_parts(old, new)
        if AppliesTo.BACKEND in parts:
            previous, self.backend = self.backend, self._make_backend(new)
            previous.on_status = None
            if isinstance(self.backend, LocalBackend):
                self.backend.start()
            self._emit_status()
            if self.live is None:
                await previous.aclose()
            else:  # the running dictation keeps its backend until it ends
                self._spawn(self._close_when_idle(previous))
        if AppliesTo.MICROPHONE in parts:
            if self.state.active:
                self._mics.replace_pending = True
            else:
                await self._replace_microphone(new)

    async def _close_when_idle(self, backend: Backend) -> None:
        while self._run_task is not None and not self._run_task.done():
            await asyncio.wait({self._run_task})
        await backend.aclose()

    async def _set_api_key(self, key: str, remember: bool) -> bool:
        from ...connect.keyring_store import SecretsUnavailableError

        saved = await self.api_keys.set(key, remember=remember)
        if remember and not saved:
            self.error.emit(user_error_for(SecretsUnavailableError()))
        return saved

    async def _test_connection(self, settings: Settings,
                               api_key: str | None) -> UserError | None:
        result = await test_connection(settings, api_key, keys=self.api_keys,
                                       current=self.backend, current_settings=self.settings,
                                       factory=self._backend_factory)
        self.connection_tested.emit(result)
        return result

    def _file_finished(self, segments: list[Segment]) -> None:
        for segment in segments:
            segment = dataclasses.replace(segment, index=len(self.transcript.segments))
            self.transcript.segments.append(segment)
            self.segment_committed.emit(segment)

    def _file_ended(self, job: FileJob) -> None:
        if self._file_job is job:
            self._file_job = None
        job.deleteLater()

    async def _shutdown(self) -> None:
        if self._shut_down:
            return
        self._shut_down = True
        self.cancel_file()
        if self.state.active:
            self._fire(Trigger.CANCEL)
        await self._abort()
        await self.microphone.close()
        await self.backend.aclose()
        await asyncio.to_thread(self.journal.close)  # the last writes reach the disk
        await self._tasks.cancel_all()



if TYPE_CHECKING:
    def _implements_the_api(worker: DictationWorker) -> WorkerApi:
        return worker  # mypy checks that the worker offers everything the widgets use
