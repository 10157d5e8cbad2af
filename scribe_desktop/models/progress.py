"""Progress events and the cancellation token shared by downloads and imports.

Both are made for a GUI that runs a blocking `download()` in a worker thread: the progress
callback is called in that worker thread (marshal it to the UI thread yourself), and
`CancelToken.cancel()` may be called from any thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    RESOLVING = "resolving"  # asking the server which files the model has
    DOWNLOADING = "downloading"
    COPYING = "copying"  # import: copying (or linking) a local folder into the store
    VERIFYING = "verifying"  # hashing a file against the server's sha256 / git object id
    INSTALLING = "installing"  # checks, then the atomic rename into the store
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a download or import stands.

    `done`/`total` count the bytes of the whole model (files already downloaded in an earlier,
    interrupted run count as done); `file_done`/`file_total` the current file's. In the
    VERIFYING phase the counts are bytes hashed, not bytes downloaded.
    """

    model: str
    phase: Phase
    file: str | None = None
    file_done: int = 0
    file_total: int | None = None
    done: int = 0
    total: int | None = None

    @property
    def fraction(self) -> float | None:
        return self.done / self.total if self.total else None


ProgressCallback = Callable[[Progress], None]


class CancelToken:
    """Thread-safe cancellation: `cancel()` from any thread stops the operation that holds it.

    Blocking network reads are woken too: the downloader registers a hook (`on_cancel`) that
    shuts the socket down, so a stalled server does not delay the cancellation.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._hooks: dict[int, Callable[[], None]] = {}
        self._next = 0

    def cancel(self) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            hooks = list(self._hooks.values())
            self._hooks.clear()
        for hook in hooks:
            hook()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout_s: float) -> bool:
        """Sleep up to `timeout_s`, waking early on cancellation; True if cancelled."""
        return self._event.wait(timeout_s)

    def on_cancel(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Run `hook` (once) when cancelled, at once if already; returns the unregister call."""
        with self._lock:
            if not self._event.is_set():
                key = self._next
                self._next += 1
                self._hooks[key] = hook
                return lambda: self._remove(key)
        hook()
        return lambda: None

    def _remove(self, key: int) -> None:
        with self._lock:
            self._hooks.pop(key, None)
