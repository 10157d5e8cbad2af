"""Insertion modes, smart joining and "undo last dictation" (on `x11`).

- PASTE: snapshot the clipboard, offer our text for one paste, send the window's paste
  shortcut (Ctrl+Shift+V in terminals), then restore the previous content only if the
  clipboard still holds our text (or nothing: our one-paste owner is gone) — never when the
  user copied something new meanwhile (Handy #502).
- TYPE: ASCII is typed with xdotool; non-ASCII runs go through the paste path, which is
  exact for any Unicode text (test-rig.md: keysym typing sometimes garbles €, ï).
- COPY: the text is only put on the clipboard.

What was inserted is remembered per dictation, so "Undo last dictation" deletes exactly that
many characters (BackSpace; only if the same window still has the focus) and "Paste last
transcript" inserts it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from .text import paste_shortcut, smart_join, split_ascii_runs
from .x11 import ClipboardContent, PasteOffer, X11Desktop, X11ToolError, XclipClipboard

log = logging.getLogger(__name__)

PASTE_SERVE_TIMEOUT_S = 2.0  # the target fetches a paste within ms; a hung app is let go


class InsertMode(StrEnum):
    PASTE = "paste"
    TYPE = "type"
    COPY = "copy"  # only put the text on the clipboard


class Desktop(Protocol):
    async def active_window(self) -> int | None: ...
    async def window_class(self, window: int) -> str: ...
    async def activate(self, window: int) -> bool: ...
    async def key(self, *keys: str) -> None: ...
    async def type_text(self, text: str) -> None: ...
    async def backspace(self, count: int) -> None: ...


class Clipboard(Protocol):
    async def read(self) -> ClipboardContent | None: ...
    async def read_text(self) -> str | None: ...
    async def offer(self, text: str) -> PasteOffer: ...
    async def write(self, content: ClipboardContent) -> None: ...
    async def write_text(self, text: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Target:
    """The window that had the focus when the dictation started."""

    window: int | None
    wm_class: str = ""


@dataclass(slots=True)
class Insertion:
    """What one dictation put into its target (accumulated over per-segment inserts)."""

    target: Target
    mode: InsertMode
    transcript: str = ""  # the dictated text as recognised (for "paste last")
    inserted: str = ""  # exactly what was typed/pasted, spacing included (for undo)
    pasted_ok: bool = True  # every paste was fetched by the target
    restored: bool | None = None  # last paste: previous clipboard restored (None: n/a)
    notices: list[str] = field(default_factory=list)


class InsertError(RuntimeError):
    """Insertion failed; the message is for the user."""


class Inserter:
    """Inserts text into target windows; remembers the last dictation for undo/paste-last."""

    def __init__(self, desktop: Desktop | None = None, clipboard: Clipboard | None = None,
                 *, mode: InsertMode = InsertMode.PASTE, smart: bool = True) -> None:
        self.desktop: Desktop = desktop or X11Desktop()
        self.clipboard: Clipboard = clipboard or XclipClipboard()
        self.mode = mode
        self.smart = smart
        self.last: Insertion | None = None
        self._context: dict[int | None, str] = {}  # window -> end of what we inserted there

    async def capture_target(self) -> Target:
        """The focused window now (call at the hotkey press)."""
        try:
            window = await self.desktop.active_window()
            wm_class = await self.desktop.window_class(window) if window is not None else ""
        except X11ToolError as exc:
            log.warning("cannot read the focused window: %s", exc)
            return Target(None)
        return Target(window, wm_class)

    def begin(self, target: Target) -> Insertion:
        """Start a dictation's insertion record (it becomes `last` when text arrives)."""
        return Insertion(target, self.mode)

    async def insert(self, record: Insertion, text: str) -> str:
        """Insert `text` (one segment or a whole dictation) into `record.target`, joined
        smartly to what we inserted there before; returns what was actually inserted."""
        previous = self._context.get(record.target.window)
        piece = smart_join(previous, text, spacing=self.smart, capitalize=self.smart)
        if not piece:
            return ""
        record.transcript = (record.transcript + " " + text.strip()).strip()
        self.last = record
        if record.mode == InsertMode.COPY:
            await self.clipboard.write_text(record.transcript)
            record.inserted = record.transcript
            return ""
        if record.target.window is not None and \
                not await self.desktop.activate(record.target.window):
            raise InsertError("The window you dictated into is gone; the text was not "
                              "inserted (use Paste last transcript).")
        if record.mode == InsertMode.TYPE:
            for is_ascii, run in split_ascii_runs(piece):
                if is_ascii:
                    await self.desktop.type_text(run)
                else:
                    await self._paste(record, run)
        else:
            await self._paste(record, piece)
        record.inserted += piece
        self._context[record.target.window] = (previous or "") + piece
        return piece

    async def _paste(self, record: Insertion, text: str) -> None:
        previous = await self.clipboard.read()
        offer = await self.clipboard.offer(text)
        try:
            await self.desktop.key(paste_shortcut(record.target.wm_class))
            served = await offer.served(PASTE_SERVE_TIMEOUT_S)
        finally:
            await offer.withdraw()
        if not served:
            record.pasted_ok = False
            record.notices.append("The focused app did not take the pasted text.")
        record.restored = await self._restore(previous, text)

    async def _restore(self, previous: ClipboardContent | None, ours: str) -> bool:
        """Put `previous` back only if the clipboard still holds our text or nothing."""
        if previous is None:
            return True  # it was empty, and our one-paste owner is gone: empty again
        now = await self.clipboard.read()
        if now is not None and now.text != ours:
            log.info("clipboard changed since the paste: not restoring it")
            return False
        await self.clipboard.write(previous)
        return True

    async def undo_last(self) -> str:
        """Delete what the last dictation inserted, if its window has the focus; returns a
        notice for the user."""
        record = self.last
        if record is None or not record.inserted:
            return "Nothing to undo."
        if record.mode == InsertMode.COPY:
            return "The last dictation was only copied; nothing to undo."
        if await self.desktop.active_window() != record.target.window:
            return "Undo works only in the window the last dictation went into."
        await self.desktop.backspace(len(record.inserted))
        context = self._context.get(record.target.window, "")
        if context.endswith(record.inserted):
            context = context[: len(context) - len(record.inserted)]
        self._context[record.target.window] = context
        count, record.inserted = len(record.inserted), ""
        return f"Removed the last dictation ({count} characters)."

    async def paste_last(self) -> str:
        """Insert the last transcript again into the focused window."""
        if self.last is None or not self.last.transcript:
            return "No transcript to paste yet."
        text = self.last.transcript
        target = await self.capture_target()
        record = self.begin(target)
        await self.insert(record, text)
        return "Pasted the last transcript."
