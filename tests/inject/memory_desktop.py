"""An in-memory desktop for insertion tests without X11: windows with a text field and a
caret, a clipboard whose one-paste offer is fetched only when the paste keys reach a field,
a menu that holds the keyboard (keys are refused, as the X11 backend refuses them when
another client has grabbed the keyboard), and a field that ignores pastes (the offer is never
fetched). Every character remembers who put it there ("user" or "ours"), so a test can check
that undo never deleted a user's character.

It implements the `Desktop` and `Clipboard` protocols of `inject.backends.base`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from scribe_desktop.inject.backends.base import ClipboardContent, KeyboardBusyError, Target


@dataclass
class Window:
    app: str
    pid: int
    chars: list[tuple[str, str]] = field(default_factory=list)  # (char, "user" | "ours")
    caret: int = 0

    @property
    def text(self) -> str:
        return "".join(c for c, _ in self.chars)

    def insert(self, text: str, owner: str) -> None:
        self.chars[self.caret:self.caret] = [(c, owner) for c in text]
        self.caret += len(text)

    def backspace(self, count: int) -> list[tuple[str, str]]:
        start = max(0, self.caret - count)
        removed = self.chars[start:self.caret]
        del self.chars[start:self.caret]
        self.caret = start
        return removed


class MemoryOffer:
    def __init__(self, clipboard: MemoryClipboard, text: str) -> None:
        self.clipboard = clipboard
        self.text = text
        self.fetched = asyncio.Event()

    async def served(self, timeout_s: float) -> bool:
        try:
            await asyncio.wait_for(self.fetched.wait(), min(timeout_s, 0.01))
        except TimeoutError:
            return False
        return True

    async def withdraw(self) -> None:
        if self.clipboard.offered is self:
            self.clipboard.offered = None
            if not self.fetched.is_set():
                self.clipboard.content = None


class MemoryClipboard:
    def __init__(self) -> None:
        self.content: ClipboardContent | None = None
        self.offered: MemoryOffer | None = None

    async def read(self) -> ClipboardContent | None:
        if self.offered is not None:
            return ClipboardContent("UTF8_STRING", self.offered.text.encode())
        return self.content

    async def offer(self, text: str) -> MemoryOffer:
        self.offered = MemoryOffer(self, text)
        return self.offered

    async def write(self, content: ClipboardContent | None) -> None:
        self.content = content

    def fetch(self) -> str | None:
        """A field pastes: the one-paste offer is served (once), else the content."""
        offer = self.offered
        if offer is not None and not offer.fetched.is_set():
            offer.fetched.set()
            self.offered = None
            self.content = None  # the one-paste owner exits: the clipboard is empty
            return offer.text
        return self.content.text if self.content is not None else None


class MemoryDesktop:
    """Windows by id; `focus` is the focused one; `menu_open` swallows keys."""

    def __init__(self) -> None:
        self.windows: dict[int, Window] = {}
        self.focus: int | None = None
        self.menu_open = False  # a menu holds the keyboard: keys are refused
        self.ignores_paste = False  # the paste keys arrive, but nothing is fetched
        self.clipboard = MemoryClipboard()
        self.removed: list[tuple[str, str]] = []  # every character our backspaces deleted
        self.pastes = 0

    def open(self, window: int, app: str = "editor", pid: int = 100) -> Window:
        self.windows[window] = Window(app, pid)
        self.focus = window
        return self.windows[window]

    def close(self, window: int) -> None:
        del self.windows[window]
        if self.focus == window:
            self.focus = None

    @property
    def field(self) -> Window:
        assert self.focus is not None
        return self.windows[self.focus]

    @property
    def typed(self) -> str:
        return self.field.text if self.focus in self.windows else ""

    async def focused(self) -> Target:
        if self.focus is None or self.focus not in self.windows:
            return Target(None)
        w = self.windows[self.focus]
        return Target(self.focus, w.app, w.pid)

    async def activate(self, target: Target) -> bool:
        if target.window is None:
            return True
        w = self.windows.get(target.window)
        if w is None or (w.app, w.pid) != (target.app, target.pid):
            return False
        self.focus = target.window
        return True

    def _ready(self) -> None:
        if self.menu_open:
            raise KeyboardBusyError()

    async def paste(self, target: Target) -> None:
        self._ready()
        self.pastes += 1
        if self.ignores_paste or self.focus not in self.windows:
            return
        text = self.clipboard.fetch()
        if text:
            self.field.insert(text, "ours")

    async def type_text(self, text: str) -> None:
        self._ready()
        if self.focus in self.windows:
            self.field.insert(text, "ours")

    async def backspace(self, count: int) -> None:
        self._ready()
        if self.focus in self.windows:
            self.removed += self.field.backspace(count)
