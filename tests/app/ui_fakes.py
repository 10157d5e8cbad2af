"""A fake dictation worker for pure widget tests: a QObject with the real worker's signals
(HELPERS-CONTEXT §3) that records the slots the widgets call. Not for end-to-end tests."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists

from PySide6.QtCore import QObject, Signal

from scribe_desktop.core.transcript import Segment
from scribe_desktop.protocol.messages import Word, WordType
from scribe_desktop.qt.settings import Settings

if TYPE_CHECKING:
    from scribe_desktop.qt.worker.worker import DictationWorker


@dataclass(frozen=True)
class FakeStatus:
    backend_label: str = "Local"
    connection: str = "connected"
    session_s: float = 0.0
    last_partial_latency_ms: float | None = None


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
    file_progress = Signal(float, float)
    file_finished = Signal(object)
    settings_changed = Signal(object)
    connection_tested = Signal(object)

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def start(self) -> None:
        self._record("start")

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

    def transcribe_file(self, path: str) -> None:
        self._record("transcribe_file", path)

    def cancel_file(self) -> None:
        self._record("cancel_file")

    def rescan_devices(self) -> None:
        self._record("rescan_devices")

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


def as_worker(fake: FakeWorker) -> DictationWorker:
    """The fake, typed as the real worker for the widgets' constructors."""
    return cast("DictationWorker", fake)


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
