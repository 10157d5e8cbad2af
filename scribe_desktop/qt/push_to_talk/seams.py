"""What push-to-talk needs of the pieces around it, as Protocols (the X11 keyboard service,
sway's bindings, or a test's stand-in). What it needs of the worker is
`qt.worker.api.DictationControls`; of the insertion, `inject.inserter.Inserter`."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Protocol

from ...hotkey.chord import Chord


class ChordReservations(Protocol):
    """Keeps the chords from reaching the focused app (`hotkey.backends.x11_grab.X11Keyboard`,
    `hotkey.backends.sway_ipc.SwayBindings`)."""

    async def reserve(self, chords: Mapping[str, Chord | None]) -> dict[str, bool]: ...
    async def reserve_cancel(self, chord: Chord | None) -> bool: ...
    async def suspend(self, on: bool) -> None: ...


class Outcome(StrEnum):
    """How a hotkey dictation ended, for the overlay, the tray and the sounds."""

    INSERTED = "inserted"
    NOTHING_HEARD = "nothing heard"
    NOT_INSERTED = "not inserted"
    CANCELLED = "cancelled"


class Cue(StrEnum):
    """Feedback sounds."""

    START = "start"
    STOP = "stop"
    ERROR = "error"
