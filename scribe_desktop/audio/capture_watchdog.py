"""`WatchedStreams`: the watchdog of the microphone's PortAudio streams (`StreamKeeper`).

Every `LIVE_TICK_S` with live blocks or while retrying, every `IDLE_TICK_S` with idle blocks,
never while closed: a stream that stopped delivering is declared lost (a DEVICE_LOST warning)
and recovery starts (close everything, re-enumerate, open the best device); nothing could be
opened: retry; idle on a fallback device: look for the chosen one again.
"""

from __future__ import annotations

import asyncio

from .capture_events import CaptureWarning, WarningKind
from .capture_streams import StreamKeeper
from .stream_tap import Profile, TapRole

LIVE_TICK_S = 0.25
IDLE_TICK_S = 1.0


class WatchedStreams(StreamKeeper):
    """`StreamKeeper` with its watchdog and recovery (see the module doc). Loop-only."""

    def _device_failed(self, why: str) -> None:
        for tap in (self._tap, self._incoming):
            if tap is not None:
                with tap.ring.lock:
                    tap.role = TapRole.RETIRED  # ignore whatever the dead stream delivers
        self._lost = True
        self._emit(CaptureWarning(WarningKind.DEVICE_LOST, f"{why} Trying to recover.",
                                  self._device_label()))
        self._start_recovery()

    def _start_recovery(self) -> None:
        if self._recovering is not None and not self._recovering.done():
            return
        self._recovering = asyncio.ensure_future(self._recover())

    async def _recover(self) -> None:
        async with self._io_lock:
            if self._closed:
                return
            await self._close_all()
            await self._open_best(rescan=True)
        self._kick()

    def _tick_interval(self) -> float | None:
        if self._closed:
            return None
        if self._tap is not None:
            return LIVE_TICK_S if self._tap.profile is Profile.LIVE else IDLE_TICK_S
        return LIVE_TICK_S if self._wanted_profile() is not None else None

    def _schedule_tick(self) -> None:
        interval = self._tick_interval() if self._loop is not None else None
        if self._ticker is not None and interval == self._tick_every:
            return
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        self._tick_every = interval
        if interval is not None and self._loop is not None:
            self._ticker = self._loop.call_later(interval, self._tick)

    def _tick(self) -> None:
        """Watchdog, retry and idle rescan."""
        self._ticker = None
        try:
            self._check()
        finally:
            self._schedule_tick()

    def _check(self) -> None:
        if self._closed or (self._recovering is not None and not self._recovering.done()):
            return
        now, tap = self._clock(), self._tap
        if tap is not None:
            started = tap.started
            quiet_since = tap.last_block_at if started else self._opened_at
            limit = max(self.stall_s, 2 * tap.block_s) if started \
                else self.start_timeout_s
            if now - quiet_since > limit:
                self._device_failed("The microphone stopped delivering audio.")
            elif (not self.on_preferred and self.device_name and not self._busy()
                  and now >= self._next_attempt_at):
                self._start_recovery()  # idle: look for the chosen device again
        elif (self._wanted_profile() is not None and not self._io_lock.locked()
              and now >= self._next_attempt_at):
            self._start_recovery()
