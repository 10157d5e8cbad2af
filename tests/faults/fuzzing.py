"""Fuzzing both ends of the wire with `hostile` frames, measured (the tests assert on the
numbers, bench/faults.py reports them)."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from typing import Any

from bench.proc_sampler import tree_rss_mib
from scribe_desktop.client import ApiKeyAuth, Endpoint, connect
from scribe_desktop.protocol.events import Commit
from scribe_desktop.protocol.options import CommitStrategy, SessionOptions
from tests.client.scripted_server import Peer, scripted_server
from tests.faults.hostile import ServerFrame, client_bound, server_bound
from tests.server.wire import Closed, full_session, query
from tests.server.wire import connect as raw_connect
from tests.speech import SENTENCES, pcm16, synth, wer

LAST_WORDS = "still here"


async def hostile_session(server: Any, frames: list[ServerFrame]) -> str | None:
    """Send `frames` in one session; the error message_type it ended with (None: open).
    Raises AssertionError when the server does anything else."""
    async with raw_connect(server, query()) as conn:
        assert (await conn.recv())["message_type"] == "session_started"
        for frame in frames:
            if isinstance(frame.data, bytes):
                await conn.ws.send_bytes(frame.data)
            else:
                await conn.ws.send_str(frame.data)
        if frames[-1].ends is None:
            return None
        try:
            while True:
                message = await conn.recv(10)
                if message["message_type"] == frames[-1].ends:
                    await conn.closing()
                    return frames[-1].ends
                assert message["message_type"] == "partial_transcript", message
        except Closed as closed:
            raise AssertionError(f"closed {closed.code} without {frames[-1].ends}") from None


async def fuzz_server(server: Any, pid: int, seed: int, frames: int) -> dict[str, Any]:
    """Sessions of hostile frames against a running server; its memory after the first
    tenth and at the end, and a real session's WER afterwards."""
    sessions = list(server_bound(seed, frames))
    warmup = len(sessions) // 10
    before = tree_rss_mib(pid)
    ended = kept = 0
    started = time.monotonic()
    for i, session in enumerate(sessions):
        if i == warmup:
            before = tree_rss_mib(pid)
        outcome = await hostile_session(server, session)
        ended += outcome is not None
        kept += outcome is None
    elapsed = time.monotonic() - started
    after = tree_rss_mib(pid)
    audio = pcm16(synth(SENTENCES[0], tail_silence_s=0.3))
    committed = await full_session(server, audio)
    return {"frames": sum(len(s) for s in sessions), "sessions": len(sessions),
            "sessions_ended_by_error": ended, "sessions_kept": kept,
            "rss_before_mib": round(before, 1), "rss_after_mib": round(after, 1),
            "seconds": round(elapsed, 1),
            "wer_after": round(wer(SENTENCES[0], committed["text"]), 3)}


async def fuzz_client(seed: int, frames: int) -> dict[str, Any]:
    """A server sending the real client `frames` hostile frames after session_started,
    then one real commit; the client's heap growth after the first tenth."""
    flood_done = asyncio.Event()

    async def hostile(peer: Peer) -> None:
        await peer.start()
        await peer.chunk()
        for frame in client_bound(seed, frames):
            await (peer.send(frame) if isinstance(frame, str) else peer.ws.send(frame))
        flood_done.set()
        await peer.send({"message_type": "committed_transcript", "text": LAST_WORDS})
        await peer.wait_closed_by_client()

    options = SessionOptions(commit_strategy=CommitStrategy.MANUAL).validate()
    commits: list[str] = []
    tracemalloc.start()
    started = time.monotonic()
    try:
        async with scripted_server(hostile) as server:
            session = await connect(options, Endpoint(server.base_url), ApiKeyAuth("k"))
            await session.send_audio(bytes(3200))
            baseline = seen = 0
            async for event in session.events():
                seen += 1
                if seen == frames // 10:
                    baseline = tracemalloc.get_traced_memory()[0]
                if isinstance(event, Commit):
                    commits.append(event.text)
                    if event.text == LAST_WORDS:
                        break
            grown = tracemalloc.get_traced_memory()[0] - baseline
            decode_errors = session.decode_errors
            failed = session.closed  # the flood must not have ended it
            await session.close()
    finally:
        tracemalloc.stop()
    return {"frames": frames, "flood_sent": flood_done.is_set(),
            "last_commit": commits[-1] if commits else None, "decode_errors": decode_errors,
            "session_failed": failed, "heap_growth_kb": round(grown / 1024, 1),
            "seconds": round(time.monotonic() - started, 1)}
