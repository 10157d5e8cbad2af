"""10,000 hostile frames in each direction: neither end crashes, leaks, or stops serving.

Server: the real server process takes sessions of seeded hostile frames; each frame the
rules tolerate leaves its session open, each one they forbid ends it with the named error;
its resident memory stays flat and a real session afterwards is transcribed. Client: a
server sends the real client 10,000 hostile frames after session_started; the session stays
open, the frames are counted as undecodable or passed through, the last real commit still
arrives, and the client's heap stays flat.
"""

from __future__ import annotations

from typing import Any

import pytest

from scribe_desktop.client import ApiKeyAuth, Endpoint, connect
from scribe_desktop.protocol.events import Commit
from scribe_desktop.protocol.options import CommitStrategy, SessionOptions
from tests.client.scripted_server import Peer, scripted_server
from tests.faults.fuzzing import LAST_WORDS, fuzz_client, fuzz_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

FRAMES = 10_000
SEED = 20261207
# growth allowed between the first tenth of the frames and the end: far below what keeping
# anything per frame would take (10,000 x even 1 KB = 10 MB)
SERVER_RSS_GROWTH_MIB = 8.0
CLIENT_HEAP_GROWTH_KB = 512.0


async def test_the_server_survives_10000_hostile_frames(start_server: Any) -> None:
    """Tolerated frames keep the session, forbidden ones end it with their error; memory
    stays flat; a real session afterwards is served."""
    server = start_server("--max-sessions", "4")
    r = await fuzz_server(server, server.process.pid, SEED, FRAMES)
    assert server.process.poll() is None
    assert r["frames"] == FRAMES and r["sessions_ended_by_error"] and r["sessions_kept"]
    assert r["rss_after_mib"] - r["rss_before_mib"] < SERVER_RSS_GROWTH_MIB, r
    assert r["wer_after"] <= 0.35, r


async def test_the_client_survives_10000_hostile_frames() -> None:
    """The session outlives 10,000 hostile frames and still delivers the real commit."""
    r = await fuzz_client(SEED, FRAMES)
    assert r["flood_sent"] and r["last_commit"] == LAST_WORDS and not r["session_failed"], r
    assert r["decode_errors"] > FRAMES // 10, r
    assert r["heap_growth_kb"] < CLIENT_HEAP_GROWTH_KB, r


async def test_a_binary_frame_from_the_server_is_skipped() -> None:
    """One binary frame does not end the session (the protocol has none; rule B1)."""
    async def binary(peer: Peer) -> None:
        await peer.start()
        await peer.ws.send(b"\x00\x01binary")
        await peer.send({"message_type": "committed_transcript", "text": "after"})
        await peer.wait_closed_by_client()

    options = SessionOptions(commit_strategy=CommitStrategy.MANUAL).validate()
    async with scripted_server(binary) as server:
        session = await connect(options, Endpoint(server.base_url), ApiKeyAuth("k"))
        async for event in session.events():
            if isinstance(event, Commit):
                assert event.text == "after"
                break
        assert session.decode_errors == 1
        await session.close()
