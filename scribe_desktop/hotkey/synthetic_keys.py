"""`KeyHoldBack`: key events that may be our own synthetic keystrokes are held back while an
insertion sends keys, and for `SYNTHETIC_GRACE_S` after it, then only their NET effect is
applied (see the module doc of hotkey/controller.py for why they cannot be told apart one
by one). Loop-only; not thread-safe.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from .backends.base import KeyEvent

SYNTHETIC_GRACE_S = 0.25  # our synthetic keys still reaching the listener after a tool exits


class KeyHoldBack:
    """Holds back key events around synthetic keystrokes; `apply` gets what survives.

    `is_down(key)`: whether the interpreter believes `key` is down now. `spawn`: runs the
    delayed resync as a task the owner keeps track of (and cancels on close)."""

    def __init__(self, apply: Callable[[KeyEvent], None], is_down: Callable[[str], bool],
                 spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]], *,
                 grace_s: float = SYNTHETIC_GRACE_S) -> None:
        self._apply = apply
        self._is_down = is_down
        self._spawn = spawn
        self.grace_s = grace_s
        self._synthetic = 0  # insertions sending keys right now
        self._held: list[KeyEvent] = []  # key events seen meanwhile
        self._resync: asyncio.Task[None] | None = None

    def hold(self, event: KeyEvent) -> bool:
        """Hold `event` back if keys are being sent (or just were); True if held."""
        if self._synthetic or (self._resync is not None and not self._resync.done()):
            self._held.append(event)  # maybe ours: judged by its net effect afterwards
            return True
        return False

    @contextlib.asynccontextmanager
    async def sending_keys(self) -> AsyncIterator[None]:
        """Around anything that sends synthetic keys: hold the listener's events back."""
        if self._resync is not None:
            self._resync.cancel()  # a later insertion: judge all held events after it
            self._resync = None
        self._synthetic += 1
        try:
            yield
        finally:
            self._synthetic -= 1
            if self._synthetic == 0:
                self._resync = self._spawn(self._apply_held_after(self.grace_s))

    async def _apply_held_after(self, delay_s: float) -> None:
        await asyncio.sleep(delay_s)  # a grace period, not a wait for an event
        held, self._held = self._held, []
        last: dict[str, KeyEvent] = {}
        for event in held:  # each key's last event, ordered by when it happened
            last.pop(event.key, None)
            last[event.key] = event
        self._resync = None  # (before applying: a START may insert and hold keys again)
        for event in last.values():
            if event.down != self._is_down(event.key):
                self._apply(event)

    def close(self) -> None:
        """Drop the pending resync and everything held."""
        if self._resync is not None:  # spawned by an insertion that was just cancelled
            self._resync.cancel()
            self._resync = None
        self._held.clear()
