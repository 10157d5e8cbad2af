"""The running dictation's clock: when it started, the latest chunk -> partial latency, and a
tick every `STATUS_TICK_S` while it runs (the status bar's session time). Loop-only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

STATUS_TICK_S = 1.0


class SessionTimer:
    """Calls `on_tick` every `STATUS_TICK_S` between `schedule_tick()` and `stop_tick()`."""

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
