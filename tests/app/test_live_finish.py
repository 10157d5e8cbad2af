"""Stopping a dictation waits for a server that is still at work, and not for a silent one.

A server that answers the final commit only after a while, but keeps sending partials
meanwhile (a restarted engine working through a replay), gets its answer in: the commit
timeout counts the server's silence. A server that says nothing still times out.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from scribe_desktop.client import ApiKeyAuth, Endpoint
from scribe_desktop.connect import FixedBackend
from scribe_desktop.protocol.events import Commit
from scribe_desktop.protocol.options import CommitStrategy, SessionOptions
from scribe_desktop.session.live import CommitTimeoutError, LiveSession, Received
from tests.app.fakes import FakeMicrophone
from tests.client.scripted_server import Peer, hold_open, scripted_server

QUIET_S = 0.5  # the commit timeout under test
BUSY_S = 4 * QUIET_S  # how long the busy server works before it answers


async def busy_then_answer(peer: Peer) -> None:
    """Script: after the commit, a partial every fifth of QUIET_S for BUSY_S, then the
    committed transcript."""
    await peer.start()
    await peer.until_commit()
    loop = asyncio.get_running_loop()
    end = loop.time() + BUSY_S
    words: list[str] = []
    while loop.time() < end:
        words.append("word")
        await peer.send({"message_type": "partial_transcript", "text": " ".join(words)})
        await asyncio.sleep(QUIET_S / 5)  # the simulated server's work, not a wait on us
    await peer.send({"message_type": "committed_transcript", "text": "all of it"})
    await peer.wait_closed_by_client()


async def dictate_and_stop(script: Any) -> list[Commit]:
    commits: list[Commit] = []

    def on_event(event: object) -> None:
        if isinstance(event, Received) and isinstance(event.event, Commit):
            commits.append(event.event)

    mic = FakeMicrophone()
    async with scripted_server(script) as server:
        backend = FixedBackend(Endpoint(base_url=server.base_url), ApiKeyAuth("k"))
        options = SessionOptions(commit_strategy=CommitStrategy.MANUAL).validate()
        live = LiveSession(mic.start(), backend, options, on_event)
        run = asyncio.ensure_future(live.run())
        try:
            await mic.play(b"\x10\x00" * 16000, speed=20.0)
            await live.finish(QUIET_S)
        finally:
            await asyncio.wait_for(run, 10)
    return commits


async def test_a_server_still_at_work_gets_its_answer_in() -> None:
    """Partials keep the final commit's wait alive; the answer after 4 x the timeout lands."""
    commits = await dictate_and_stop(busy_then_answer)
    assert [c.text for c in commits] == ["all of it"]


async def test_a_silent_server_still_times_out() -> None:
    """No word from the server for the timeout ends the wait with CommitTimeoutError."""
    with pytest.raises(CommitTimeoutError):
        await dictate_and_stop(hold_open)
