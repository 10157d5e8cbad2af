"""`KeyInput`: push-to-talk's keyboard side. Key events from the listener (on the loop) go
through the hold-back of our own synthetic keys into the `HotkeyInterpreter`, whose commands
go to `execute`; its deadlines (debounce, stuck key) are kept with a loop timer. A key press
that reaches the focused app (not one of our chords) and a click are user input, reported to
`note_input`: after it, the text before the caret is unknown and undo refuses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from ...hotkey.backends import KeyEvent
from ...hotkey.backends.base import POINTER
from ...hotkey.chord import MODIFIERS
from ...hotkey.interpreter import Command, HotkeyConfig, HotkeyInterpreter
from ...hotkey.synthetic_keys import KeyHoldBack, SyntheticKeys


class KeyInput:
    def __init__(self, config: HotkeyConfig, *, execute: Callable[[list[Command]], None],
                 note_input: Callable[[], None],
                 spawn: Callable[[Coroutine[Any, Any, Any]], asyncio.Task[Any]],
                 clock: Callable[[], float], grace_s: float,
                 synthetic: SyntheticKeys | None, hold_back: bool = True) -> None:
        self.interpreter = HotkeyInterpreter(config)
        self.execute = execute
        self.note_input = note_input
        self.clock = clock
        self.suspended = False
        self.holds_back = hold_back  # the listener hears our own synthetic keys
        self.hold_back = KeyHoldBack(self._apply, lambda key: key in self.interpreter.down,
                                     spawn, grace_s=grace_s,
                                     forget=lambda key: self.interpreter.forget(key),
                                     on_press=self._held_press, synthetic=synthetic)
        self._timer: asyncio.TimerHandle | None = None

    def set_config(self, config: HotkeyConfig) -> None:
        active = self.interpreter.active
        self.interpreter = HotkeyInterpreter(config)
        self.interpreter.set_active(active)

    def suspend(self, on: bool) -> None:
        self.suspended = on
        self.interpreter.down.clear()  # keys pressed meanwhile were never seen

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.hold_back.close()

    def on_key(self, event: KeyEvent) -> None:
        """A key event (or a click: `POINTER`) from the listener, on the loop thread."""
        if event.key == POINTER:
            self.note_input()  # a click may have moved the caret
            return
        if self.suspended:
            return
        if not (self.holds_back and self.hold_back.hold(event)):  # maybe ours: judged later
            self._apply(event)

    def typing(self, name: str) -> bool:
        """A key press that reaches the focused app as input (not a chord of ours). A
        repeat of a held chord key is no input (it goes to our grab, or nowhere); a repeat
        of any other key types, and counts (also if its release was missed)."""
        if name in MODIFIERS:
            return False
        cfg = self.interpreter.config
        chords = [c for c in (cfg.chord, cfg.undo, cfg.paste_last, cfg.cancel)
                  if c is not None]
        if name in self.interpreter.down and any(name in c.keys for c in chords):
            return False
        if not self.interpreter.active and cfg.cancel in chords:
            chords.remove(cfg.cancel)  # not reserved now: Esc reaches the app
        down = self.interpreter.down | {name}
        return not any(name in c.keys and c.keys <= down for c in chords)

    def _held_press(self, event: KeyEvent) -> None:
        """A press held back during our keys that was not ours (see KeyHoldBack)."""
        if event.key not in MODIFIERS:
            self.note_input()

    def _apply(self, event: KeyEvent) -> None:
        if event.down:
            if self.typing(event.key):
                self.note_input()
            commands = self.interpreter.key_down(event.key, event.t)
        else:
            commands = self.interpreter.key_up(event.key, event.t)
        self.execute(commands)

    def _tick(self) -> None:
        self._timer = None
        self.execute(self.interpreter.tick(self.clock()))

    def schedule_tick(self) -> None:
        """Call the interpreter's `tick` at its next deadline (none: no timer)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        deadline = self.interpreter.deadline()
        if deadline is not None:
            delay = max(0.0, deadline - self.clock())
            self._timer = asyncio.get_running_loop().call_later(delay, self._tick)
