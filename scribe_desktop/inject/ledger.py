"""The insertion ledger: what our insertions put into which window, recorded only once it
landed, and what undo and smart spacing may therefore rely on. Pure.

Undo must never delete a character the user typed. So it removes exactly the text of the
last dictation's insertions that landed, and only when nothing can have moved the caret
since: the same window (window id, app and pid: ids are reused) has the focus, and no user
input (a key, a click, a focus change) came after the insertion. Where the desktop does not
let us observe input (`input_tracked` False: Wayland), undo refuses, since it cannot know.
A spoken edit of the last insertion ("scratch that" reaching it, `Inserter.revise`) is held
to the same conditions (`check_last`).

Smart spacing asks the same question: the text before the caret is known only as long as
nothing happened since our last insertion into this window, and not after a long pause
(`pause_s`). Otherwise the context is unknown (None) and the next insertion starts as at
the start of a field: no leading space is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from .backends.base import Target

MAX_ENTRIES = 200


@dataclass(frozen=True, slots=True)
class Landed:
    """Text that landed in a window."""

    target: Target
    text: str  # exactly the characters inserted, spacing included
    at: float  # monotonic time it landed
    input_mark: int  # the user-input count when it landed
    dictation: int  # which dictation it belongs to


class UndoRefused(Exception):
    """Undo would not be safe; the message says why (for the user)."""


class InsertionLedger:
    """The ledger; `note_input()` on every user key, click or focus change."""

    def __init__(self, *, input_tracked: bool = False, pause_s: float = 60.0) -> None:
        self.input_tracked = input_tracked
        self.pause_s = pause_s
        self.entries: list[Landed] = []
        self.input_count = 0

    def note_input(self) -> None:
        self.input_count += 1

    def record(self, target: Target, text: str, dictation: int, now: float) -> Landed:
        entry = Landed(target, text, now, self.input_count, dictation)
        self.entries.append(entry)
        del self.entries[:-MAX_ENTRIES]
        return entry

    def _tail(self, target: Target) -> list[Landed]:
        """The newest entries in `target` with no input after any of them."""
        tail: list[Landed] = []
        for entry in reversed(self.entries):
            if entry.target != target or entry.input_mark != self.input_count:
                break
            tail.append(entry)
        return tail[::-1]

    def context(self, target: Target, dictation: int, now: float) -> str | None:
        """What we know precedes the caret in `target` (our own recent text), or None when
        it is unknown (see the module doc)."""
        if not target.known:
            return None
        tail = self._tail(target)
        if not tail or now - tail[-1].at > self.pause_s:
            return None
        if not self.input_tracked:  # only this dictation's own pieces are certain
            tail = [e for e in tail if e.dictation == dictation]
        return "".join(e.text for e in tail) if tail else None

    def undo_plan(self, focused: Target) -> list[Landed]:
        """The entries undo would remove now (the last dictation's, as one block); raises
        `UndoRefused` when removing them could touch anything else."""
        if not self.entries:
            raise UndoRefused("Nothing to undo.")
        last = self.entries[-1]
        self._untouched(last, focused)
        plan = [e for e in self._tail(focused) if e.dictation == last.dictation]
        if not any(e.text for e in plan):  # a spoken "scratch that" emptied it already
            raise UndoRefused("Nothing to undo.")
        return plan

    def check_last(self, entry: Landed, focused: Target) -> None:
        """Raises `UndoRefused` unless `entry` may be edited now: the undo chord's
        conditions, and `entry` is still the last insertion."""
        if not self.entries or self.entries[-1] is not entry:
            raise UndoRefused("That text is no longer the last dictation inserted, so "
                              "changing it could touch other text; nothing was changed.")
        self._untouched(entry, focused)

    def _untouched(self, last: Landed, focused: Target) -> None:
        if not focused.known or focused != last.target:
            raise UndoRefused("Undo works only while the window the last dictation went into "
                              "has the focus; nothing was removed.")
        if not self.input_tracked:
            raise UndoRefused("Undo is off on this desktop: scribe-desktop cannot see whether "
                              "you typed since the dictation, and would risk deleting your own "
                              "text. Nothing was removed.")
        if last.input_mark != self.input_count:
            raise UndoRefused("You typed, clicked or switched windows since the last "
                              "dictation, so undo could delete your own text; nothing was "
                              "removed.")

    def replace(self, entry: Landed, text: str, now: float) -> Landed:
        """`entry` (the last one, checked by `check_last`) now holds `text`: an edit of
        it at the caret. An emptied entry stays, so a later edit can restore it."""
        if not self.entries or self.entries[-1] is not entry:
            raise ValueError("only the last entry can be edited")
        self.entries[-1] = Landed(entry.target, text, now, entry.input_mark, entry.dictation)
        return self.entries[-1]

    def remove(self, entries: list[Landed]) -> None:
        for entry in entries:
            self.entries.remove(entry)
