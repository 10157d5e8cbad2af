"""`Reserver`: push-to-talk's side of the chord reservations (XGrabKey on X11, bindings on
sway): the persistent chords, the cancel key only while dictating, and the suspension while
Settings records a chord. Changes go out one at a time, in order, each bounded in time; a
reservation that fails leaves the chord passing through (logged), never an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from ...hotkey.chord import Chord, format_chord
from .seams import ChordReservations

log = logging.getLogger(__name__)

RESERVE_TIMEOUT_S = 10.0


class Reserver:
    def __init__(self, reservations: ChordReservations | None,
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]]) -> None:
        self.reservations = reservations
        self._spawn = spawn
        self._lock = asyncio.Lock()
        self.granted: dict[str, bool] = {}  # chord name -> granted by the server
        self._cancel: Chord | None = None  # the cancel chord reserved now

    def reserve(self, chords: Mapping[str, Chord | None]) -> None:
        if self.reservations is not None:
            self._spawn(self._reserve(dict(chords)))

    async def _reserve(self, chords: dict[str, Chord | None]) -> None:
        assert self.reservations is not None
        granted = await self._step(self.reservations.reserve(chords))
        if isinstance(granted, dict):
            self.granted = granted
            log.info("hotkey chords reserved: %s", ", ".join(
                f"{name}={format_chord(chord)}" + ("" if granted.get(name) else " (refused)")
                for name, chord in chords.items() if chord is not None))

    def cancel(self, chord: Chord | None, *, force: bool = False) -> None:
        """Reserve `chord` as the cancel key (None: release it)."""
        if self.reservations is None or (chord == self._cancel and not force):
            return
        self._cancel = chord
        self._spawn(self._step(self.reservations.reserve_cancel(chord)))

    def suspend(self, on: bool) -> None:
        if self.reservations is not None:
            self._spawn(self._step(self.reservations.suspend(on)))

    async def release_all(self) -> None:
        if self.reservations is None:
            return
        with contextlib.suppress(Exception):
            async with asyncio.timeout(RESERVE_TIMEOUT_S):
                await self.reservations.reserve_cancel(None)
                await self.reservations.reserve({})
        self._cancel = None

    async def _step(self, step: Coroutine[Any, Any, Any]) -> Any:
        async with self._lock:
            try:
                async with asyncio.timeout(RESERVE_TIMEOUT_S):
                    return await step
            except Exception as exc:  # a display or IPC gone: the chords simply pass through
                log.warning("chord reservation failed: %s", exc)
                return None
