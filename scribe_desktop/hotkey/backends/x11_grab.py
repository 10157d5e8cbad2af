"""The X11 keyboard service: chords reserved with XGrabKey, the active window watched, and
synthetic keys sent without ever leaving a key stuck.

- **Reserved chords** (`reserve`): the dictation, undo and paste-last chords are grabbed on
  the root window for as long as push-to-talk runs, the cancel key only while dictating
  (`reserve_cancel`), so the focused app never receives them (a passive grab turns into an
  active keyboard grab at the press and ends when the main key goes up: the repeats and the
  release of the chord, in whatever order its keys go up, come to us too). `suspend` lets
  every chord through while Settings records one. A chord another client holds is refused
  with BadAccess: reported per chord, never raised. XRecord (the pynput listener) still sees
  grabbed keys, so the hotkey interpreter keeps working from the listener.
- **Focus** (`on_focus_change`): _NET_ACTIVE_WINDOW changes on the root window.
- **Synthetic keys** (`send`; `before_keys` before another tool types): a keyboard grabbed
  by another client (an open menu) refuses the keys (`KeyboardBusyError`) instead of
  feeding them to the menu; then our own active grab is released (while a chord is held,
  XTEST keys would otherwise come back to us) and the modifiers the user holds are released
  so they do not combine with ours. They are never pressed again: `xdotool
  --clearmodifiers` re-pressed modifiers the user had released meanwhile and left Ctrl and
  Alt down for good. We release only what we pressed.
- **A held chord key's auto-repeat** goes on (XKB ends it at the key's release or another
  repeating key's press on its device; turning it off only affects later presses), and a
  repeat after our ungrab and release is a bare key the app types. So `send` queues ungrab,
  releases and keys as ONE batch, no round trip inside: the server runs timers (repeats) only
  between a client's dispatch turns. (xdotool typing, in its own process, cannot share it.)

Every Xlib call runs on one `XThread`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..chord import Chord, format_chord, parse_chord
from ..synthetic_keys import Burst
from .x11_keymap import (
    chord_name_of,
    keycode_name,
    keycodes,
    keys_down,
    modifier_keycodes,
    modifier_mask,
    num_lock_mask,
)
from .x11_thread import XThread, xlib

log = logging.getLogger(__name__)

CANCEL = "cancel"
TYPING_BOUND_S = 1.0  # beyond 50 ms a character: how long xdotool may take to type
_SHIFTED = frozenset('~!@#$%^&*()_+{}|:"<>?')
BUSY_NOTICE = ("{chord} could not be reserved: another application holds it, so it also "
               "reaches the focused window.")


class KeyboardBusyError(RuntimeError):
    """Another client holds the keyboard (an open menu, a screen locker): keys sent now
    would go to it, not to the window we insert into."""

    def __init__(self) -> None:
        super().__init__("A menu or another application holds the keyboard; the text was "
                         "not inserted (use Paste last transcript once it is closed).")


@dataclass
class _State:
    """The thread's bookkeeping (touched only on the X thread)."""

    wanted: dict[str, Chord] = field(default_factory=dict)
    granted: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    suspended: bool = False
    repeat_off: dict[int, bool] = field(default_factory=dict)  # keycode -> repeated before
    active_window: int | None = None


class X11Keyboard:
    """See the module doc. Loop side: every method returns a future or awaits one."""

    def __init__(self, *, display_name: str | None = None,
                 on_notice: Callable[[str], None] | None = None,
                 on_focus_change: Callable[[int | None], None] | None = None,
                 on_grabbed: Callable[[str], None] | None = None) -> None:
        self.on_notice = on_notice
        self.on_focus_change = on_focus_change
        self.on_grabbed = on_grabbed  # a reserved chord pressed (its name), on the loop
        self._state = _State()
        self._bursts: list[Burst] = []
        self._thread = XThread(display_name, on_connect=self._connected,
                               on_event=self._event, on_tick=self._tick,
                               wants_tick=lambda: bool(self._state.repeat_off),
                               on_close=self._closing)

    # -- loop side ---------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._thread.close()

    async def reserve(self, chords: Mapping[str, Chord | None]) -> dict[str, bool]:
        """Reserve exactly these chords (name -> chord; None drops one) besides the cancel
        key; {name: granted}. A refused chord is also reported to `on_notice`."""
        wanted = {n: c for n, c in chords.items() if c is not None and n != CANCEL}
        return await self._thread.call(lambda conn: self._set(conn, wanted, keep_cancel=True))

    async def reserve_cancel(self, chord: Chord | None) -> bool:
        """Reserve the cancel chord (None releases it)."""
        def apply(conn: Any) -> bool:
            wanted = {n: c for n, c in self._state.wanted.items() if n != CANCEL}
            if chord is not None:
                wanted[CANCEL] = chord
            return self._set(conn, wanted, keep_cancel=False).get(CANCEL, chord is None)
        return await self._thread.call(apply)

    async def suspend(self, on: bool) -> None:
        """Release every grab (Settings is recording a chord) or take them back."""
        def apply(conn: Any) -> None:
            self._state.suspended = on
            self._apply(conn)
        await self._thread.call(apply)

    async def granted(self) -> set[str]:
        """Names of the chords the server granted us now."""
        return await self._thread.call(lambda conn: set(self._state.granted))

    async def before_keys(self) -> bool:
        """Make the keyboard ready for keys another tool sends (xdotool type; see the module
        doc); False when another client holds the keyboard (nothing may be sent then)."""
        return await self._keys(lambda c: self._release(c, self._prepare(c), flush=True), ())

    async def send(self, chords: Sequence[str]) -> bool:
        """Ready the keyboard and tap each chord ("ctrl+v") with XTEST, in order, in one
        request batch (see the module doc); False (nothing sent): the keyboard is busy."""
        parsed = [parse_chord(c) for c in chords]
        events: list[tuple[str, bool]] = []
        for chord in parsed:
            mods = sorted(chord.modifiers)
            events += [(m, True) for m in mods] + [(chord.key, True), (chord.key, False)]
            events += [(m, False) for m in reversed(mods)]

        def prepare_and_tap(conn: Any) -> list[str]:
            plan = self._plan(conn, parsed)
            released = self._release(conn, self._prepare(conn))
            self._tap(conn, plan)  # its sync flushes the whole batch
            return released
        return await self._keys(prepare_and_tap, tuple(events))

    async def _keys(self, call: Callable[[Any], list[str]],
                    events: tuple[tuple[str, bool], ...]) -> bool:
        """`call` on the X thread; the modifiers it released and `events` are ours."""
        start = time.monotonic()
        try:
            released = await self._thread.call(call)
        except KeyboardBusyError:
            return False
        end = time.monotonic()
        if released:
            self._bursts.append(Burst(start, end, tuple((key, False) for key in released),
                                      frozenset(released)))
        if events:
            self._bursts.append(Burst(start, end, events))
        return True

    def note_typed(self, text: str) -> None:
        """Keys another tool is about to type for us (xdotool type), for the hold-back."""
        names = {"\n": "enter", "\t": "tab", " ": "space"}
        events: list[tuple[str, bool]] = []
        for char in text:
            key = names.get(char, char.lower())
            shifted = char.isupper() or char in _SHIFTED
            events += [("shift", True)] if shifted else []
            events += [(key, True), (key, False)]
            events += [("shift", False)] if shifted else []
        start = time.monotonic()
        self._bursts.append(Burst(start, start + TYPING_BOUND_S + len(text) * 0.05,
                                  tuple(events)))

    async def clipboard_owner(self) -> int:
        """The window owning the CLIPBOARD selection now (0: none)."""
        def query(conn: Any) -> int:
            owner = conn.get_selection_owner(conn.intern_atom("CLIPBOARD"))
            return int(getattr(owner, "id", owner) or 0)
        return await self._thread.call(query)

    def take_bursts(self) -> list[Burst]:
        """The bursts of keys sent since the last call (for `KeyHoldBack`)."""
        bursts, self._bursts = self._bursts, []
        return bursts

    async def keys_down(self) -> set[str]:
        """Chord names of the modifier keys logically down now (for checks and tests)."""
        XK = xlib()[1]

        def query(conn: Any) -> set[str]:
            mods = modifier_keycodes(conn)
            return {n for c in keys_down(conn) & mods
                    if (n := chord_name_of(conn, c, XK)) is not None}
        return await self._thread.call(query)

    # -- the thread: grabs -------------------------------------------------------------------

    def _connected(self, conn: Any) -> None:
        X = xlib()[0]
        root = conn.screen().root
        root.change_attributes(event_mask=X.PropertyChangeMask)
        self._state.active_window = self._read_active(conn)

    def _set(self, conn: Any, wanted: dict[str, Chord], *, keep_cancel: bool) -> dict[str, bool]:
        if keep_cancel and CANCEL in self._state.wanted:
            wanted[CANCEL] = self._state.wanted[CANCEL]
        self._state.wanted = wanted
        refused = self._apply(conn)
        for name in refused:
            self._notify(BUSY_NOTICE.format(chord=format_chord(wanted[name])))
        return {name: name not in refused for name in wanted}

    def _apply(self, conn: Any) -> list[str]:
        """Bring the grabs in line with `wanted` (nothing while suspended); names refused."""
        X, XK, _display, error, _xtest = xlib()
        root = conn.screen().root
        for name, pairs in list(self._state.granted.items()):
            chord = self._state.wanted.get(name)
            if self._state.suspended or chord is None or pairs != self._grab_list(
                    conn, chord, X, XK):
                for code, mods in pairs:
                    root.ungrab_key(code, mods)
                del self._state.granted[name]
        conn.sync()
        refused: list[str] = []
        if self._state.suspended:
            return refused
        for name, chord in self._state.wanted.items():
            if name in self._state.granted:
                continue
            pairs = self._grab_list(conn, chord, X, XK)
            if not pairs:
                log.info("%s has no keycode on this keyboard", chord)
                refused.append(name)
                continue
            catch = error.CatchError(error.BadAccess)
            for code, mods in pairs:
                root.grab_key(code, mods, False, X.GrabModeAsync, X.GrabModeAsync,
                              onerror=catch)
            conn.sync()  # errors are asynchronous: the round trip surfaces them now
            if catch.get_error() is not None:
                for code, mods in pairs:  # all or nothing: no half-reserved chord
                    root.ungrab_key(code, mods)
                conn.sync()
                log.info("%s (%s) is grabbed by another client", chord, name)
                refused.append(name)
                continue
            self._state.granted[name] = pairs
        return refused

    def _grab_list(self, conn: Any, chord: Chord, X: Any, XK: Any) -> list[tuple[int, int]]:
        codes = keycodes(conn, chord.key, XK)
        base = modifier_mask(chord.modifiers, X)
        num_lock = num_lock_mask(conn, X, XK)
        # the grab must hold whatever the lock keys' state is (CapsLock, NumLock)
        extras = sorted({0, X.LockMask, num_lock, X.LockMask | num_lock})
        return [(code, base | extra) for code in codes for extra in extras]

    def _event(self, conn: Any, event: Any) -> None:
        X = xlib()[0]
        if event.type == X.PropertyNotify:
            if event.atom == conn.intern_atom("_NET_ACTIVE_WINDOW"):
                window = self._read_active(conn)
                if window != self._state.active_window:
                    self._state.active_window = window
                    if self.on_focus_change is not None:
                        self._thread.post(self.on_focus_change, window)
        elif event.type == X.KeyPress and self.on_grabbed is not None:
            for name, pairs in self._state.granted.items():
                if any(code == event.detail for code, _ in pairs):
                    self._thread.post(self.on_grabbed, name)
                    break

    def _read_active(self, conn: Any) -> int | None:
        X = xlib()[0]
        prop = conn.screen().root.get_full_property(conn.intern_atom("_NET_ACTIVE_WINDOW"),
                                                    X.AnyPropertyType)
        if prop is None or not prop.value:
            return None
        return int(prop.value[0]) or None

    def _closing(self, conn: Any) -> None:
        self._state.wanted.clear()
        self._apply(conn)
        self._restore_repeat(conn, everything=True)

    # -- the thread: synthetic keys ----------------------------------------------------------

    def _prepare(self, conn: Any) -> list[int]:
        """The round trips before the keys: is the keyboard free (our own grab counts as
        free), no repeat for the held chord key's next presses; held modifiers' keycodes."""
        X = xlib()[0]
        root = conn.screen().root
        down = keys_down(conn)
        modifiers = modifier_keycodes(conn)
        held_main = {code for pairs in self._state.granted.values() for code, _ in pairs
                     if code in down and code not in modifiers}
        if held_main:
            control = conn.get_keyboard_control()
            for code in held_main - set(self._state.repeat_off):
                repeated = bool(control.auto_repeats[code // 8] >> (code % 8) & 1)
                self._state.repeat_off[code] = repeated
                conn.change_keyboard_control(key=code, auto_repeat_mode=X.AutoRepeatModeOff)
        status = root.grab_keyboard(False, X.GrabModeAsync, X.GrabModeAsync, X.CurrentTime)
        if status != X.GrabSuccess:
            conn.sync()
            raise KeyboardBusyError()
        return sorted(down & modifiers)

    def _release(self, conn: Any, modifiers: list[int], *, flush: bool = False) -> list[str]:
        """Queue the ungrab and the held modifiers' release; their chord names."""
        X, XK, _display, _error, xtest = xlib()
        conn.ungrab_keyboard(X.CurrentTime)
        for code in modifiers:
            xtest.fake_input(conn, X.KeyRelease, code)
        if flush:
            conn.sync()
        if modifiers:
            log.info("released held modifiers before sending keys: %s",
                     ", ".join(keycode_name(conn, c, XK) for c in modifiers))
        return sorted({n for c in modifiers if (n := chord_name_of(conn, c, XK)) is not None})

    def _plan(self, conn: Any, chords: list[Chord]) -> list[tuple[list[int], int]]:
        """Each chord's modifier and key keycodes (local lookups: no round trip)."""
        XK = xlib()[1]
        plan: list[tuple[list[int], int]] = []
        for chord in chords:
            mods = [keycodes(conn, m, XK)[0] for m in sorted(chord.modifiers)]
            codes = keycodes(conn, chord.key, XK)
            if not codes:
                raise ValueError(f"{chord} has no key on this keyboard")
            keysym = conn.keycode_to_keysym(codes[0], 0)
            if len(chord.key) == 1 and keysym != ord(chord.key) and "shift" not in \
                    chord.modifiers:  # only on the shifted level of its key
                mods.append(keycodes(conn, "shift", XK)[0])
            plan.append((mods, codes[0]))
        return plan

    def _tap(self, conn: Any, plan: list[tuple[list[int], int]]) -> None:
        """Queue the planned key events, then flush the whole batch."""
        X, _XK, _display, _error, xtest = xlib()
        for mods, code in plan:
            for mod in mods:
                xtest.fake_input(conn, X.KeyPress, mod)
            xtest.fake_input(conn, X.KeyPress, code)
            xtest.fake_input(conn, X.KeyRelease, code)
            for mod in reversed(mods):
                xtest.fake_input(conn, X.KeyRelease, mod)
        conn.sync()

    def _tick(self, conn: Any) -> None:
        self._restore_repeat(conn, everything=False)

    def _restore_repeat(self, conn: Any, *, everything: bool) -> None:
        """Give a held chord key its auto-repeat back once it is up (or at close)."""
        if not self._state.repeat_off:
            return
        X = xlib()[0]
        down = set() if everything else keys_down(conn)
        for code, repeated in list(self._state.repeat_off.items()):
            if code in down:
                continue
            mode = X.AutoRepeatModeOn if repeated else X.AutoRepeatModeOff
            conn.change_keyboard_control(key=code, auto_repeat_mode=mode)
            del self._state.repeat_off[code]
        conn.sync()

    def _notify(self, text: str) -> None:
        if self.on_notice is not None:
            self._thread.post(self.on_notice, text)


def x11_session(env: Mapping[str, str]) -> bool:
    """An X11 session (DISPLAY set, not Wayland)."""
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY") \
        and env.get("XDG_SESSION_TYPE") != "wayland"


def make_x11_keyboard(*, on_notice: Callable[[str], None] | None = None,
                      on_focus_change: Callable[[int | None], None] | None = None,
                      env: Mapping[str, str] | None = None) -> X11Keyboard | None:
    """An `X11Keyboard` on X11 with python-xlib importable, else None."""
    env = dict(os.environ) if env is None else env
    if not x11_session(env):
        return None
    with contextlib.suppress(ImportError):
        xlib()
        return X11Keyboard(display_name=env["DISPLAY"], on_notice=on_notice,
                           on_focus_change=on_focus_change)
    return None
