"""Global keys through pynput (X11, Windows, macOS), imported lazily because importing it
without a display fails (test-rig.md "Hotkeys and typing").

Threads: pynput calls back on its own thread; that thread only timestamps the key and hands
a small `KeyEvent` to the asyncio loop with `loop.call_soon_threadsafe`. Everything else
happens on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from ..chord import normalize_key
from .base import POINTER, KeyEvent, ListenerKind, ListenerStatus, unavailable


def pynput_status() -> ListenerStatus:
    """Whether pynput can listen here (imports it once: that needs a display on X11)."""
    try:
        _import_pynput()
    except Exception as exc:  # ImportError, or Xlib failing to connect to the display
        return unavailable(f"pynput cannot start ({type(exc).__name__}: {exc})")
    return ListenerStatus(True, ListenerKind.PYNPUT, "Global hotkeys: pynput")


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


def base_name(listener: Any, key: Any) -> str | None:
    """The name of a character key on its key's first level, whatever the Shift state: on
    X11 pynput names a key by its keysym under the current modifiers, so Shift+3 is pressed
    as "#" and, Shift let go first, released as "3". One name for both keeps the key from
    staying "down" for ever (and its next press from passing for an auto-repeat). None when
    unknown (not X11, or not a character)."""
    vk = getattr(key, "vk", None)
    mapping = getattr(listener, "_keyboard_mapping", None)
    if not isinstance(vk, int) or getattr(key, "char", None) is None or not mapping:
        return None
    for row in mapping:
        if vk in row:
            first = row[0]
            return normalize_key(chr(first)) if 0x20 < first < 0x100 else None
    return None


class PynputListener:
    """`KeyListener` on pynput's keyboard listener (observes, never suppresses keys); mouse
    button presses come as `KeyEvent(POINTER, ...)` (a click may move the caret)."""

    def __init__(self, *, pointer: bool = True) -> None:
        self.pointer = pointer
        self._listeners: list[Any] = []

    def start(self, on_event: Callable[[KeyEvent], None]) -> None:
        keyboard = _import_pynput()
        loop = asyncio.get_running_loop()
        holder: dict[str, Any] = {}

        def deliver(key: Any, down: bool) -> None:
            t = time.monotonic()  # stamped on the listener thread: true press/release time
            listener = holder.get("listener")
            name = base_name(listener, key)
            if name is None and listener is not None and getattr(key, "name", None) is None:
                key = listener.canonical(key)  # a character: strip modifiers (ctrl+a -> "a")
            name = name or key_name(key)
            if name is not None:
                loop.call_soon_threadsafe(on_event, KeyEvent(name, down, t))

        listener = keyboard.Listener(on_press=lambda k, *_: deliver(k, True),
                                     on_release=lambda k, *_: deliver(k, False))
        holder["listener"] = listener
        self._run(listener)
        if self.pointer:
            from pynput import mouse  # lazy like the keyboard

            def click(_x: int, _y: int, _button: Any, pressed: bool, *_: Any) -> None:
                if pressed:
                    loop.call_soon_threadsafe(on_event, KeyEvent(POINTER, True,
                                                                 time.monotonic()))

            self._run(mouse.Listener(on_click=click))

    def _run(self, listener: Any) -> None:
        listener.daemon = True
        listener.start()
        listener.wait()  # the X record context is running: no early event is missed
        self._listeners.append(listener)

    def stop(self) -> None:
        listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener.stop()
            # pynput 1.8's xorg stop() queues the disable request on the recording
            # connection without flushing it, so the thread only ends at the next event;
            # disabling from the idle control connection ends it now.
            with contextlib.suppress(Exception):
                stopper = listener._display_stop
                stopper.record_disable_context(listener._context)
                stopper.flush()
            listener.join(2.0)  # its thread must not outlive the display it talks to
