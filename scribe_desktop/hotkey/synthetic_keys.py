"""`KeyHoldBack`: key events that may be our own synthetic keystrokes are held back while an
insertion sends keys, and for `SYNTHETIC_GRACE_S` after it (the listener thread delivers them
a little late). X11 reports XTEST keys to the listener exactly like real ones (pynput's
`injected` only flags XSendEvent), so they cannot be told apart one by one. Afterwards:

- with `SyntheticKeys` (the X11 keyboard service, which knows what it touched): events of
  keys it released or pressed are dropped; the modifiers it released (the user held them)
  are forgotten by the interpreter, since the server drops their later physical release;
  the keys it pressed are set to what the keymap says now (the user may hold one too); every
  other key gets the NET effect of its held events, so a real release of the chord's main
  key during an insertion still ends the dictation, just after it.
- without (tests, other listeners): only the NET effect of each key's held events is
  applied, a key whose last event leaves it in another state than the interpreter believes.

Loop-only; not thread-safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, Protocol

from .backends.base import KeyEvent

SYNTHETIC_GRACE_S = 0.25  # our synthetic keys still reaching the listener after a tool exits


class SyntheticKeys(Protocol):
    """What the hold-back needs of the keyboard service that sends the keys."""

    def take_touched(self) -> tuple[set[str], set[str]]: ...  # (released, pressed)
    async def down_among(self, names: set[str]) -> set[str]: ...


class KeyHoldBack:
    """Holds back key events around synthetic keystrokes; `apply` gets what survives.

    `is_down(key)`: whether the interpreter believes `key` is down now; `forget(key)`: it is
    up now and its release will not be reported. `spawn`: runs the delayed resync as a task
    the owner keeps track of (and cancels on close)."""

    def __init__(self, apply: Callable[[KeyEvent], None], is_down: Callable[[str], bool],
                 spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]], *,
                 grace_s: float = SYNTHETIC_GRACE_S, forget: Callable[[str], None] | None = None,
                 synthetic: SyntheticKeys | None = None) -> None:
        self._apply = apply
        self._is_down = is_down
        self._spawn = spawn
        self._forget = forget
        self.synthetic = synthetic
        self.grace_s = grace_s
        self._sending = 0  # insertions sending keys right now
        self._held: list[KeyEvent] = []  # key events seen meanwhile
        self._resync: asyncio.Task[None] | None = None

    @property
    def holding(self) -> bool:
        return bool(self._sending) or (self._resync is not None and not self._resync.done())

    def hold(self, event: KeyEvent) -> bool:
        """Hold `event` back if keys are being sent (or just were); True if held."""
        if self.holding:
            self._held.append(event)  # maybe ours: judged afterwards
            return True
        return False

    @contextlib.asynccontextmanager
    async def sending_keys(self) -> AsyncIterator[None]:
        """Around anything that sends synthetic keys: hold the listener's events back."""
        if self._resync is not None:
            self._resync.cancel()  # a later insertion: judge all held events after it
            self._resync = None
        self._sending += 1
        try:
            yield
        finally:
            self._sending -= 1
            if self._sending == 0:
                self._resync = self._spawn(self._apply_held_after(self.grace_s))

    async def _apply_held_after(self, delay_s: float) -> None:
        await asyncio.sleep(delay_s)  # a grace period, not a wait for an event
        released: set[str] = set()
        pressed: set[str] = set()
        actual: set[str] = set()
        if self.synthetic is not None:
            released, pressed = self.synthetic.take_touched()
            pressed -= released
            if pressed:
                actual = await self.synthetic.down_among(pressed)
        held, self._held = self._held, []
        last: dict[str, KeyEvent] = {}
        for event in held:  # each untouched key's last event, ordered by when it happened
            if event.key in released or event.key in pressed:
                continue
            last.pop(event.key, None)
            last[event.key] = event
        self._resync = None  # (before applying: a START may insert and hold keys again)
        if self._forget is not None:
            for key in released:
                self._forget(key)
        now = time.monotonic()
        for key in pressed:
            if (key in actual) != self._is_down(key):
                self._apply(KeyEvent(key, key in actual, now))
        for event in last.values():
            if event.down != self._is_down(event.key):
                self._apply(event)

    def close(self) -> None:
        """Drop the pending resync and everything held."""
        if self._resync is not None:  # spawned by an insertion that was just cancelled
            self._resync.cancel()
            self._resync = None
        self._held.clear()
