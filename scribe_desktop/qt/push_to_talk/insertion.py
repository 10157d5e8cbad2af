"""`PttInserter`: push-to-talk's side of insertion, one step at a time and in order (one
lock): a dictation's segments inserted with their current shaped text, an earlier insertion
revised when a later segment changed one of its segments ("scratch that", "undo that", a
spoken mark), and the undo / paste-last chords. Our own keys are held back from the
listener meanwhile (`KeyHoldBack.sending_keys`). Loop-only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from ...hotkey.synthetic_keys import KeyHoldBack
from ...inject.inserter import Inserter, InsertError
from ...inject.ledger import UndoRefused
from .dictation import PttDictation
from .shaped import Batch, ShapedSegments


class PttInserter:
    def __init__(self, inserter: Inserter, hold_back: KeyHoldBack,
                 notice: Callable[[str], None]) -> None:
        self.inserter = inserter
        self.shaped = ShapedSegments(capitalize=inserter.smart)
        self._hold_back = hold_back
        self._notice = notice
        self._lock = asyncio.Lock()  # one insertion at a time, in order

    async def insert(self, dictation: PttDictation) -> None:
        """Insert the dictation's pending segments with their texts as they are now."""
        async with self._lock:
            await dictation.target_ready.wait()
            indices, dictation.pending = tuple(dictation.pending), []
            text = self.shaped.text_of(indices)
            record = dictation.record
            if record is None or dictation.cancelled:
                return
            if not text.strip(" \t"):  # all scratched: "undo that" may bring it back
                if indices:
                    self.shaped.landed(Batch(record, indices, None, None, ""))
                return
            dictation.wrote = True
            dictation.trace.step(f"insert {len(text)} characters")
            try:
                async with self._hold_back.sending_keys():
                    await self.inserter.insert(record, text)
            except InsertError as exc:
                dictation.failure = str(exc)
                dictation.trace.step(f"not inserted: {exc}")
                self._notice(str(exc))
            else:
                dictation.inserted = True
                dictation.trace.step("inserted")
                self.shaped.landed(Batch(record, indices, record.context, record.landed, text))
            for notice in record.notices:
                self._notice(notice)
            record.notices.clear()

    async def revise(self, batch: Batch, dictation: PttDictation | None) -> None:
        """Make an earlier insertion read as its segments do now, through the ledger
        (`Inserter.revise`: only while it is the last insertion and untouched). A refusal
        is told, counts as `dictation`'s failure, and changes nothing in the field."""
        async with self._lock:
            text = self.shaped.text_of(batch.indices)
            if text == batch.text:
                return
            batch.record.trace(f"revise: {len(batch.text)} -> {len(text)} characters")
            try:
                async with self._hold_back.sending_keys():
                    if batch.entry is not None:
                        batch.entry = await self.inserter.revise(batch.record, batch.entry,
                                                                 batch.context, text)
                    elif not batch.text:  # nothing of it landed: a plain insertion
                        await self.inserter.insert(batch.record, text)
                        batch.entry, batch.context = batch.record.landed, \
                            batch.record.context
                    else:
                        raise UndoRefused("That dictation was only copied; nothing was "
                                          "changed.")
                batch.text = text
            except (UndoRefused, InsertError) as exc:
                self._notice(str(exc))
                if dictation is not None:
                    dictation.failure = str(exc)

    async def with_notice(self, coro: Coroutine[Any, Any, str]) -> None:
        """Run a chord's action (undo, paste last) in turn; its answer is a notice."""
        async with self._lock:
            try:
                async with self._hold_back.sending_keys():
                    notice = await coro
                self._notice(notice)
            except InsertError as exc:
                self._notice(str(exc))
