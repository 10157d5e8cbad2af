"""The real server under local abuse: idle floods, slowloris, per-peer caps (no secret used)."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.server.abuse import (
    LoggedServer,
    held,
    is_cut,
    open_idle,
    slowloris,
    start_server,
    wait_cut,
)
from tests.server.wire import connect, query
from tests.speech import SENTENCES, pcm16, synth, wer

pytestmark = pytest.mark.slow

NOFILE = 1024  # the common default soft limit; set as the hard limit too, so it stays


async def legit_session(server: LoggedServer, text: str) -> str:
    """One whole manual session; returns its committed text."""
    audio = pcm16(synth(text, tail_silence_s=0.3))
    async with connect(server, query()) as conn:
        assert (await conn.recv())["message_type"] == "session_started"
        await conn.stream(audio, bytes_per_chunk=6400, sample_rate=16000)
        await conn.commit()
        committed = await conn.until("committed_transcript")
    return str(committed["text"])


async def test_idle_flood_beyond_the_file_limit_leaves_the_server_serving():
    """2,000 idle connections against a 1,024-file server: a real session is still served,
    the server holds few files and logs a handful of lines."""
    server = await asyncio.to_thread(start_server, "--engine-workers", "1", nofile=NOFILE)
    try:
        lines_before = len(server.lines)
        sockets, failures = await asyncio.to_thread(open_idle, server.port, 2000)
        with held(sockets):
            assert failures == 0  # the kernel queue took them all: nothing blocked
            files_during = server.open_files()
            # the flood is still held open on our side while the real client comes
            text = await legit_session(server, SENTENCES[0])
            assert wer(SENTENCES[0], text) <= 0.35, text
            assert server.process.poll() is None
            cut = sum(is_cut(s) for s in sockets)
        assert server.wait_for_line("connection cap reached") is not None
        flood_lines = server.lines[lines_before:]
        assert files_during < NOFILE - 100, files_during
        assert cut >= 2000 - 256  # all but the pending cap were cut at once
        assert len(flood_lines) < 50, "".join(flood_lines[:60])
        assert not any("Too many open files" in line for line in flood_lines)
    finally:
        server.stop()


def test_idle_connection_is_closed_after_the_handshake_timeout():
    """A connection that sends nothing is closed once the handshake timeout has passed."""
    server = start_server("--engine-workers", "0", "--handshake-timeout", "1.5")
    try:
        (sock,), _ = open_idle(server.port, 1)
        with held([sock]):
            waited = wait_cut(sock, timeout_s=10)
        assert waited is not None, "the idle connection was never closed"
        assert 1.0 <= waited <= 5.0, waited
    finally:
        server.stop()


def test_slowloris_headers_are_cut_after_the_handshake_timeout():
    """A client sending its upgrade request one byte at a time is cut at the timeout."""
    server = start_server("--engine-workers", "0", "--handshake-timeout", "2")
    try:
        waited, sent = slowloris(server.port, byte_every_s=0.1, timeout_s=15)
        assert waited is not None, f"still connected after 15 s ({sent} bytes sent)"
        assert 1.5 <= waited <= 6.0, waited
        assert sent > 5  # it really was trickling bytes when it was cut
    finally:
        server.stop()


def test_per_peer_cap_cuts_that_peers_oldest_idle_connection_only():
    """Over the per-peer cap, the peer's longest-idle connection is cut, not another peer's."""
    server = start_server("--engine-workers", "0", "--max-pending-per-peer", "4",
                          "--max-pending", "20", "--handshake-timeout", "30")
    try:
        other, _ = open_idle(server.port, 4, source="127.0.0.2")
        first, _ = open_idle(server.port, 4)
        with held(other + first):
            (newest,), _ = open_idle(server.port, 1)
            with held([newest]):
                assert wait_cut(first[0], timeout_s=5) is not None
                assert not any(is_cut(s) for s in [*first[1:], newest, *other])
        assert server.wait_for_line("connection cap reached") is not None
        lines = "".join(server.lines)
        assert re.search(r"connection cap reached .*: 1 idle connections cut", lines), lines
    finally:
        server.stop()


async def test_a_session_is_not_counted_as_pending():
    """Authenticated sessions do not use up pending slots: idle sockets beside them are."""
    server = await asyncio.to_thread(start_server, "--engine-workers", "0",
                                     "--max-pending-per-peer", "2", "--handshake-timeout", "30")
    try:
        async with connect(server) as a, connect(server) as b, connect(server) as c:
            for conn in (a, b, c):
                assert (await conn.recv())["message_type"] == "session_started"
            sockets, _ = await asyncio.to_thread(open_idle, server.port, 2)
            with held(sockets):
                assert not any(is_cut(s) for s in sockets)
                assert not a.ws.closed and not b.ws.closed and not c.ws.closed
    finally:
        server.stop()


async def test_accept_out_of_files_is_logged_once_per_interval():
    """With only 64 files, a flood makes accept() fail with EMFILE: the server logs it once
    (then a count), keeps serving, and the count of repeats is told at shutdown."""
    server = await asyncio.to_thread(start_server, "--engine-workers", "0", nofile=64)
    try:
        sockets, _ = await asyncio.to_thread(open_idle, server.port, 1000)
        with held(sockets):
            assert server.wait_for_line("out of system resource") is not None
            text = await legit_session(server, SENTENCES[0])
            assert wer(SENTENCES[0], text) <= 0.35, text
        assert len(server.lines) < 50, "".join(server.lines)
    finally:
        server.stop()
    emfile = [line for line in server.lines if "out of system resource" in line]
    assert 1 <= len(emfile) <= 3, emfile
    assert sum("Too many open files" in line for line in server.lines) <= 1  # one traceback
