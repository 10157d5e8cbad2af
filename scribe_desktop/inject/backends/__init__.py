"""Insertion backends, picked by priority: Wayland compositors with a virtual keyboard
(wl-clipboard + wtype), X11 (xdotool + xclip), else the null backend, which says what is
missing. Each is a `Desktop` plus a `Clipboard` (`base.py`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .base import (
    Clipboard,
    ClipboardContent,
    Desktop,
    InjectionKind,
    InjectionStatus,
    InsertUnavailableError,
    KeyboardBusyError,
    KeyGuard,
    PasteOffer,
    Target,
)
from .null import NullClipboard, NullDesktop
from .wayland import WaylandDesktop, WlClipboard, wayland_status
from .x11 import X11Desktop, XclipClipboard, x11_status

__all__ = ["Backend", "Clipboard", "ClipboardContent", "Desktop", "InjectionKind",
           "InjectionStatus", "InsertUnavailableError", "KeyGuard", "KeyboardBusyError",
           "PasteOffer", "Target", "detect", "make_backend"]


@dataclass(frozen=True, slots=True)
class Backend:
    status: InjectionStatus
    desktop: Desktop
    clipboard: Clipboard


def detect(env: Mapping[str, str] | None = None) -> InjectionStatus:
    """Which insertion backend works in this session (cheap: looks at the environment and
    the tools on PATH)."""
    env = dict(os.environ) if env is None else env
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland":
        return wayland_status(env)
    return x11_status(env)


def make_backend(status: InjectionStatus | None = None, *, guard: KeyGuard | None = None,
                 env: Mapping[str, str] | None = None) -> Backend:
    """The backend `status` (default: `detect()`) names; `guard` makes X11 keys safe."""
    env = dict(os.environ) if env is None else env
    status = status or detect(env)
    if status.kind == InjectionKind.WAYLAND:
        return Backend(status, WaylandDesktop(env), WlClipboard())
    if status.kind == InjectionKind.X11:
        return Backend(status, X11Desktop(guard), XclipClipboard(guard))
    return Backend(status, NullDesktop(status.message), NullClipboard(status.message))
