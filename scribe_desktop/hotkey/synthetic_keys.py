"""`KeyHoldBack`: key events that may be our own synthetic keystrokes are held back while an
insertion sends keys, and for `SYNTHETIC_GRACE_S` after it (the listener thread delivers them
a little late). X11 reports XTEST keys to the listener exactly like real ones (pynput's
`injected` only flags XSendEvent), so they must be told apart another way:

- with `SyntheticKeys` (the X11 keyboard service) every burst of keys we sent is known: when
  it started and ended and which key events it made (`Burst`). Held events are matched to
  them in order, within the burst's time (plus the listener's delay); the matched ones are
  ours and dropped, all others are the user's and are replayed in their order with their own
  times, so a chord pressed or typing done during an insertion still counts. Modifiers a
  burst released while the user held them are forgotten by the interpreter at that moment:
  the server drops their later physical release.
- without (tests, other listeners): only the NET effect of each key's held events is
  applied (a key whose last event leaves it in another state than the interpreter
  believes), and every held press is reported to `on_press` (ours cannot be told apart:
  the safe side for the insertion ledger).

Loop-only; not thread-safe.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

from .backends.base import KeyEvent

SYNTHETIC_GRACE_S = 0.25  # our synthetic keys still reaching the listener after a tool exits
DELIVERY_SLACK_S = 0.5  # how late after a burst the listener may still report its keys


@dataclass(frozen=True, slots=True)
class Burst:
    """Key events we caused, between `start` and `end` (time.monotonic())."""

    start: float
    end: float
    events: tuple[tuple[str, bool], ...]  # (key, down) in order
    released: frozenset[str] = field(default_factory=frozenset)  # held modifiers let go


class SyntheticKeys(Protocol):
    """What the hold-back needs of the keyboard service that sends the keys."""

    def take_bursts(self) -> list[Burst]: ...


class KeyHoldBack:
    """Holds back key events around synthetic keystrokes; `apply` gets what survives.

    `is_down(key)`: whether the interpreter believes `key` is down now; `forget(key)`: it is
    up now and its release will not be reported. `spawn`: runs the delayed resync as a task
    the owner keeps track of (and cancels on close)."""

    def __init__(self, apply: Callable[[KeyEvent], None], is_down: Callable[[str], bool],
                 spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[None]], *,
                 grace_s: float = SYNTHETIC_GRACE_S, forget: Callable[[str], None] | None = None,
                 on_press: Callable[[KeyEvent], None] | None = None,
                 synthetic: SyntheticKeys | None = None) -> None:
        self._apply = apply
        self._is_down = is_down
        self._spawn = spawn
        self._forget = forget
        self._on_press = on_press
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
        held, self._held = self._held, []
        self._resync = None  # (before applying: a START may insert and hold keys again)
        if self.synthetic is None:
            self._apply_net(held)
            return
        bursts = self.synthetic.take_bursts()
        ours = match(held, bursts)
        timeline: list[tuple[float, int, KeyEvent | str]] = [
            (b.start, 0, key) for b in bursts for key in sorted(b.released)]
        timeline += [(e.t, 1, e) for i, e in enumerate(held) if i not in ours]
        for _t, _order, item in sorted(timeline, key=lambda x: (x[0], x[1])):
            if isinstance(item, str):
                if self._forget is not None:
                    self._forget(item)
            else:
                self._apply(item)

    def _apply_net(self, held: list[KeyEvent]) -> None:
        last: dict[str, KeyEvent] = {}
        for event in held:  # each key's last event, ordered by when it happened
            if event.down and self._on_press is not None:
                self._on_press(event)
            last.pop(event.key, None)
            last[event.key] = event
        for event in last.values():
            if event.down != self._is_down(event.key):
                self._apply(event)

    def close(self) -> None:
        """Drop the pending resync and everything held."""
        if self._resync is not None:  # spawned by an insertion that was just cancelled
            self._resync.cancel()
            self._resync = None
        self._held.clear()


def match(held: list[KeyEvent], bursts: list[Burst]) -> set[int]:
    """Indices of the held events that our bursts caused: each burst's events in order, the
    first unmatched held event with the same key and direction within its time."""
    ours: set[int] = set()
    for burst in bursts:
        start = 0
        for key, down in burst.events:
            for i in range(start, len(held)):
                event = held[i]
                if i in ours or event.key != key or event.down != down:
                    continue
                if burst.start <= event.t <= burst.end + DELIVERY_SLACK_S:
                    ours.add(i)
                    start = i + 1
                    break
    return ours
