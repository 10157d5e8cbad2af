"""Owned background tasks are kept, their failures reported, and cancelled together."""

from __future__ import annotations

import asyncio

from scribe_desktop.core.owned_tasks import OwnedTasks


async def test_a_failure_reaches_the_reporter_once() -> None:
    """A task that raises hands its exception to on_error and is forgotten."""
    seen: list[BaseException] = []
    reported = asyncio.Event()

    def on_error(exc: BaseException) -> None:
        seen.append(exc)
        reported.set()

    tasks = OwnedTasks(on_error)

    async def boom() -> None:
        raise ValueError("kaput")

    tasks.spawn(boom())
    await asyncio.wait_for(reported.wait(), 5)
    assert [str(e) for e in seen] == ["kaput"] and len(tasks) == 0


async def test_cancel_all_spares_the_caller_and_settle_waits_for_late_tasks() -> None:
    """cancel_all cancels the others; settle waits for tasks spawned while waiting."""
    tasks = OwnedTasks()
    forever = tasks.spawn(asyncio.Event().wait())
    order: list[str] = []

    async def spawner() -> None:
        await asyncio.sleep(0)
        tasks.spawn(later())

    async def later() -> None:
        order.append("later")

    tasks.spawn(spawner())
    forever.cancel()
    await tasks.settle(5)
    assert order == ["later"] and not tasks.pending

    async def cancels_everyone_else() -> None:
        await tasks.cancel_all()
        order.append("survived")

    other = tasks.spawn(asyncio.Event().wait())
    me = tasks.spawn(cancels_everyone_else())
    await asyncio.wait({me})
    assert other.cancelled() and order[-1] == "survived"
