"""The per-dictation bookkeeping of push-to-talk: `PttDictation` (one hotkey dictation's
insertion record, its segments not yet inserted, how far it got and its trace) and the worker
states that mean "capturing" and "ended". Loop-only.
"""

from __future__ import annotations

import asyncio
import itertools

from ...core.lifecycle import DictationState
from ...inject.inserter import Insertion
from .trace import PttTrace

CAPTURING = frozenset({DictationState.CONNECTING, DictationState.LISTENING,
                       DictationState.RECONNECTING})
ENDED = frozenset({DictationState.IDLE, DictationState.ERROR})
_numbers = itertools.count(1)


class PttDictation:
    """One hotkey dictation: its insertion record and the segments not yet inserted."""

    def __init__(self) -> None:
        self.trace = PttTrace(next(_numbers))
        self.record: Insertion | None = None
        self.target_ready = asyncio.Event()
        self.pending: list[int] = []  # its segments (Segment.index) not inserted yet
        self.heard = False  # a segment with text was committed for it
        self.wrote = False  # some of its shaped text was not empty (not only commands)
        self.inserted = False  # some of its text landed
        self.failure = ""  # why its text did not land (for the outcome)
        self.finishing = False
        self.cancelled = False
        self.ended = asyncio.Event()
        self.finished = asyncio.Event()  # text inserted (or nothing to insert)
        self.capturing = False  # the worker has been capturing for it
        self.released = False  # let go before it could start (the previous one committed)
