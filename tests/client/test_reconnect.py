"""Reconnect with replay against a scripted server that drops the connection."""

from __future__ import annotations

import asyncio

import pytest

from scribe_desktop.client import (
    ApiKeyAuth,
    AuthError,
    ConnectionLostError,
    Endpoint,
    ResourceExhaustedError,
    connect,
    is_fatal,
    reconnect,
)
from scribe_desktop.client.errors import ConnectError, HandshakeRejectedError
from scribe_desktop.core.transcript import Transcript
from scribe_desktop.protocol.audio_format import AudioFormat
from scribe_desktop.protocol.connection import Commit
from scribe_desktop.protocol.options import SessionOptions

from .scripted_server import WAIT_S, Peer, scripted_server

OPTIONS = SessionOptions()
FMT = AudioFormat.PCM_16000
KEY = ApiKeyAuth("test-key")


def tone(seconds: float, value: int) -> bytes:
    return bytes([value, 0]) * (FMT.bytes_for(seconds) // 2)


async def audio_until(peer: Peer, nbytes: int) -> bytes:
    """Audio the client sends until `nbytes` have arrived."""
    got = b""
    while len(got) < nbytes:
        got += (await peer.chunk()).audio
    return got


async def drive(session, transcript: Transcript, committed: asyncio.Event) -> None:
    async for event in session.events():
        transcript.apply(event)
        if isinstance(event, Commit):
            committed.set()


async def test_reconnect_replays_uncommitted_audio_with_previous_text():
    """After a drop, the new session gets the committed tail as previous_text and the
    uncommitted audio again."""
    a, b, c = tone(0.5, 1), tone(0.3, 2), tone(0.4, 3)
    second: dict[str, object] = {}
    connections = 0

    async def script(peer: Peer) -> None:
        nonlocal connections
        connections += 1
        await peer.start()
        if connections == 1:
            await peer.until_commit()
            await peer.send({"message_type": "committed_transcript", "text": "first part"})
            await audio_until(peer, len(b))
            peer.ws.transport.abort()
            return
        first = await peer.chunk()
        second["previous_text"] = first.previous_text
        chunks = [first, *await peer.until_commit()]
        second["audio"] = b"".join(ch.audio for ch in chunks)
        await peer.send({"message_type": "committed_transcript", "text": "second part"})
        await peer.close(1000)

    transcript = Transcript()
    async with scripted_server(script) as server:
        endpoint = Endpoint(server.base_url)
        session = await connect(OPTIONS, endpoint, KEY)
        committed = asyncio.Event()
        consumer = asyncio.create_task(drive(session, transcript, committed))
        await session.send_audio(a)
        await session.commit()
        await asyncio.wait_for(committed.wait(), WAIT_S)
        await session.send_audio(b)
        with pytest.raises(ConnectionLostError):
            await asyncio.wait_for(consumer, WAIT_S)

        resumed = await reconnect(session, endpoint, KEY, delays_s=(0.0,))
        await resumed.send_audio(c)
        await resumed.commit()
        await asyncio.wait_for(drive(resumed, transcript, asyncio.Event()), WAIT_S)
        await resumed.close()
    assert second["previous_text"] == "first part"
    assert second["audio"] == b + c
    assert [s.text for s in transcript.segments] == ["first part", "second part"]
    assert all(s.solicited for s in transcript.segments)


def _drop_then(after_drop):
    connections = 0

    async def script(peer: Peer) -> None:
        nonlocal connections
        connections += 1
        if connections == 1:
            await peer.start()
            peer.ws.transport.abort()
            return
        await after_drop(peer, connections)
    return script


async def _lost_session(endpoint: Endpoint):
    session = await connect(OPTIONS, endpoint, KEY)
    with pytest.raises(ConnectionLostError):
        async with asyncio.timeout(WAIT_S):
            async for _ in session.events():
                pass
    return session


async def test_fatal_error_stops_reconnecting():
    """An auth_error on the reconnect raises AuthError without further attempts."""
    async def after_drop(peer: Peer, n: int) -> None:
        await peer.send({"message_type": "auth_error", "error": "token used"})
        await peer.close(1000)

    async with scripted_server(_drop_then(after_drop)) as server:
        endpoint = Endpoint(server.base_url)
        lost = await _lost_session(endpoint)
        with pytest.raises(AuthError):
            await reconnect(lost, endpoint, KEY, delays_s=(0.0, 0.0, 0.0))
        assert len(server.connections) == 2


async def test_transient_error_is_retried():
    """A resource_exhausted answer is retried, and the next attempt succeeds."""
    async def after_drop(peer: Peer, n: int) -> None:
        if n == 2:
            await peer.send({"message_type": "resource_exhausted", "error": "busy"})
            await peer.close(1000)
            return
        await peer.start()
        await peer.wait_closed_by_client()

    async with scripted_server(_drop_then(after_drop)) as server:
        endpoint = Endpoint(server.base_url)
        lost = await _lost_session(endpoint)
        resumed = await reconnect(lost, endpoint, KEY, delays_s=(0.0, 0.01))
        await resumed.close()
        assert len(server.connections) == 3


async def test_every_attempt_failing_raises_the_last_error():
    """When all attempts fail, the last transient error is raised."""
    async def after_drop(peer: Peer, n: int) -> None:
        await peer.send({"message_type": "resource_exhausted", "error": f"busy {n}"})
        await peer.close(1000)

    async with scripted_server(_drop_then(after_drop)) as server:
        endpoint = Endpoint(server.base_url)
        lost = await _lost_session(endpoint)
        with pytest.raises(ResourceExhaustedError, match="busy 3"):
            await reconnect(lost, endpoint, KEY, delays_s=(0.0, 0.0))


@pytest.mark.parametrize(
    ("error", "fatal"),
    [
        (HandshakeRejectedError("ws://h", 403), True),
        (HandshakeRejectedError("ws://h", 502), False),
        (ConnectError("ws://h", "refused"), False),
        (ConnectionLostError(1006), False),
        (ValueError("bug"), True),
    ],
)
def test_is_fatal(error, fatal):
    """Auth rejections and unexpected errors are fatal; transport failures are not."""
    assert is_fatal(error) is fatal
