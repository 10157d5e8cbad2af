"""`DictationWorker`: the one place where client, capture and session events become Qt
signals (QtCore only).

Every trigger — the Start/Stop button, the tray, a `--toggle` remote command, the hotkey —
calls a slot here, and every slot goes through `session.dictation.Dictation` (the one
lifecycle table); a trigger the table ignores does nothing. Slots return the `asyncio.Task`
doing the work (or None when nothing happens), so `await worker.stop()` works in tests and
in the app. The worker itself holds what is Qt: the signals, the settings, and the parts it
wires together (the backend, the microphone, file jobs, the history journal).

Threads: all of this runs on the one asyncio loop on the Qt main thread (qasync). Signals are
emitted on that thread, so connected widgets are called directly. Failures of background
tasks end in `reporter` (the error funnel) and never kill the app.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from ...connect import ApiKeys, BackendStatus, Capabilities, SecretsUnavailableError
from ...core.backend_kind import BackendKind
from ...core.lifecycle import DictationState, Trigger
from ...core.owned_tasks import OwnedTasks
from ...core.transcript import (
    PartialChanged,
    SegmentAdded,
    SegmentEnriched,
    Transcript,
    TranscriptChange,
)
from ...export.model import SessionSource, SessionStatus
from ...session.dictation import (
    DEFAULT_COMMIT_TIMEOUT_S,
    Dictation,
    DictationEvents,
    DictationPlan,
)
from ...session.journal import JournalSession, SessionJournal
from ...session.user_errors import UserError, user_error_for
from ..settings import AppliesTo, Settings, changed_parts
from .backends import BackendFactory, BackendSlot, backend_factory_for
from .devices import (
    CaptureSinks,
    MicrophoneFactory,
    MicrophoneLike,
    Microphones,
    default_microphone_factory,
)
from .file_job import FileJob
from .mic_test import MicTests
from .record import begin_record, end_record
from .status import WorkerStatus, worker_status

if TYPE_CHECKING:
    from ...connect import Backend
    from ...history import HistoryStore
    from ...session.file_transcription import StreamPolicy

__all__ = [
    "DEFAULT_COMMIT_TIMEOUT_S", "BackendFactory", "DictationWorker", "MicrophoneFactory",
    "MicrophoneLike", "WorkerStatus", "backend_factory_for", "default_microphone_factory",
]

log = logging.getLogger(__name__)


class DictationWorker(QObject):
    """See the module docstring; `api.WorkerApi` is what widgets may use of it."""

    state_changed = Signal(object)  # DictationState
    partial_changed = Signal(str)
    segment_committed = Signal(object)  # core.transcript.Segment
    segment_enriched = Signal(object)  # Segment (words/language added)
    level_changed = Signal(float, float)  # rms_dbfs, peak_dbfs
    device_warning = Signal(str)
    devices_changed = Signal(list)  # list[str] of input device names
    error = Signal(object)  # session.user_errors.UserError
    status_changed = Signal(object)  # WorkerStatus
    file_job_started = Signal(object)  # FileJob: connect to its own signals
    settings_changed = Signal(object)  # Settings, after apply_settings/select_device
    connection_tested = Signal(object)  # UserError | None, answer to test_connection
    session_recorded = Signal(int)  # history id of a session that just ended
    notice = Signal(str)  # a one-time warning that needs no dialog (history write failed)
    mic_test_recorded = Signal(object)  # mic_test.MicTest | UserError
    mic_test_played = Signal(object)  # None | UserError

    def __init__(self, settings: Settings, *, backend_factory: BackendFactory,
                 microphone_factory: MicrophoneFactory = default_microphone_factory,
                 api_keys: ApiKeys | None = None,
                 reporter: Callable[[BaseException], Any] | None = None,
                 commit_timeout_s: float = DEFAULT_COMMIT_TIMEOUT_S,
                 reconnect_delays_s: Sequence[float] | None = None,
                 clock: Callable[[], float] = time.perf_counter,
                 history: HistoryStore | None = None,
                 parent: QObject | None = None) -> None:
        """`history`: where sessions are recorded as they happen (None: nowhere)."""
        super().__init__(parent)
        self.settings = settings
        self.api_keys = api_keys or ApiKeys()
        self._reporter = reporter
        self.transcript = Transcript()
        self._tasks = OwnedTasks(self._task_failed, "worker task")
        self._backends = BackendSlot(backend_factory, self.api_keys, settings,
                                     self._on_backend_status, self._tasks)
        self._mics = Microphones(microphone_factory, settings, CaptureSinks(
            level=self.level_changed.emit,
            lost=lambda exc: self.error.emit(user_error_for(exc)),
            warning=self.device_warning.emit, devices_changed=self.refresh_devices,
            active=lambda: self.state.active))
        self.journal = SessionJournal(history, on_warning=self.notice.emit)
        events = DictationEvents(
            state_changed=self._dictation_state_changed,
            transcript_changed=self._transcript_changed,
            failed=lambda exc: self.error.emit(user_error_for(exc)),
            status_changed=self._emit_status, ended=self._dictation_ended)
        self.dictation = Dictation(
            events, self.transcript, backend=lambda: self.backend,
            microphone=lambda: self.microphone, open_microphone=self.open_microphone,
            plan=self._plan, tasks=self._tasks, clock=clock,
            commit_timeout_s=commit_timeout_s, reconnect_delays_s=reconnect_delays_s)
        self._file_job: FileJob | None = None
        self.file_policy: StreamPolicy | None = None  # how files are streamed (None: default)
        self._mic_tests = MicTests(lambda: self.microphone, lambda: self.state.active,
                                   recorded=self.mic_test_recorded.emit,
                                   played=self.mic_test_played.emit)

    # -- properties ----------------------------------------------------------------------------

    @property
    def state(self) -> DictationState:
        return self.dictation.state

    @property
    def commit_timeout_s(self) -> float:
        return self.dictation.commit_timeout_s

    @property
    def backend(self) -> Backend:
        return self._backends.current

    @property
    def status(self) -> WorkerStatus:
        return worker_status(self.dictation.timer, self.backend.label, self.backend.status,
                             self.state)

    @property
    def microphone(self) -> MicrophoneLike:
        return self._mics.current

    def capabilities_for(self, kind: BackendKind) -> Capabilities:
        """What the backend of `kind` does with the settings (see `BackendSlot`)."""
        return self._backends.capabilities_for(kind)

    # -- slots: dictation ------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None] | None:
        return self.dictation.fire(Trigger.START)

    def start_push_to_talk(self) -> asyncio.Task[None] | None:
        """`start()` for the global hotkey: the history records it as push-to-talk."""
        return self.dictation.fire(Trigger.START, SessionSource.PUSH_TO_TALK)

    def prebuffer(self) -> bool:
        """A hotkey press while the last dictation still commits: capture for the next one
        from now on (see `Dictation.prebuffer`)."""
        return self.dictation.prebuffer()

    def discard_prebuffer(self) -> None:
        self.dictation.discard_prebuffer()

    def stop(self) -> asyncio.Task[None] | None:
        return self.dictation.fire(Trigger.STOP)

    def toggle(self) -> asyncio.Task[None] | None:
        return self.dictation.fire(Trigger.TOGGLE)

    def cancel(self) -> asyncio.Task[None] | None:
        return self.dictation.fire(Trigger.CANCEL)

    def reset(self) -> asyncio.Task[None] | None:
        return self.dictation.fire(Trigger.RESET)

    def commit_now(self) -> asyncio.Task[bool] | None:
        """Commit the current segment now (manual strategy); ignored unless listening."""
        return self.dictation.commit_now()

    def clear(self) -> None:
        """Forget the transcript (the views clear themselves); timings that arrive later for
        a cleared segment are ignored."""
        self.transcript.clear()
        self.dictation.document.clear()
        self.partial_changed.emit("")

    # -- slots: devices, settings, keys ------------------------------------------------------

    def open_microphone(self) -> asyncio.Task[None]:
        """Open the microphone now (the app does it at launch so the pre-roll fills)."""
        return self._tasks.spawn(self._open_microphone())

    def refresh_devices(self) -> list[str]:
        """Emit the input devices as last enumerated (no rescan), by the desktop's names."""
        names = [d.name for d in self.microphone.list_devices()]
        self.devices_changed.emit(names)
        return names

    def watch_levels(self, watcher: str, on: bool, *, idle: bool = False) -> None:
        """`level_changed` is emitted only while a `watcher` shows it (the main window while
        visible), during a dictation; with `idle`, also between dictations (a microphone
        test's meter), which keeps the microphone measuring. Levels nobody sees cost CPU."""
        self._mics.watch_levels(watcher, on, idle=idle)

    def default_device(self) -> str | None:
        """The name of the system's default input, as last enumerated."""
        return next((d.name for d in self.microphone.list_devices() if d.is_default), None)

    def rescan_devices(self) -> asyncio.Task[None]:
        """Re-enumerate the inputs now (a microphone plugged in since), then emit them.
        PortAudio can only rescan with no stream open, so this is skipped during a
        dictation (the capture layer rescans by itself while idle)."""
        return self._tasks.spawn(self._rescan_devices())

    def select_device(self, name: str | None) -> asyncio.Task[None]:
        """Capture from `name` (None: the system default); remembered in the settings."""
        return self.apply_settings(dataclasses.replace(self.settings, device_name=name or None))

    def apply_settings(self, settings: Settings) -> asyncio.Task[None]:
        """Use `settings` from now on: a new backend if it changed, the microphone reopened
        if its settings changed (after the running dictation). Session options apply to the
        next dictation. Emits `settings_changed` (the app persists it)."""
        old, self.settings = self.settings, settings.validate()
        self.settings_changed.emit(self.settings)
        return self._tasks.spawn(self._apply(old, self.settings))

    def set_api_key(self, key: str, remember: bool = True) -> asyncio.Task[bool]:
        """Store the ElevenLabs key in the OS keyring; with no keyring it is kept for this
        run only and a NO_KEYRING error explains it. The task's result: saved to keyring."""
        return self._tasks.spawn(self._set_api_key(key, remember))

    def test_connection(self, settings: Settings | None = None,
                        api_key: str | None = None) -> asyncio.Task[UserError | None]:
        """"Test connection" for `settings` (default: the current ones) and, for ElevenLabs,
        `api_key` if given (else the stored one). Emits `connection_tested`."""
        return self._tasks.spawn(self._test_connection(settings or self.settings, api_key))

    def reload_backend(self) -> asyncio.Task[None]:
        """Make the backend anew with the current settings (e.g. the local server after a
        model was installed); a running dictation keeps the old one until it ends."""
        return self._tasks.spawn(self._reload_backend())

    async def _reload_backend(self) -> None:
        await self._backends.replace(self.settings, running=self.dictation.running)
        self._emit_status()

    def report_error(self, error: UserError) -> None:
        """Show `error` (used by the app's error funnel)."""
        self.error.emit(error)

    # -- slots: files -------------------------------------------------------------------------

    def transcribe_file(self, path: str) -> FileJob:
        """Transcribe an audio file over its own session as a `FileJob` (announced by
        `file_job_started`; await it for its segments). The file is a session of its own
        with its own times: its segments never join the dictation's transcript (the window
        shows them in a tab of their own). A failure is also shown through `error`.
        One file at a time: a new call cancels the old."""
        self.cancel_file()
        job = FileJob(path, self.backend, self.settings, self.journal, policy=self.file_policy,
                      parent=self)
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

    # -- slots: the welcome's microphone test -----------------------------------------------

    def record_mic_test(self, seconds: float = 3.0) -> asyncio.Task[None]:
        """Record `seconds` from the microphone (not while dictating); emits
        `mic_test_recorded` with the `MicTest` or the error."""
        return self._tasks.spawn(self._mic_tests.record(seconds))

    def play_mic_test(self) -> asyncio.Task[None]:
        """Play the last test recording; emits `mic_test_played` (None, or the error)."""
        return self._tasks.spawn(self._mic_tests.play())

    # -- shutdown ------------------------------------------------------------------------------

    def shutdown(self) -> asyncio.Task[None]:
        """Abandon any dictation and file, close the microphone and stop the backend (the
        local server child). Idempotent; await the returned task."""
        return self._tasks.spawn(self._shutdown())

    async def _shutdown(self) -> None:
        if self.dictation.closed:
            return
        self.cancel_file()
        await self.dictation.close()
        await self.microphone.close()
        await self.backend.aclose()
        await asyncio.to_thread(self.journal.close)  # the last writes reach the disk
        await self._tasks.cancel_all()

    # -- what the dictation needs and reports ------------------------------------------------

    def _plan(self, source: SessionSource) -> DictationPlan:
        options = self.settings.session_options()
        self.backend.capabilities.check(options)  # UnsupportedLanguageError before connecting
        record = begin_record(self.journal, self.settings, options, source)
        keep_audio = self.settings.keep_session_audio and self.settings.keeps_history
        return DictationPlan(options, record, keep_audio=keep_audio,
                             shaping=self.settings.shaping_rules(source))

    def _dictation_state_changed(self, state: DictationState) -> None:
        if state == DictationState.CONNECTING:
            self._mics.loss_reported = False  # a new dictation may report a lost mic again
        self.state_changed.emit(state)

    def _transcript_changed(self, change: TranscriptChange) -> None:
        if isinstance(change, PartialChanged):
            self.partial_changed.emit(change.text)
        elif isinstance(change, SegmentAdded):
            self.segment_committed.emit(change.segment)
        elif isinstance(change, SegmentEnriched):
            self.segment_enriched.emit(change.segment)

    def _dictation_ended(self, status: SessionStatus, record: JournalSession,
                         duration_s: float | None) -> None:
        end_record(record, status, duration_s, self.session_recorded.emit)
        if self._mics.replace_pending:  # microphone settings that waited for it
            self._mics.replace_pending = False
            self._tasks.spawn(self._replace_microphone(self.settings))


    def _task_failed(self, exc: BaseException) -> None:
        if self._reporter is not None:
            self._reporter(exc)
        else:
            log.error("worker task failed", exc_info=exc)
            self.error.emit(user_error_for(exc))

    def _emit_status(self) -> None:
        self.status_changed.emit(self.status)

    def _on_backend_status(self, status: BackendStatus, detail: str) -> None:
        log.info("backend %s: %s %s", self.backend.label, status, detail)
        self._emit_status()

    async def _open_microphone(self) -> None:
        await self.microphone.open()
        self.refresh_devices()

    async def _rescan_devices(self) -> None:
        if not self.state.active:
            await self.microphone.refresh_devices()
        self.refresh_devices()

    async def _replace_microphone(self, settings: Settings) -> None:
        await self._mics.replace(settings)
        await self._open_microphone()

    async def _apply(self, old: Settings, new: Settings) -> None:
        parts = changed_parts(old, new)
        if AppliesTo.BACKEND in parts:
            await self._backends.replace(new, running=self.dictation.running)
            self._emit_status()
        if AppliesTo.MICROPHONE in parts:
            if self.state.active:
                self._mics.replace_pending = True
            else:
                await self._replace_microphone(new)

    async def _set_api_key(self, key: str, remember: bool) -> bool:
        saved = await self.api_keys.set(key, remember=remember)
        if remember and not saved:
            self.error.emit(user_error_for(SecretsUnavailableError()))
        return saved

    async def _test_connection(self, settings: Settings,
                               api_key: str | None) -> UserError | None:
        result = await self._backends.test(settings, api_key, current_settings=self.settings)
        self.connection_tested.emit(result)
        return result

    def _file_ended(self, job: FileJob) -> None:
        if self._file_job is job:
            self._file_job = None
        job.deleteLater()
