"""Global-key backends, picked by priority: pynput where apps may listen to keys
(X11, Windows, macOS); on Wayland none yet (the XDG GlobalShortcuts portal would implement
`KeyListener` by reporting the bound chord as a press/release pair); else `NullListener`.
`x11_grab` keeps a key from reaching the focused app while we use it.
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
            return unavailable("Wayland does not let apps listen to global keys "
                               "(the GlobalShortcuts portal is not supported yet)")
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
    log.info("%s", status.message)
    return NullListener()
