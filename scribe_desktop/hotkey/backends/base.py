"""What every global-key backend is: a `KeyListener` delivering `KeyEvent`s on the
asyncio loop, and a `ListenerStatus` saying whether it works here and, when not, what to do
instead. Backends are picked by priority in `hotkey.backends.detect()`; `NullListener` is
the one that never fires, so callers never test for None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

TOGGLE_HINT = ("Bind a keyboard shortcut in your desktop's settings to run "
               "`scribe-desktop --start --insert` when pressed and `scribe-desktop --stop "
               "--insert` when released (or `--toggle --insert` on one key): the text goes "
               "into the focused app as with the hotkey.")


class ListenerKind(StrEnum):
    PYNPUT = "pynput"
    SWAY = "sway"  # sway's IPC binding events
    NONE = "none"


@dataclass(frozen=True, slots=True)
class ListenerStatus:
    """Whether global hotkeys work here. `message` is for the user (UI, self-check)."""

    available: bool
    kind: ListenerKind
    message: str

    @property
    def hint(self) -> str:
        return "" if self.available else TOGGLE_HINT


def unavailable(reason: str) -> ListenerStatus:
    return ListenerStatus(False, ListenerKind.NONE,
                          f"No global hotkey backend: {reason}. {TOGGLE_HINT}")


POINTER = "pointer"  # KeyEvent.key of a mouse button press (user input, never a chord key)


@dataclass(frozen=True, slots=True)
class KeyEvent:
    key: str  # normalized name (chord.normalize_key)
    down: bool
    t: float  # time.monotonic() when the listener thread saw it


class KeyListener(Protocol):
    """A running source of global key events."""

    def start(self, on_event: Callable[[KeyEvent], None]) -> None:
        """Begin delivering events to `on_event` on the running asyncio loop."""

    def stop(self) -> None: ...
