"""What push-to-talk needs of the cancel-key grab, as a Protocol (the X11 grab, or a test's
stand-in). What it needs of the worker is `qt.worker.api.DictationControls`."""

from __future__ import annotations

from typing import Any, Protocol

from ...hotkey.chord import Chord


class CancelGrab(Protocol):
    """What the controller needs of `hotkey.x11_grab.CancelKeyGrab` (a seam for tests)."""

    def start(self) -> None: ...
    def grab(self, chord: Chord) -> Any: ...
    def ungrab(self) -> Any: ...
    def close(self) -> None: ...
