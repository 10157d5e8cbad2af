"""A fake dictation worker for pure widget tests: it implements `qt.worker.api.WorkerApi`
(mypy checks it wherever it is passed as one) and records the slots the widgets call. Not for
end-to-end tests."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists

from PySide6.QtCore import QObject, Signal

from scribe_desktop.connect import CLOUD, POCKETSPHINX, ApiKeys, Capabilities
from scribe_desktop.connect.keyring_store import ApiKeyStore
from scribe_desktop.core.backend_kind import BackendKind
from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.core.transcript import Segment
from scribe_desktop.protocol.messages import Word, WordType
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.worker.status import WorkerStatus
from scribe_desktop.session.journal import SessionJournal
from tests.keyrings import MemoryKeyring

if TYPE_CHECKING:
    from scribe_desktop.qt.worker.api import WorkerApi


def FakeStatus(backend_label: str = "Local", connection: str = "Connected",
               session_s: float = 0.0,
               last_partial_latency_ms: float | None = None) -> WorkerStatus:
    """A real WorkerStatus with test defaults."""
    return WorkerStatus(backend_label, connection, session_s, last_partial_latency_ms)


class FakeFileJob(QObject):
    """A file job whose signals the test emits; records cancel()."""

    progress = Signal(float, float)
    segment_added = Signal(object)
    finished = Signal(object)
    failed = Signal(object)
    recorded = Signal(int)
    ended = Signal()

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def __await__(self) -> Generator[Any, None, list[Segment]]:
        return asyncio.sleep(0, result=[]).__await__()


class FakeWorker(QObject):
    state_changed = Signal(object)
    partial_changed = Signal(str)
    segment_committed = Signal(object)
    segment_enriched = Signal(object)
    level_changed = Signal(float, float)
    device_warning = Signal(str)
    devices_changed = Signal(list)
    error = Signal(object)
    status_changed = Signal(object)
    file_job_started = Signal(object)
    settings_changed = Signal(object)
    connection_tested = Signal(object)
    session_recorded = Signal(int)
    mic_test_recorded = Signal(object)
    mic_test_played = Signal(object)

    def __init__(self, settings: Settings | None = None,
                 key_store: ApiKeyStore | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.state = DictationState.IDLE
        self.commit_timeout_s = 10.0
        self.api_keys = ApiKeys(key_store or ApiKeyStore(MemoryKeyring()))
        self.journal = SessionJournal(None)
        self.jobs: list[FakeFileJob] = []
        self.level_watchers: dict[str, bool] = {}
        self.capabilities: dict[BackendKind, Capabilities] = {}
        self.default_device_name: str | None = None

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def start(self) -> None:
        self._record("start")

    def start_push_to_talk(self) -> None:
        self._record("start_push_to_talk")

    def prebuffer(self) -> bool:
        self._record("prebuffer")
        return False

    def discard_prebuffer(self) -> None:
        self._record("discard_prebuffer")

    def stop(self) -> None:
        self._record("stop")

    def toggle(self) -> None:
        self._record("toggle")

    def commit_now(self) -> None:
        self._record("commit_now")

    def cancel(self) -> None:
        self._record("cancel")

    def clear(self) -> None:
        self._record("clear")

    def transcribe_file(self, path: str) -> FakeFileJob:
        self._record("transcribe_file", path)
        job = FakeFileJob(path)
        self.jobs.append(job)
        self.file_job_started.emit(job)
        return job

    def reload_backend(self) -> None:
        self._record("reload_backend")

    def cancel_file(self) -> None:
        self._record("cancel_file")
        for job in self.jobs:
            job.cancel()

    def rescan_devices(self) -> None:
        self._record("rescan_devices")

    def watch_levels(self, watcher: str, on: bool, *, idle: bool = False) -> None:
        if on:
            self.level_watchers[watcher] = idle
        else:
            self.level_watchers.pop(watcher, None)

    def default_device(self) -> str | None:
        return self.default_device_name

    def select_device(self, name: str | None) -> None:
        self._record("select_device", name)
        self.settings = dataclasses.replace(self.settings, device_name=name)
        self.settings_changed.emit(self.settings)

    def apply_settings(self, settings: Settings) -> None:
        self._record("apply_settings", settings)
        self.settings = settings.validate()
        self.settings_changed.emit(self.settings)

    def set_api_key(self, key: str, remember: bool = True) -> None:
        self._record("set_api_key", key, remember)

    def test_connection(self, settings: Settings | None = None,
                        api_key: str | None = None) -> None:
        self._record("test_connection", settings, api_key)

    def record_mic_test(self, seconds: float = 3.0) -> None:
        self._record("record_mic_test", seconds)

    def play_mic_test(self) -> None:
        self._record("play_mic_test")

    def capabilities_for(self, kind: BackendKind) -> Capabilities:
        return self.capabilities.get(kind, CLOUD if kind == BackendKind.CLOUD
                                     else POCKETSPHINX)


def as_worker(fake: FakeWorker) -> WorkerApi:
    """The fake as the worker API the widgets take (mypy checks that it is one)."""
    return fake


def words_for(text: str, start_s: float, word_s: float = 0.4) -> tuple[Word, ...]:
    """Words with times for `text` (spacing between them), starting at `start_s`."""
    out: list[Word] = []
    t = start_s
    for i, token in enumerate(text.split(" ")):
        if i:
            out.append(Word(text=" ", start_s=t, end_s=t, type=WordType.SPACING))
        out.append(Word(text=token, start_s=t, end_s=t + word_s, type=WordType.WORD))
        t += word_s
    return tuple(out)


def segment(index: int, text: str, start_s: float | None = None) -> Segment:
    words = words_for(text, start_s) if start_s is not None else None
    return Segment(index=index, text=text, words=words)


class MemoryKeyStore:
    """An in-memory stand-in for secrets.ApiKeyStore."""

    def __init__(self, key: str | None = None, *, unavailable: bool = False) -> None:
        self.key = key
        self.unavailable = unavailable

    def _check(self) -> None:
        if self.unavailable:
            from scribe_desktop.connect.keyring_store import SecretsUnavailableError

            raise SecretsUnavailableError("no backend")

    def get_api_key(self) -> str | None:
        self._check()
        return self.key

    def delete_api_key(self) -> None:
        self._check()
        self.key = None
