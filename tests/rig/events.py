"""Waiting for capture events in tests (no sleeps: a queue and a deadline)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


class EventRecorder:
    """A `Microphone` listener that keeps every event and lets a test await one."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self._queue: asyncio.Queue[Any] = asyncio.Queue()

    def __call__(self, event: Any) -> None:
        self.events.append(event)
        self._queue.put_nowait(event)

    async def wait_for(self, predicate: Callable[[Any], bool], timeout_s: float) -> Any:
        """The next event (from now on) satisfying `predicate`; TimeoutError after timeout."""
        async def next_match() -> Any:
            while True:
                event = await self._queue.get()
                if predicate(event):
                    return event

        return await asyncio.wait_for(next_match(), timeout_s)

    def drain(self) -> None:
        """Forget queued events, so `wait_for` only sees what happens next."""
        while not self._queue.empty():
            self._queue.get_nowait()
