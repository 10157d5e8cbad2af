"""Global-key backends, picked by priority: on Wayland, sway's IPC binding events
(`sway_ipc`; other compositors let no app see global keys, and the XDG GlobalShortcuts
portal is not implemented yet); on X11, Windows and macOS, pynput; else `NullListener`.
On X11 `x11_grab` reserves the chords so the focused app never receives them, watches the
focus, and sends our synthetic keys safely.
"""

from __future__ import annotations

import logging
import os
import sys

from .base import TOGGLE_HINT, KeyEvent, KeyListener, ListenerKind, ListenerStatus, unavailable
from .null import NullListener

log = logging.getLogger(__name__)

__all__ = ["TOGGLE_HINT", "KeyEvent", "KeyListener", "ListenerKind", "ListenerStatus",
           "NullListener", "detect", "make_listener"]


def detect(env: dict[str, str] | None = None, *, platform: str = sys.platform) -> ListenerStatus:
    """Can global hotkeys work in this session, and through which backend? Cheap enough for
    the self-check."""
    env = dict(os.environ) if env is None else env
    if platform.startswith("linux") or "bsd" in platform:
        wayland = env.get("XDG_SESSION_TYPE") == "wayland" or bool(env.get("WAYLAND_DISPLAY"))
        if wayland:
            from .sway_ipc import sway_status

            status = sway_status(env)
            if status.available or env.get("SWAYSOCK"):
                return status
            return unavailable("Wayland does not let apps listen to global keys (sway's "
                               "IPC is supported; the GlobalShortcuts portal is not yet)")
        if not env.get("DISPLAY"):
            return unavailable("no X11 display (DISPLAY is not set)")
    from .pynput_listener import pynput_status

    return pynput_status()


def make_listener(status: ListenerStatus | None = None) -> KeyListener:
    """The listener `status` (default: `detect()`) names; `NullListener` when there is none."""
    status = status or detect()
    if status.kind == ListenerKind.PYNPUT:
        from .pynput_listener import PynputListener

        return PynputListener()
    if status.kind == ListenerKind.SWAY:
        from .sway_ipc import SwayBindings

        return SwayBindings()
    log.info("%s", status.message)
    return NullListener()
