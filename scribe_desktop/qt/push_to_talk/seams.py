"""What push-to-talk needs of the pieces around it, as Protocols (the X11 keyboard service,
sway's bindings, or a test's stand-in), and what it tells the user (`Feedback`). What it
needs of the worker is `qt.worker.api.DictationControls`; of the insertion,
`inject.inserter.Inserter`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Protocol

from ...hotkey.chord import Chord

log = logging.getLogger("scribe_desktop.qt.push_to_talk.controller")


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


class Feedback:
    """What push-to-talk tells the user: notices (status bar, tray; also kept in
    `notices`), the outcome of each dictation (overlay, tray) and the sound cues."""

    def __init__(self, on_notice: Callable[[str], None] | None = None,
                 on_outcome: Callable[[Outcome, str], None] | None = None,
                 on_cue: Callable[[Cue], object] | None = None) -> None:
        self.on_notice = on_notice
        self.on_outcome = on_outcome
        self.on_cue = on_cue
        self.notices: list[str] = []

    def notice(self, text: str) -> None:
        log.info("notice: %s", text)
        self.notices.append(text)
        if self.on_notice is not None:
            self.on_notice(text)

    def outcome(self, outcome: Outcome, detail: str) -> None:
        if self.on_outcome is not None:
            self.on_outcome(outcome, detail)

    def cue(self, cue: Cue) -> None:
        if self.on_cue is not None:
            self.on_cue(cue)
