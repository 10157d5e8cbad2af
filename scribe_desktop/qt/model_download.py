"""A speech-model download the window can follow: `ModelStore.download` in a thread of its
own, its progress and outcome as Qt signals (QtCore only).

    job = ModelDownload(store, "base.en")   # nothing happens yet
    job.progress.connect(...)               # done_bytes, total_bytes (0: unknown), phase
    job.finished.connect(...)               # models.InstalledModel
    job.failed.connect(...)                 # session.user_errors.UserError
    job.cancelled.connect(...)              # the partial download is kept (it resumes)
    job.start(); job.cancel()

The store's progress callback runs in the download thread; the signals are emitted there and
Qt queues them to the receivers' thread (the UI), so no widget is touched off its thread.
Cancelling fires the store's `CancelToken`, which also wakes a stalled socket.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from ..models import CancelledError, CancelToken, ModelsError, ModelStore, Progress
from ..session.user_errors import user_error_for

log = logging.getLogger(__name__)


class ModelDownload(QObject):
    """Download catalogue model `name` into `store` once, on request."""

    progress = Signal(int, int, str)  # done bytes, total bytes (0 when unknown), phase
    finished = Signal(object)  # InstalledModel
    failed = Signal(object)  # UserError
    cancelled = Signal()

    def __init__(self, store: ModelStore, name: str, *, endpoint: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.name = name
        self.endpoint = endpoint
        self.token = CancelToken()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Begin the download in its own thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"download-{self.name}",
                                            daemon=True)
            self._thread.start()

    def cancel(self) -> None:
        self.token.cancel()

    def wait(self, timeout_s: float) -> bool:
        """Join the thread (tests, shutdown); True when it has ended."""
        if self._thread is not None:
            self._thread.join(timeout_s)
        return not self.running

    def _report(self, p: Progress) -> None:
        self.progress.emit(p.done, p.total or 0, str(p.phase))

    def _run(self) -> None:
        try:
            result = self.store.download(self.name, endpoint=self.endpoint,
                                         progress=self._report, cancel=self.token)
        except CancelledError:
            self.cancelled.emit()
        except ModelsError as exc:
            log.warning("download of %s failed: %s", self.name, exc)
            self.failed.emit(user_error_for(exc))
        except Exception as exc:  # a bug must still end the download visibly
            log.error("download of %s failed", self.name, exc_info=exc)
            self.failed.emit(user_error_for(exc))
        else:
            self.finished.emit(result.model)
