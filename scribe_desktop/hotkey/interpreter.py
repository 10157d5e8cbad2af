"""Turns key presses and releases into dictation commands. Pure: no clock inside,
every event carries its timestamp and the owner calls `tick(now)` at `deadline()`.

Modes (feature-bar: push-to-talk and toggle):
- HOLD: press starts, release stops (push-to-talk).
- TOGGLE: a press starts, the next press stops; releases do nothing.
- HYBRID: a press starts; a release after a long hold stops (push-to-talk), a release after
  a short tap (< `tap_s`) keeps dictating until the next press stops it.

Guards:
- Auto-repeat: a press of a key that is already down is ignored (X11 delivers the repeats
  as presses before the one release; test-rig.md "Hotkeys and typing").
- Debounce: a chord release within `debounce_s` of its press is held back; a new press of
  the key inside that window cancels it (contact bounce), otherwise it applies at `tick`.
- Stuck key: a chord held (or whose release was missed) for `max_hold_s` stops the
  dictation with a notice, and every key is considered up again (OpenWhispr #586).
- Cancel key (Esc): acted on only while a dictation is active.
- Another key (feature-bar "another key pressed -> not dictation"): in HOLD and HYBRID, a
  key outside the chord pressed within `other_key_s` of the press that started a dictation
  means the chord was part of an ordinary shortcut (Ctrl+Alt+Space, then a letter): that
  dictation is cancelled quietly (`Command.quiet`), nothing is inserted and the chord's
  release does nothing. Dictation still starts at the press (the pre-roll keeps the first
  word): delaying the start by the guard window would add latency to every dictation.
  TOGGLE is exempt: a press there is a complete action, the user may type while dictating.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .chord import DEFAULT_CHORD, Chord, parse_chord

DEFAULT_TAP_S = 0.35
DEFAULT_DEBOUNCE_S = 0.03
DEFAULT_MAX_HOLD_S = 300.0
DEFAULT_OTHER_KEY_S = 0.5  # the "hold delay" of the another-key guard


class HotkeyMode(StrEnum):
    HOLD = "hold"  # push-to-talk
    TOGGLE = "toggle"
    HYBRID = "hybrid"  # short tap toggles, long hold is push-to-talk


class Action(StrEnum):
    START = "start"
    STOP = "stop"
    CANCEL = "cancel"
    UNDO = "undo"  # remove the last dictation's text from the target
    PASTE_LAST = "paste_last"  # insert the last transcript again


@dataclass(frozen=True, slots=True)
class Command:
    action: Action
    notice: str | None = None  # something the user should be told (e.g. the stuck-key stop)
    quiet: bool = False  # CANCEL of something that was not a dictation: tell nobody


@dataclass(frozen=True, slots=True)
class HotkeyConfig:
    chord: Chord = field(default_factory=lambda: parse_chord(DEFAULT_CHORD))
    mode: HotkeyMode = HotkeyMode.HYBRID
    cancel: Chord | None = None
    undo: Chord | None = None
    paste_last: Chord | None = None
    tap_s: float = DEFAULT_TAP_S
    debounce_s: float = DEFAULT_DEBOUNCE_S
    max_hold_s: float = DEFAULT_MAX_HOLD_S
    other_key_s: float = DEFAULT_OTHER_KEY_S  # 0 turns the another-key guard off


def stuck_notice(max_hold_s: float) -> str:
    return (f"Dictation stopped: the hotkey was held for {max_hold_s:g} s (a stuck key or a "
            "missed release). Press it again to dictate.")


class HotkeyInterpreter:
    """Feed `key_down`/`key_up`/`tick`; each returns the commands to carry out, in order.
    `set_active` tells it whether a dictation is running (it may also be started or ended
    elsewhere: the window's button, a `--toggle`, an error)."""

    def __init__(self, config: HotkeyConfig) -> None:
        self.config = config
        self.down: set[str] = set()
        self.active = False  # a dictation is running (our belief, synced by set_active)
        self.chord_down = False
        self.pressed_at = 0.0
        self._press_stops = False  # this press stopped a dictation: its release does nothing
        self._press_started = False  # this press started the dictation (another-key guard)
        self._pending_release: float | None = None  # debounced release time

    # -- inputs ----------------------------------------------------------------------------

    def set_active(self, active: bool) -> None:
        self.active = active

    def key_down(self, name: str, t: float) -> list[Command]:
        if name in self.down:
            return []  # auto-repeat
        self.down.add(name)
        cfg = self.config
        if self._pending_release is not None and name in cfg.chord.keys:
            self._pending_release = None  # bounce: the key never really went up
            return []
        if self.active and cfg.cancel is not None and self._completes(cfg.cancel, name):
            self.active = False
            self._press_stops = True  # the chord's release (if held) must not act
            return [Command(Action.CANCEL)]
        if not self.chord_down and self._completes(cfg.chord, name):
            return self._press(t)
        if self._another_key(name, t):
            self.active = False
            self._press_stops = True  # the chord's release must not act either
            self._press_started = False
            return [Command(Action.CANCEL, quiet=True)]
        if not self.active and not self.chord_down:
            if cfg.undo is not None and self._completes(cfg.undo, name):
                return [Command(Action.UNDO)]
            if cfg.paste_last is not None and self._completes(cfg.paste_last, name):
                return [Command(Action.PASTE_LAST)]
        return []

    def forget(self, name: str) -> None:
        """`name` is up now without a release event (we released it synthetically while the
        user held it; the server drops its later physical release). Not a chord release: a
        held chord ends when a key the user really lets go of goes up."""
        self.down.discard(name)

    def key_up(self, name: str, t: float) -> list[Command]:
        self.down.discard(name)
        if not self.chord_down or name not in self.config.chord.keys:
            return []
        if self._pending_release is not None:
            return []
        if t - self.pressed_at < self.config.debounce_s:
            self._pending_release = t
            return []
        return self._release(t)

    def tick(self, now: float) -> list[Command]:
        """Apply what is due at `now`: a debounced release, the stuck-key timeout."""
        cfg = self.config
        if self._pending_release is not None and now >= self.pressed_at + cfg.debounce_s:
            released_at, self._pending_release = self._pending_release, None
            return self._release(released_at)
        if self.chord_down and now >= self.pressed_at + cfg.max_hold_s:
            self.chord_down = False
            self.down.clear()  # a missed release: start from "nothing is down"
            self._pending_release = None
            if self.active and not self._press_stops:
                self.active = False
                return [Command(Action.STOP, stuck_notice(cfg.max_hold_s))]
        return []

    def deadline(self) -> float | None:
        """When `tick` must be called next (None: nothing pending)."""
        if self._pending_release is not None:
            return self.pressed_at + self.config.debounce_s
        if self.chord_down:
            return self.pressed_at + self.config.max_hold_s
        return None

    # -- internals ---------------------------------------------------------------------------

    def _completes(self, chord: Chord, name: str) -> bool:
        """`name` was just pressed and now every key of `chord` is down."""
        return name in chord.keys and chord.keys <= self.down

    def _another_key(self, name: str, t: float) -> bool:
        """`name`, not part of the chord, went down soon after the press that started the
        running dictation, while the chord is still held (HOLD and HYBRID only)."""
        cfg = self.config
        return (self.chord_down and self.active and self._press_started
                and cfg.mode != HotkeyMode.TOGGLE and name not in cfg.chord.keys
                and t - self.pressed_at < cfg.other_key_s)

    def _press(self, t: float) -> list[Command]:
        self.chord_down = True
        self.pressed_at = t
        self._press_started = False
        mode = self.config.mode
        if self.active and mode in (HotkeyMode.TOGGLE, HotkeyMode.HYBRID):
            self.active = False
            self._press_stops = True
            return [Command(Action.STOP)]
        self._press_stops = False
        if self.active:  # HOLD while dictating (started elsewhere): the release stops it
            return []
        self.active = True
        self._press_started = True
        return [Command(Action.START)]

    def _release(self, t: float) -> list[Command]:
        self.chord_down = False
        if self._press_stops:
            self._press_stops = False
            return []
        mode = self.config.mode
        if not self.active or mode == HotkeyMode.TOGGLE:
            return []
        if mode == HotkeyMode.HYBRID and t - self.pressed_at < self.config.tap_s:
            return []  # a tap: keep dictating until the next press
        self.active = False
        return [Command(Action.STOP)]
