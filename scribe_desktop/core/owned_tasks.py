"""Background tasks that one object owns: kept referenced while they run, failures reported,
cancelled together at shutdown. Loop-only; not thread-safe."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class OwnedTasks:
    """`spawn()` runs a coroutine as a task and keeps it until it ends (asyncio holds only
    weak references); an exception it ends with goes to `on_error` (default: logged), never
    lost as "exception was never retrieved"."""

    def __init__(self, on_error: Callable[[BaseException], object] | None = None,
                 what: str = "background task") -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_error = on_error
        self._what = what

    def __len__(self) -> int:
        return len(self._tasks)

    @property
    def pending(self) -> list[asyncio.Task[Any]]:
        """The tasks still running."""
        return [t for t in self._tasks if not t.done()]

    async def settle(self, timeout_s: float = 10.0) -> None:
        """Wait until no task runs, including tasks spawned meanwhile."""
        async with asyncio.timeout(timeout_s):
            while pending := self.pending:
                await asyncio.wait(pending)

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        if self._on_error is None:
            log.error("%s failed", self._what, exc_info=exc)
        else:
            self._on_error(exc)

    async def cancel_all(self, timeout_s: float = 5.0) -> None:
        """Cancel every task but the caller's own and wait up to `timeout_s` for them."""
        current = asyncio.current_task()
        pending = [t for t in self._tasks if t is not current and not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=timeout_s)
