"""The global key listener (layer 1): pynput where it works (X11, Windows, macOS), imported
lazily because importing it without a display fails (test-rig.md "Hotkeys and typing").

`backend_status()` says whether global hotkeys can work here and, when not, what to do
instead (bind a desktop shortcut to `scribe-desktop --toggle`); the window and the
self-check show it. `make_listener()` returns a `KeyListener` or None.

Threads: pynput calls back on its own thread; that thread only timestamps the key and hands
a small `KeyEvent` to the asyncio loop with `loop.call_soon_threadsafe`. Everything else
happens on the loop.

Seam for Wayland: an XDG GlobalShortcuts portal backend (press and release of a bound
shortcut over D-Bus; KDE, GNOME 48+, Hyprland) would implement `KeyListener` by reporting the
chord's keys as one `KeyEvent` pair; `make_listener` would pick it when `backend_status`
finds the portal. It is not implemented: it cannot be tested here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from ..chord import normalize_key

log = logging.getLogger(__name__)

TOGGLE_HINT = ("Bind a keyboard shortcut in your desktop's settings to the command "
               "`scribe-desktop --toggle` to start and stop dictation.")


class BackendKind(StrEnum):
    PYNPUT = "pynput"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class BackendStatus:
    """Whether global hotkeys work here. `message` is for the user (UI, self-check)."""

    available: bool
    backend: BackendKind
    message: str

    @property
    def hint(self) -> str:
        return "" if self.available else TOGGLE_HINT


@dataclass(frozen=True, slots=True)
class KeyEvent:
    key: str  # normalized name (chord.normalize_key)
    down: bool
    t: float  # time.monotonic() when the listener thread saw it


class KeyListener(Protocol):
    """A running source of global key events (pynput now; the portal later)."""

    def start(self, on_event: Callable[[KeyEvent], None]) -> None:
        """Begin delivering events to `on_event` on the running asyncio loop."""

    def stop(self) -> None: ...


def _unavailable(reason: str) -> BackendStatus:
    return BackendStatus(False, BackendKind.NONE,
                         f"No global hotkey backend: {reason}. {TOGGLE_HINT}")


def backend_status(env: dict[str, str] | None = None, *,
                   platform: str = sys.platform) -> BackendStatus:
    """Can global hotkeys work in this session? Cheap enough for the self-check; imports
    pynput (once) on X11 to be sure."""
    env = dict(os.environ) if env is None else env
    if platform.startswith("linux") or "bsd" in platform:
        wayland = env.get("XDG_SESSION_TYPE") == "wayland" or bool(env.get("WAYLAND_DISPLAY"))
        if wayland:
            return _unavailable("Wayland does not let apps listen to global keys "
                                "(the GlobalShortcuts portal is not supported yet)")
        if not env.get("DISPLAY"):
            return _unavailable("no X11 display (DISPLAY is not set)")
    try:
        _import_pynput()
    except Exception as exc:  # ImportError, or Xlib failing to connect to the display
        return _unavailable(f"pynput cannot start ({type(exc).__name__}: {exc})")
    return BackendStatus(True, BackendKind.PYNPUT, "Global hotkeys: pynput")


def _import_pynput() -> Any:
    from pynput import keyboard  # lazy: fails without a display

    return keyboard


def key_name(key: Any) -> str | None:
    """A pynput Key/KeyCode as a normalized name ("ctrl", "space", "a"), or None."""
    name = getattr(key, "name", None)  # pynput.keyboard.Key members
    if isinstance(name, str):
        return normalize_key(name)
    char = getattr(key, "char", None)
    if isinstance(char, str) and char:
        if len(char) == 1 and ord(char) < 32:  # a control character: Ctrl held on some OSes
            return chr(ord(char) + 96)
        return normalize_key(char)
    vk = getattr(key, "vk", None)
    if vk == 0x20:  # canonical() turns Key.space into a bare keysym
        return "space"
    return f"vk{vk}" if vk is not None else None


class PynputListener:
    """`KeyListener` on pynput's keyboard listener (observes, never suppresses keys)."""

    def __init__(self) -> None:
        self._listener: Any = None

    def start(self, on_event: Callable[[KeyEvent], None]) -> None:
        keyboard = _import_pynput()
        loop = asyncio.get_running_loop()
        holder: dict[str, Any] = {}

        def deliver(key: Any, down: bool) -> None:
            t = time.monotonic()  # stamped on the listener thread: true press/release time
            listener = holder.get("listener")
            if listener is not None and getattr(key, "name", None) is None:
                key = listener.canonical(key)  # a character: strip modifiers (ctrl+a -> "a")
            name = key_name(key)
            if name is not None:
                loop.call_soon_threadsafe(on_event, KeyEvent(name, down, t))

        listener = keyboard.Listener(on_press=lambda k, *_: deliver(k, True),
                                     on_release=lambda k, *_: deliver(k, False))
        holder["listener"] = listener
        listener.daemon = True
        listener.start()
        listener.wait()  # the X record context is running: no early key is missed
        self._listener = listener

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
            # pynput 1.8's xorg stop() queues the disable request on the recording
            # connection without flushing it, so the thread only ends at the next key;
            # disabling from the idle control connection ends it now.
            with contextlib.suppress(Exception):
                stopper = listener._display_stop
                stopper.record_disable_context(listener._context)
                stopper.flush()
            listener.join(2.0)  # its thread must not outlive the display it talks to


def make_listener(status: BackendStatus | None = None) -> KeyListener | None:
    """The listener for this session, or None when `backend_status()` says there is none."""
    status = status or backend_status()
    if status.backend == BackendKind.PYNPUT:
        return PynputListener()
    log.info("%s", status.message)
    return None
