"""Partials thin out before finals slow down: a partial decode starts only when the engine
has a decoder free, a final always goes.

A re-decoding engine (Whisper) runs one decode at a time per decoder (`slots`: its worker
processes). Every session's partial and final decodes share them, and a request queues
behind those in flight. Without a gate, sessions' partial decodes fill the queue and a
commit waits behind all of them: finals slow down as sessions are added. With it, a partial
that would queue is skipped (the next one re-decodes the newer audio anyway, so skipping
coalesces), while a final never waits for anything but the decodes already running. With
three slots or more, one is kept for finals: partials may fill all but one, so a commit finds
a decoder free unless other finals hold them all. With two (one worker's two lanes) partials
may use both: one session's partial leaves the other lane to its commit anyway (a session
has one partial in flight at most), and keeping a lane from two sessions' partials made their
first partials 2-5 s late for ~100 ms off a commit that finds both lanes busy.

Thread-safe: pipelines call it from the threads that run their blocking engine calls.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(slots=True)
class GateStats:
    partials: int = 0  # partial decodes started
    partials_skipped: int = 0  # partial decodes skipped: every decoder was busy
    finals: int = 0


class DecodeGate:
    """Counts the decodes in flight across all sessions of one engine."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError(f"a decode gate needs at least one slot, got {slots}")
        self.slots = slots
        self.partial_slots = slots - 1 if slots >= 3 else slots  # one kept for finals
        self.stats = GateStats()
        self._busy = 0
        self._lock = threading.Lock()

    @property
    def busy(self) -> int:
        """Decodes in flight."""
        return self._busy

    @contextlib.contextmanager
    def final(self) -> Iterator[None]:
        """Hold a slot for a final decode (a commit); never refused, never waits here."""
        with self._lock:
            self._busy += 1
            self.stats.finals += 1
        try:
            yield
        finally:
            self._release()

    def try_partial(self) -> contextlib.AbstractContextManager[None] | None:
        """A slot for a partial decode, or None when every decoder partials may use is busy
        (skip it)."""
        with self._lock:
            if self._busy >= self.partial_slots:
                self.stats.partials_skipped += 1
                return None
            self._busy += 1
            self.stats.partials += 1
        return self._held()

    @contextlib.contextmanager
    def _held(self) -> Iterator[None]:
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        with self._lock:
            self._busy -= 1
