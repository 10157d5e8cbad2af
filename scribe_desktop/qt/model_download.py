"""Downloading a Whisper model for the window, with its own signals (QtCore only).

`ModelStore.download` blocks (network, disk, hashing), so it runs in a plain thread; the
thread only hands its progress and outcome over as Qt signals, which Qt queues to the
thread that owns this object (the GUI's). `cancel()` is safe from the GUI at any moment and
leaves nothing half-installed: a later download resumes where this one stopped.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from ..models import CancelledError, CancelToken, ModelsError, ModelStore, Progress

log = logging.getLogger(__name__)


class ModelDownload(QObject):
    """One download of catalogue model `name` into `store`; `start()` once."""

    progress = Signal(object)  # models.Progress
    finished = Signal(str)  # the model's name: installed
    failed = Signal(str)  # one line for the user
    cancelled = Signal()

    def __init__(self, store: ModelStore, name: str, *, endpoint: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.name = name
        self.endpoint = endpoint
        self._token = CancelToken()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a download runs once")
        self._thread = threading.Thread(target=self._run, name=f"model-download-{self.name}",
                                        daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self._token.cancel()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the thread ended (for shutdown); True if it did."""
        if self._thread is not None:
            self._thread.join(timeout_s)
            return not self._thread.is_alive()
        return True

    def _run(self) -> None:
        def report(progress: Progress) -> None:
            self.progress.emit(progress)

        try:
            self.store.download(self.name, endpoint=self.endpoint, progress=report,
                                cancel=self._token)
        except CancelledError:
            self.cancelled.emit()
        except ModelsError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug must still end the download visibly
            log.exception("model download failed")
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            self.finished.emit(self.name)
