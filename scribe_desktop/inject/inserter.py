"""Insertion modes, smart joining, "undo last dictation" and "paste last transcript", on
one backend (`backends`: a Desktop and a Clipboard).

- PASTE: snapshot the clipboard, offer our text for ONE paste, send the window's paste
  shortcut (Ctrl+Shift+V in terminals); the offer being fetched is what says the text
  landed. Then the previous content comes back, only if the clipboard still holds our text
  or nothing — never when the user copied something new meanwhile (Handy #502).
- TYPE: ASCII is typed; non-ASCII runs go through the paste path, which is exact for any
  Unicode text (test-rig.md: keysym typing sometimes garbles €, ï).
- COPY: the text is only put on the clipboard.

Only text that landed goes into the `InsertionLedger`; a paste nobody fetched (a menu took
the keys, the window vanished) raises `InsertError` and leaves the ledger alone, so undo can
never delete what it did not insert.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from .backends.base import (
    Clipboard,
    ClipboardContent,
    Desktop,
    InsertUnavailableError,
    KeyboardBusyError,
    Target,
)
from .ledger import InsertionLedger, Landed, UndoRefused
from .text import smart_join, split_ascii_runs
from .tools import ToolError

log = logging.getLogger(__name__)

PASTE_SERVE_TIMEOUT_S = 3.0  # the target fetches a paste within ms; a hung app is let go
_ids = itertools.count(1)
T = TypeVar("T")


class InsertMode(StrEnum):
    PASTE = "paste"
    TYPE = "type"
    COPY = "copy"  # only put the text on the clipboard


@dataclass(slots=True)
class Insertion:
    """One dictation's insertions (accumulated over per-segment inserts)."""

    target: Target
    mode: InsertMode
    id: int = field(default_factory=lambda: next(_ids))
    transcript: str = ""  # the dictated text as recognised (for "paste last")
    inserted: str = ""  # exactly what landed, spacing included
    restored: bool | None = None  # last paste: previous clipboard restored (None: n/a)
    # the last insert: its ledger entry and the text known before it (for `revise`)
    landed: Landed | None = None
    context: str | None = None
    notices: list[str] = field(default_factory=list)
    # each step of the insertion, for the dictation's trace (push-to-talk's log)
    trace: Callable[[str], None] = field(default=lambda _step: None, repr=False)


class InsertError(RuntimeError):
    """The text was not inserted; the message is for the user."""


NOT_TAKEN = ("The focused app did not take the pasted text, so nothing was inserted "
             "(Paste last transcript tries again).")


class Inserter:
    """Inserts text into target windows; keeps the ledger and the last transcript."""

    def __init__(self, desktop: Desktop, clipboard: Clipboard, *,
                 mode: InsertMode = InsertMode.PASTE, smart: bool = True,
                 ledger: InsertionLedger | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.desktop = desktop
        self.clipboard = clipboard
        self.mode = mode
        self.smart = smart
        self.ledger = ledger or InsertionLedger()
        self.clock = clock
        self.last: Insertion | None = None  # the last dictation with text (paste last)

    async def capture_target(self) -> Target:
        """The focused window now (call at the hotkey press)."""
        try:
            return await self.desktop.focused()
        except ToolError as exc:
            log.warning("cannot read the focused window: %s", exc)
            return Target(None)

    def begin(self, target: Target) -> Insertion:
        """Start a dictation's insertion record (it becomes `last` when text arrives)."""
        return Insertion(target, self.mode)

    def note_input(self) -> None:
        """The user typed, clicked or switched windows (the context is unknown now)."""
        self.ledger.note_input()

    async def insert(self, record: Insertion, text: str) -> str:
        """Insert `text` (one segment or a whole dictation) into `record.target`, joined
        smartly to what is known to precede it; returns what landed. Raises `InsertError`
        when it did not land. Newlines at its ends are kept (a spoken "new line")."""
        text = text.strip(" \t")
        if not text:
            return ""
        record.transcript = (record.transcript + " " + text).strip()
        self.last = record
        if record.mode == InsertMode.COPY:
            await self._guarded(self.clipboard.write(
                ClipboardContent("UTF8_STRING", record.transcript.encode("utf-8"))))
            return ""
        context = self.ledger.context(record.target, record.id, self.clock())
        piece = smart_join(context, text) if self.smart else text
        record.trace(f"context {'unknown' if context is None else repr(context[-20:])}")
        if not await self._guarded(self.desktop.activate(record.target)):
            raise InsertError("The window you dictated into is gone; the text was not "
                              "inserted (Paste last transcript inserts it elsewhere).")
        record.trace("window active")
        await self._put(record, piece)
        record.landed = self.ledger.record(record.target, piece, record.id, self.clock())
        record.context = context
        record.inserted += piece
        return piece

    async def _put(self, record: Insertion, piece: str) -> None:
        if record.mode == InsertMode.TYPE:
            for is_ascii, run in split_ascii_runs(piece):
                if is_ascii:
                    await self._guarded(self.desktop.type_text(run))
                    record.trace(f"typed {len(run)} characters")
                else:
                    await self._paste(record, run)
        else:
            await self._paste(record, piece)

    async def revise(self, record: Insertion, entry: Landed, context: str | None,
                     text: str) -> Landed:
        """Make what `entry` (an insert of `record`, after `context`) inserted read as
        `text` would have: backspace to where they differ, insert the rest. Only under the
        undo chord's conditions (`InsertionLedger.check_last`), else `UndoRefused` and
        nothing changes; `InsertError` if a key step failed. Returns the entry now."""
        self.ledger.check_last(entry, await self.capture_target())
        text = text.strip(" \t")
        new = (smart_join(context, text) if self.smart else text) if text else ""
        keep = next((n for n, (a, b) in enumerate(zip(entry.text, new, strict=False))
                     if a != b), min(len(entry.text), len(new)))
        if len(entry.text) > keep:
            removed = len(entry.text) - keep
            await self._guarded(self.desktop.backspace(removed))
            entry = self.ledger.replace(entry, entry.text[:keep], self.clock())
            record.trace(f"revised: removed {removed} characters")
        if len(new) > keep:
            await self._put(record, new[keep:])
            entry = self.ledger.replace(entry, new, self.clock())
            record.trace(f"revised: added {len(new) - keep} characters")
        record.landed = entry
        return entry

    async def _guarded(self, step: Awaitable[T]) -> T:
        """Await a backend step; its failures become `InsertError` with the reason."""
        try:
            return await step
        except (ToolError, KeyboardBusyError, InsertUnavailableError) as exc:
            raise InsertError(str(exc)) from exc

    async def _paste(self, record: Insertion, text: str) -> None:
        previous = await self._guarded(self.clipboard.read())
        record.trace("clipboard read" + (" (empty)" if previous is None else ""))
        offer = await self._guarded(self.clipboard.offer(text))
        record.trace("paste offer ready")
        served = False
        try:
            await self._guarded(self.desktop.paste(record.target))
            record.trace("paste key sent")
            served = await offer.served(PASTE_SERVE_TIMEOUT_S)
            record.trace("paste fetched" if served else "paste NOT fetched")
        finally:
            await offer.withdraw()
            record.restored = await self._restore(previous, text)
            record.trace("clipboard restored" if record.restored else "clipboard kept")
        if not served:
            raise InsertError(NOT_TAKEN)

    async def _restore(self, previous: ClipboardContent | None, ours: str) -> bool:
        """Put `previous` back only if the clipboard still holds our text or nothing."""
        try:
            now = await self.clipboard.read()
            if now is not None and now.text != ours:
                log.info("clipboard changed since the paste: not restoring it")
                return False
            await self.clipboard.write(previous)
        except (ToolError, InsertUnavailableError) as exc:
            log.warning("the previous clipboard could not be restored: %s", exc)
            return False
        return True

    async def undo_last(self) -> str:
        """Delete what the last dictation inserted, if that is certainly safe; returns a
        notice for the user."""
        if self.last is not None and self.last.mode == InsertMode.COPY and \
                not self.ledger.entries:
            return "The last dictation was only copied; nothing to undo."
        focused = await self.capture_target()
        try:
            entries = self.ledger.undo_plan(focused)
        except UndoRefused as exc:
            return str(exc)
        count = sum(len(e.text) for e in entries)
        try:
            await self._guarded(self.desktop.backspace(count))
        except InsertError as exc:
            return f"Nothing was removed: {exc}"
        self.ledger.remove(entries)
        return f"Removed the last dictation ({count} characters)."

    async def paste_last(self) -> str:
        """Insert the last transcript again into the focused window."""
        if self.last is None or not self.last.transcript:
            return "No transcript to paste yet."
        text = self.last.transcript
        record = self.begin(await self.capture_target())
        try:
            await self.insert(record, text)
        except InsertError as exc:
            return str(exc)
        return "Pasted the last transcript."
