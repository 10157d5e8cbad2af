"""Grabbing the cancel key on X11 while dictating ("a cancel key (Esc by default)
works while dictating and is only grabbed then").

The pynput listener only observes keys (XRecord), so without a grab Esc also reaches the
focused app. `CancelKeyGrab` makes a passive XGrabKey on the root window for the cancel
chord while a dictation runs, so the key goes to us alone, and releases it afterwards.
XRecord still sees grabbed keys, so the listener keeps reporting the chord as before; the
grab's own `on_press` is an extra, direct signal.

    grab = make_cancel_grab(on_press=..., on_notice=...)  # None off X11 / without Xlib
    grab.start()                  # on the loop: starts the grab thread and its connection
    grab.grab("esc")              # dictation started (a Chord or its text)
    grab.ungrab()                 # dictation ended
    grab.close()                  # at shutdown (blocks briefly: joins the thread)

Threads: every Xlib call happens on ONE dedicated thread with its own display connection
(Xlib connections are not thread-safe, and pynput's are busy recording). The loop asks by
queueing a request and waking the thread through a pipe; the thread reports back only with
`loop.call_soon_threadsafe`. A grab refused by the server (another client holds the key:
BadAccess) becomes a notice, never an exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import queue
import select
import threading
from collections.abc import Callable
from typing import Any

from ..chord import Chord, parse_chord

log = logging.getLogger(__name__)

# Chord key names (chord.normalize_key) -> X keysym names; single characters map through
# Latin-1 / Unicode keysyms.
_KEYSYMS: dict[str, tuple[str, ...]] = {
    "esc": ("Escape",), "space": ("space",), "enter": ("Return", "KP_Enter"),
    "tab": ("Tab",), "backspace": ("BackSpace",), "delete": ("Delete",),
    "insert": ("Insert",), "home": ("Home",), "end": ("End",), "page_up": ("Prior",),
    "page_down": ("Next",), "up": ("Up",), "down": ("Down",), "left": ("Left",),
    "right": ("Right",), "caps_lock": ("Caps_Lock",), "alt_gr": ("ISO_Level3_Shift",),
    "menu": ("Menu",), "pause": ("Pause",), "print_screen": ("Print",),
    "scroll_lock": ("Scroll_Lock",), "num_lock": ("Num_Lock",),
    "ctrl": ("Control_L", "Control_R"), "alt": ("Alt_L", "Alt_R"),
    "shift": ("Shift_L", "Shift_R"), "super": ("Super_L", "Super_R"),
    **{f"f{i}": (f"F{i}",) for i in range(1, 25)},
}
_MODIFIER_MASKS = {"shift": "ShiftMask", "ctrl": "ControlMask", "alt": "Mod1Mask",
                   "super": "Mod4Mask"}

BUSY_NOTICE = ("The cancel key {chord} could not be reserved (another application holds "
               "it), so it also reaches the focused window while dictating.")


def _xlib() -> tuple[Any, Any, Any, Any]:
    """(X, XK, display, error) from python-xlib (pynput's dependency), imported lazily."""
    return tuple(importlib.import_module(f"Xlib.{m}")  # type: ignore[return-value]
                 for m in ("X", "XK", "display", "error"))


def keysym_names(key: str) -> tuple[str, ...]:
    """X keysym names for a chord key name ("esc" -> ("Escape",)); () if unknown."""
    if key in _KEYSYMS:
        return _KEYSYMS[key]
    if len(key) == 1:
        return (key,)  # resolved by code point in `_keysyms`
    return ()


class CancelKeyGrab:
    """A root-window key grab, active only between `grab` and `ungrab`."""

    def __init__(self, on_press: Callable[[], None], *,
                 on_notice: Callable[[str], None] | None = None,
                 display_name: str | None = None) -> None:
        self.on_press = on_press
        self.on_notice = on_notice
        self.display_name = display_name
        self.grabbed: Chord | None = None  # the chord the server granted (thread's view)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._requests: queue.SimpleQueue[tuple[str, Chord | None, asyncio.Future[bool]
                                                | None]] = queue.SimpleQueue()
        self._wake_r, self._wake_w = -1, -1
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None

    # -- the loop side ------------------------------------------------------------------------

    def start(self) -> None:
        """Open the connection on the grab thread (raises if the display is unusable)."""
        if self._thread is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="x11-cancel-grab",
                                        daemon=True)
        self._thread.start()
        self._ready.wait(10.0)
        if self._start_error is not None:
            error, self._start_error = self._start_error, None
            self._thread.join(2.0)
            self._thread = None
            self._close_pipe()
            raise error

    def grab(self, chord: Chord | str) -> asyncio.Future[bool]:
        """Reserve `chord` (replacing any previous grab). The future says whether the X
        server granted it; a refusal is also reported to `on_notice`."""
        parsed = parse_chord(chord) if isinstance(chord, str) else chord
        return self._ask("grab", parsed)

    def ungrab(self) -> asyncio.Future[bool]:
        """Release the grab (no-op without one); the future resolves once released."""
        return self._ask("ungrab", None)

    def close(self) -> None:
        """Release any grab and end the thread (joins it)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._requests.put(("close", None, None))
        self._wake()
        thread.join(5.0)
        self._close_pipe()

    def _ask(self, what: str, chord: Chord | None) -> asyncio.Future[bool]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        if self._thread is None:
            future.set_result(False)
            return future
        self._requests.put((what, chord, future))
        self._wake()
        return future

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def _close_pipe(self) -> None:
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._wake_r = self._wake_w = -1

    def _post(self, callback: Callable[..., Any], *args: Any) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(callback, *args)

    def _resolve(self, future: asyncio.Future[bool] | None, value: bool) -> None:
        def settle(future: asyncio.Future[bool]) -> None:
            if not future.done():
                future.set_result(value)

        if future is not None:
            self._post(settle, future)

    # -- the grab thread ----------------------------------------------------------------------

    def _run(self) -> None:
        try:
            X, XK, display, error = _xlib()
            conn = display.Display(self.display_name)
        except BaseException as exc:  # no display, no Xlib: start() re-raises it
            self._start_error = exc
            self._ready.set()
            return
        self._ready.set()
        root = conn.screen().root
        grabbed: list[tuple[int, int]] = []  # (keycode, modifiers) granted
        last_release: dict[int, int] = {}  # keycode -> X time of its last release
        try:
            while True:
                while conn.pending_events():
                    event = conn.next_event()
                    codes = {code for code, _ in grabbed}
                    if event.type == X.KeyRelease and event.detail in codes:
                        last_release[event.detail] = event.time
                    # auto-repeat sends release+press with one timestamp: not a press
                    elif event.type == X.KeyPress and event.detail in codes \
                            and last_release.get(event.detail) != event.time:
                        self._post(self.on_press)
                while True:
                    try:
                        what, chord, future = self._requests.get_nowait()
                    except queue.Empty:
                        break
                    self._release(conn, root, grabbed)
                    if what == "close":
                        self._resolve(future, True)
                        return
                    if what == "ungrab" or chord is None:
                        self._resolve(future, True)
                        continue
                    ok = self._grab(conn, root, chord, grabbed, X, XK, error)
                    self._resolve(future, ok)
                    if not ok and self.on_notice is not None:
                        self._post(self.on_notice, BUSY_NOTICE.format(chord=chord))
                if conn.pending_events():  # read into Xlib's queue during a round trip
                    continue
                readable, _, _ = select.select([conn.fileno(), self._wake_r], [], [])
                if self._wake_r in readable:
                    with contextlib.suppress(OSError):
                        os.read(self._wake_r, 512)
        except Exception:
            log.exception("cancel-key grab thread failed")
        finally:
            with contextlib.suppress(Exception):
                self._release(conn, root, grabbed)
            with contextlib.suppress(Exception):
                conn.close()

    def _grab(self, conn: Any, root: Any, chord: Chord, grabbed: list[tuple[int, int]],
              X: Any, XK: Any, error: Any) -> bool:
        keycodes = _keycodes(conn, chord.key, XK)
        if not keycodes:
            log.info("cancel key %s has no keycode on this keyboard", chord)
            return False
        base = 0
        for mod in chord.modifiers:
            base |= getattr(X, _MODIFIER_MASKS[mod])
        num_lock = _num_lock_mask(conn, X, XK)
        # the grab must hold whatever the lock keys' state is (CapsLock, NumLock)
        extras = {0, X.LockMask, num_lock, X.LockMask | num_lock}
        catch = error.CatchError(error.BadAccess)
        wanted = [(code, base | extra) for code in keycodes for extra in sorted(extras)]
        for code, mods in wanted:
            root.grab_key(code, mods, False, X.GrabModeAsync, X.GrabModeAsync,
                          onerror=catch)
        conn.sync()  # errors are asynchronous: the round trip surfaces them now
        if catch.get_error() is not None:
            for code, mods in wanted:  # all or nothing: no half-reserved key
                root.ungrab_key(code, mods)
            conn.sync()
            log.info("cancel key %s is grabbed by another client", chord)
            return False
        grabbed.extend(wanted)
        self.grabbed = chord
        return True

    def _release(self, conn: Any, root: Any, grabbed: list[tuple[int, int]]) -> None:
        if not grabbed:
            return
        for code, mods in grabbed:
            root.ungrab_key(code, mods)
        grabbed.clear()
        conn.sync()
        self.grabbed = None


def _keycodes(conn: Any, key: str, XK: Any) -> list[int]:
    codes: list[int] = []
    for name in keysym_names(key):
        if len(name) == 1:
            cp = ord(name)
            keysym = cp if cp < 0x100 else 0x01000000 + cp  # Latin-1 / Unicode keysyms
        else:
            keysym = XK.string_to_keysym(name)
        if not keysym:
            continue
        for code, _index in conn.keysym_to_keycodes(keysym):
            if code not in codes:
                codes.append(code)
    return codes


def _num_lock_mask(conn: Any, X: Any, XK: Any) -> int:
    """The modifier bit NumLock sets (Mod2 on nearly every layout; asked, not assumed)."""
    num_lock_codes = {c for c, _ in conn.keysym_to_keycodes(XK.string_to_keysym("Num_Lock"))}
    masks = (X.ShiftMask, X.LockMask, X.ControlMask, X.Mod1Mask, X.Mod2Mask, X.Mod3Mask,
             X.Mod4Mask, X.Mod5Mask)
    for mask, codes in zip(masks, conn.get_modifier_mapping(), strict=False):
        if num_lock_codes & {c for c in codes if c}:
            return int(mask)
    return int(X.Mod2Mask)


def make_cancel_grab(on_press: Callable[[], None], *,
                     on_notice: Callable[[str], None] | None = None,
                     env: dict[str, str] | None = None) -> CancelKeyGrab | None:
    """A `CancelKeyGrab` on X11 (DISPLAY set, not Wayland, python-xlib importable), else
    None: elsewhere the cancel key stays observe-only."""
    env = dict(os.environ) if env is None else env
    if not env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") \
            or env.get("XDG_SESSION_TYPE") == "wayland":
        return None
    try:
        _xlib()
    except ImportError:
        return None
    return CancelKeyGrab(on_press, on_notice=on_notice, display_name=env["DISPLAY"])
