"""The per-dictation bookkeeping of push-to-talk: `PttDictation` (one hotkey dictation's
insertion record, its segments not yet inserted and how far it got) and the worker states
that mean "capturing" and "ended". Loop-only.
"""

from __future__ import annotations

import asyncio

from ...core.lifecycle import DictationState
from ...inject.inserter import Insertion

CAPTURING = frozenset({DictationState.CONNECTING, DictationState.LISTENING,
                       DictationState.RECONNECTING})
ENDED = frozenset({DictationState.IDLE, DictationState.ERROR})


class PttDictation:
    """One hotkey dictation: its insertion record and the segments not yet inserted."""

    def __init__(self) -> None:
        self.record: Insertion | None = None
        self.target_ready = asyncio.Event()
        self.texts: list[str] = []
        self.finishing = False
        self.cancelled = False
        self.ended = asyncio.Event()
        self.finished = asyncio.Event()  # text inserted (or nothing to insert)
        self.capturing = False  # the worker has been capturing for it
