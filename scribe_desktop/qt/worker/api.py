"""What the widgets and push-to-talk may use of the dictation worker: its public surface as
Protocols. `DictationWorker` implements them (checked by mypy at the bottom of worker.py);
test fakes implement them too, so no caller needs to probe for attributes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import SignalInstance

from ...connect import ApiKeys, Capabilities
from ...core.backend_kind import BackendKind
from ...core.lifecycle import DictationState
from ..settings import Settings

if TYPE_CHECKING:
    from ...core.transcript import Segment
    from ...session.journal import SessionJournal


class FileJobApi(Protocol):
    """A running file transcription (`file_job.FileJob`): its signals, cancel, and await."""

    @property
    def progress(self) -> SignalInstance: ...  # transcribed_s, total_s
    @property
    def segment_added(self) -> SignalInstance: ...  # Segment (the file's own times)
    @property
    def finished(self) -> SignalInstance: ...  # list[Segment]
    @property
    def failed(self) -> SignalInstance: ...  # UserError

    def cancel(self) -> None: ...

    def __await__(self) -> Generator[Any, None, list[Segment]]: ...


class DictationControls(Protocol):
    """Starting and stopping a dictation, and what a hotkey needs to follow it."""

    @property
    def state_changed(self) -> SignalInstance: ...  # DictationState
    @property
    def segment_committed(self) -> SignalInstance: ...  # core.transcript.Segment
    @property
    def segment_enriched(self) -> SignalInstance: ...  # Segment (a later one changed it)

    @property
    def state(self) -> DictationState: ...

    @property
    def commit_timeout_s(self) -> float: ...

    def start(self) -> asyncio.Task[None] | None: ...

    def start_push_to_talk(self) -> asyncio.Task[None] | None: ...

    def prebuffer(self) -> bool: ...  # capture for the next start while this one commits

    def discard_prebuffer(self) -> None: ...

    def stop(self) -> asyncio.Task[None] | None: ...

    def cancel(self) -> asyncio.Task[None] | None: ...


class WorkerApi(DictationControls, Protocol):
    """Everything the window, its dialogs and the tray use."""

    @property
    def partial_changed(self) -> SignalInstance: ...  # str
    @property
    def level_changed(self) -> SignalInstance: ...  # rms_dbfs, peak_dbfs
    @property
    def device_warning(self) -> SignalInstance: ...  # str
    @property
    def devices_changed(self) -> SignalInstance: ...  # list[str]
    @property
    def error(self) -> SignalInstance: ...  # session.user_errors.UserError
    @property
    def status_changed(self) -> SignalInstance: ...  # status.WorkerStatus
    @property
    def file_job_started(self) -> SignalInstance: ...  # FileJob
    @property
    def settings_changed(self) -> SignalInstance: ...  # Settings
    @property
    def connection_tested(self) -> SignalInstance: ...  # UserError | None
    @property
    def session_recorded(self) -> SignalInstance: ...  # history id
    @property
    def mic_test_recorded(self) -> SignalInstance: ...  # mic_test.MicTest | UserError
    @property
    def mic_test_played(self) -> SignalInstance: ...  # None | UserError

    @property
    def settings(self) -> Settings: ...

    @property
    def api_keys(self) -> ApiKeys: ...

    @property
    def journal(self) -> SessionJournal: ...

    def capabilities_for(self, kind: BackendKind) -> Capabilities: ...

    def toggle(self) -> asyncio.Task[None] | None: ...

    def commit_now(self) -> asyncio.Task[bool] | None: ...

    def clear(self) -> None: ...

    def transcribe_file(self, path: str) -> FileJobApi: ...

    def cancel_file(self) -> None: ...

    def reload_backend(self) -> Any: ...

    def rescan_devices(self) -> Any: ...

    def watch_levels(self, watcher: str, on: bool, *, idle: bool = False) -> None: ...

    def default_device(self) -> str | None: ...

    def select_device(self, name: str | None) -> Any: ...

    def apply_settings(self, settings: Settings) -> Any: ...

    def set_api_key(self, key: str, remember: bool = True) -> Any: ...

    def test_connection(self, settings: Settings | None = None,
                        api_key: str | None = None) -> Any: ...

    def record_mic_test(self, seconds: float = 3.0) -> Any: ...

    def play_mic_test(self) -> Any: ...


if TYPE_CHECKING:
    from .worker import DictationWorker

    def _implements_the_api(worker: DictationWorker) -> WorkerApi:
        return worker  # mypy checks that the worker offers everything the widgets use
