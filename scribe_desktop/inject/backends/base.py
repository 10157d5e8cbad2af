"""What an insertion backend is: a `Desktop` (the focused window, keys, typing) and a
`Clipboard` (read, a one-paste offer, write), plus `InjectionStatus`, which says whether
inserting works here and, when not, what is missing. Backends are picked by priority in
`inject.backends.detect()`; the null one explains why nothing can be inserted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ..text import is_terminal

_TEXT_TYPES = ("UTF8_STRING", "text/plain;charset=utf-8", "STRING", "TEXT", "text/plain")


class InjectionKind(StrEnum):
    X11 = "x11"
    WAYLAND = "wayland"  # wlroots compositors: wl-clipboard + wtype (virtual keyboard)
    NONE = "none"


@dataclass(frozen=True, slots=True)
class InjectionStatus:
    """Whether text can be inserted here; `message` is for the user (UI, self-check)."""

    available: bool
    kind: InjectionKind
    message: str


@dataclass(frozen=True, slots=True)
class Target:
    """A window text went (or goes) to. Two targets are the same window only if all of
    window, app and pid agree: X window ids are reused by new windows."""

    window: int | None  # X window id or sway container id; None: unknown
    app: str = ""  # WM_CLASS or Wayland app_id
    pid: int | None = None

    @property
    def known(self) -> bool:
        return self.window is not None

    @property
    def terminal(self) -> bool:
        return is_terminal(self.app)


@dataclass(frozen=True, slots=True)
class ClipboardContent:
    """One format of what the clipboard held (the tools serve one type per owner)."""

    target: str  # X selection target or MIME type
    data: bytes

    @property
    def text(self) -> str | None:
        if self.target in _TEXT_TYPES:
            return self.data.decode("utf-8", "replace")
        return None


class PasteOffer(Protocol):
    async def served(self, timeout_s: float) -> bool: ...
    async def withdraw(self) -> None: ...


class Clipboard(Protocol):
    async def read(self) -> ClipboardContent | None: ...
    async def offer(self, text: str) -> PasteOffer: ...
    async def write(self, content: ClipboardContent | None) -> None: ...  # None: clear it


class Desktop(Protocol):
    """The focused window and synthetic keys."""

    async def focused(self) -> Target: ...
    async def activate(self, target: Target) -> bool: ...  # True: it has the focus
    async def paste(self, target: Target) -> None: ...  # send its paste shortcut
    async def type_text(self, text: str) -> None: ...
    async def backspace(self, count: int) -> None: ...


class KeyGuard(Protocol):
    """Makes synthetic keys safe on X11 (`hotkey.backends.x11_grab.X11Keyboard`)."""

    async def before_keys(self) -> bool: ...  # False: another client holds the keyboard
    # "ctrl+v", "backspace", after what before_keys does; False: nothing sent (keyboard busy)
    async def send(self, chords: Sequence[str]) -> bool: ...

    def note_typed(self, text: str) -> None: ...  # what xdotool typed (for the hold-back)

    async def clipboard_owner(self) -> int: ...  # the CLIPBOARD owner's window (0: none)


class KeyboardBusyError(RuntimeError):
    """Another client holds the keyboard (an open menu): keys would go to it."""

    def __init__(self) -> None:
        super().__init__("A menu or another application holds the keyboard, so the text "
                         "was not inserted (Paste last transcript inserts it later).")


class InsertUnavailableError(RuntimeError):
    """No insertion backend here; the message says what is missing."""
