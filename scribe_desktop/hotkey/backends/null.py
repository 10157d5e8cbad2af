"""The backend of last resort: no global hotkeys here (Wayland without a supported
compositor, no display). It never fires; the status says what to do instead."""

from __future__ import annotations

from collections.abc import Callable

from .base import KeyEvent


class NullListener:
    """A `KeyListener` that delivers nothing."""

    def start(self, on_event: Callable[[KeyEvent], None]) -> None:
        return None

    def stop(self) -> None:
        return None
