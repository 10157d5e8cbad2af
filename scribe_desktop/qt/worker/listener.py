"""`SessionListener`: the `LiveSession` callbacks, turned into the worker's lifecycle
triggers and transcript events. No Qt: the worker emits the signals.
"""

from __future__ import annotations

import logging
from typing import Protocol

from ...client import ScribeError, SessionEvent
from ...core.lifecycle import DictationState, Trigger

log = logging.getLogger("scribe_desktop.qt.worker.worker")  # (logged as the worker always was)


class WorkerSide(Protocol):
    """The part of `DictationWorker` the listener drives."""

    @property
    def state(self) -> DictationState: ...

    def _fire(self, trigger: Trigger) -> bool: ...

    def on_event(self, event: SessionEvent, latency_s: float | None) -> None: ...


class SessionListener:
    """Adapts `LiveSession` callbacks to the worker's state machine."""

    def __init__(self, worker: WorkerSide) -> None:
        self.worker = worker

    def on_connected(self) -> None:
        self.worker._fire(Trigger.CONNECTED)

    def on_connection_lost(self, error: ScribeError) -> None:
        log.info("connection lost: %s", error)
        if self.worker.state == DictationState.COMMITTING:
            return  # finishing: the replay happens silently, the commit timeout bounds it
        self.worker._fire(Trigger.CONNECTION_LOST)

    def on_reconnected(self) -> None:
        self.worker._fire(Trigger.RECONNECTED)

    def on_event(self, event: SessionEvent, latency_s: float | None) -> None:
        self.worker.on_event(event, latency_s)
