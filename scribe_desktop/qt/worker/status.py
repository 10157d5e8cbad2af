"""What the status bar shows of the worker: `WorkerStatus`, and `SessionTimer`, the running
dictation's start time, last partial latency and once-a-second refresh. No Qt: the worker
turns it into `status_changed`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from ...connect import BackendStatus
from ...core.lifecycle import DictationState

STATUS_TICK_S = 1.0

_CONNECTION_TEXT = {
    DictationState.IDLE: "Ready",
    DictationState.CONNECTING: "Connecting…",
    DictationState.LISTENING: "Listening",
    DictationState.COMMITTING: "Finishing…",
    DictationState.RECONNECTING: "Reconnecting…",
    DictationState.ERROR: "Error",
}
_BACKEND_TEXT = {
    BackendStatus.STARTING: "Starting local server…",
    BackendStatus.RESTARTING: "Local server restarting…",
    BackendStatus.FAILED: "Local server failed",
}


@dataclass(frozen=True, slots=True)
class WorkerStatus:
    """What the status bar shows."""

    backend_label: str  # "Local", "ElevenLabs (EU)"
    connection: str  # "Ready", "Connecting…", "Listening", "Local server restarting…", ...
    session_s: float  # seconds since the dictation started (0 when idle)
    last_partial_latency_ms: float | None  # chunk sent -> partial received


class SessionTimer:
    """The running dictation's timing: when it started, the latest chunk -> partial latency,
    and a tick every `STATUS_TICK_S` (to `on_tick`) while it runs. Loop-only."""

    def __init__(self, clock: Callable[[], float], on_tick: Callable[[], None]) -> None:
        self.clock = clock
        self._on_tick = on_tick
        self.started_at: float | None = None
        self.latency_ms: float | None = None
        self._tick: asyncio.TimerHandle | None = None

    def begin(self) -> None:
        """A dictation starts now (no latency measured yet)."""
        self.stop_tick()
        self.started_at, self.latency_ms = self.clock(), None

    def elapsed_s(self) -> float | None:
        """Seconds since the dictation started (None: none running)."""
        return None if self.started_at is None else self.clock() - self.started_at

    def status(self, backend_label: str, backend_status: BackendStatus,
               state: DictationState) -> WorkerStatus:
        connection = _BACKEND_TEXT.get(backend_status) or _CONNECTION_TEXT[state]
        return WorkerStatus(backend_label, connection, self.elapsed_s() or 0.0,
                            self.latency_ms)

    def schedule_tick(self) -> None:
        self.stop_tick()
        self._tick = asyncio.get_running_loop().call_later(STATUS_TICK_S, self._fire_tick)

    def stop_tick(self) -> None:
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None

    def _fire_tick(self) -> None:
        self._tick = None
        self._on_tick()
