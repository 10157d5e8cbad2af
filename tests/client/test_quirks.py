"""Our client against a scripted server that replays the live server's quirks (protocol doc)."""

from __future__ import annotations

import asyncio
import socket

import pytest

from scribe_desktop.client import (
    ERROR_CLASSES,
    ApiKeyAuth,
    AuthError,
    CommitThrottledError,
    ConnectError,
    ConnectionLostError,
    Endpoint,
    HandshakeRejectedError,
    ScribeServerError,
    SessionClosedError,
    StaticTokenAuth,
    TokenAuth,
    connect,
)
from scribe_desktop.core.transcript import Transcript
from scribe_desktop.protocol.audio_format import AudioFormat
from scribe_desktop.protocol.connection import Commit, Partial, Passed
from scribe_desktop.protocol.errors import FATAL_ERROR_TYPES, ErrorType
from scribe_desktop.protocol.messages import (
    UnknownMessage,
)
from scribe_desktop.protocol.options import MIN_COMMIT_AUDIO_S, SessionOptions

from .scripted_server import WAIT_S, Peer, hold_open, scripted_server

OPTIONS = SessionOptions(include_timestamps=True)
FMT = AudioFormat.PCM_16000
KEY = ApiKeyAuth("test-key")


def speech(seconds: float) -> bytes:
    return b"\x10\x00" * (FMT.bytes_for(seconds) // 2)


def words_json(text: str, start: float) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    t = start
    for i, word in enumerate(text.split(" ")):
        if i:
            out.append({"text": " ", "start": t, "end": t, "type": "spacing", "logprob": 0.0})
        out.append({"text": word, "start": t, "end": t + 0.3, "type": "word", "logprob": -0.1})
        t += 0.4
    return out


async def consume(session, transcript: Transcript) -> list[object]:
    """Apply every event to `transcript` until the events end; return them."""
    seen: list[object] = []
    async with asyncio.timeout(WAIT_S):
        async for event in session.events():
            seen.append(event)
            transcript.apply(event)
    return seen


async def quirky_server(peer: Peer) -> None:
    """Script: the live server's quirks around one commit, then a clean close."""
    await peer.start()
    await peer.until_commit()
    await peer.send({"message_type": "partial_transcript", "text": "hello"})
    await peer.send({"message_type": "partial_transcript", "text": "hello world"})  # late
    await peer.send({"message_type": "committed_transcript", "text": "hello world"})
    await peer.send({"message_type": "committed_transcript_with_timestamps",
                     "text": "hello world", "language_code": "en",
                     "words": words_json("hello world", 0.1)})
    await peer.send({"message_type": "partial_transcript", "text": "hello world"})  # echo
    await peer.send({"message_type": "warning", "warning": "something new"})
    await peer.send("{not json")
    await peer.send({"message_type": 5})
    await peer.send({"message_type": "committed_transcript", "text": 42})
    await peer.send({"message_type": "partial_transcript", "text": "the server"})
    await peer.send({"message_type": "committed_transcript", "text": "the server decided"})
    await peer.send({"message_type": "committed_transcript", "text": ""})  # empty commit
    await peer.close(1000)


async def test_quirks_produce_a_clean_transcript():
    """Echo, re-delivery, unknown and malformed frames, empty and unsolicited commits."""
    async with scripted_server(quirky_server) as server:
        session = await connect(OPTIONS, Endpoint(server.base_url), KEY,
                                previous_text="said before this session")
        await session.send_audio(speech(0.1))
        await session.send_audio(speech(0.05))
        assert await session.commit()
        transcript = Transcript()
        seen = await consume(session, transcript)
        await session.close()
    assert [s.text for s in transcript.segments] == ["hello world", "the server decided"]
    assert [s.solicited for s in transcript.segments] == [True, False]
    assert transcript.segments[0].words is not None
    assert transcript.segments[0].language_code == "en"
    assert transcript.empty_commits == 1
    assert transcript.partial == ""
    partials = [e.text for e in seen if isinstance(e, Partial)]
    assert partials == ["hello", "hello world", "the server"]  # the echo was dropped
    assert any(isinstance(e, Passed) and isinstance(e.message, UnknownMessage)
               and e.message.message_type == "warning" for e in seen)
    assert session.decode_errors == 3
    assert [(e.answers, e.text) for e in seen if isinstance(e, Commit)] == \
        [(1, "hello world"), (None, "the server decided"), (None, "")]


async def test_server_receives_rule_abiding_chunks():
    """previous_text rides on the first chunk only, every chunk has sample_rate, and the
    commit is padded to >= 0.3 s."""
    async with (scripted_server(quirky_server) as server,
                await connect(OPTIONS, Endpoint(server.base_url), KEY,
                              previous_text="said before this session") as session):
        await session.send_audio(speech(0.1))
        await session.send_audio(speech(0.05))
        await session.commit()
        await consume(session, Transcript())
        received = server.last
    chunks = received.chunks
    assert chunks[0].previous_text == "said before this session"
    assert all(c.previous_text is None for c in chunks[1:])
    assert {c.sample_rate_hz for c in chunks} == {16000}
    commit_at = next(i for i, c in enumerate(chunks) if c.commit)
    assert chunks[commit_at].audio == b""
    audio_s = FMT.duration_s(sum(len(c.audio) for c in chunks[:commit_at]))
    assert audio_s >= MIN_COMMIT_AUDIO_S
    assert received.path == "/v1/speech-to-text/realtime"
    assert received.query_dict()["model_id"] == "scribe_v2_realtime"
    assert received.query_dict()["include_timestamps"] == "true"
    assert received.headers["xi-api-key"] == "test-key"
    assert "token" not in received.query_dict()


async def test_large_buffer_reaches_the_server_in_250_ms_chunks():
    """A 1 s buffer is sent as four 250 ms chunks."""
    async with (scripted_server(hold_open) as server,
                await connect(OPTIONS, Endpoint(server.base_url), KEY) as session):
        await session.send_audio(speech(1.0))
        received = await server.wait_for(lambda r: len(r.chunks) >= 4)
    assert [len(c.audio) for c in received.chunks] == [FMT.bytes_for(0.25)] * 4


async def test_commit_without_audio_sends_nothing():
    """commit() with no new audio returns None and puts nothing on the wire."""
    async with (scripted_server(hold_open) as server,
                await connect(OPTIONS, Endpoint(server.base_url), KEY) as session):
        assert await session.commit() is None
        await session.send_audio(speech(0.4))
        assert await session.commit() == 1
        received = await server.wait_for(lambda r: any(c.commit for c in r.chunks))
    assert [c.commit for c in received.chunks] == [False, False, True]


async def test_static_token_is_sent_as_query_without_key_header():
    """StaticTokenAuth sends ?token= and no xi-api-key header."""
    async with (scripted_server(hold_open) as server,
                await connect(OPTIONS, Endpoint(server.base_url),
                              StaticTokenAuth("sutkn_static")) as session):
        assert "sutkn_static" not in session.url
        received = server.last
    assert received.query_dict()["token"] == "sutkn_static"
    assert "xi-api-key" not in received.headers


async def test_token_auth_mints_a_fresh_token_per_connection():
    """TokenAuth mints a new token for each connection and never sends the key (rule C11)."""
    minted: list[tuple[str, str | None]] = []

    async def mint(api_key: str, endpoint: Endpoint) -> str:
        minted.append((api_key, endpoint.base_url))
        return f"sutkn_{len(minted)}"

    async with scripted_server(hold_open) as server:
        endpoint = Endpoint(server.base_url)
        for _ in range(2):
            async with await connect(OPTIONS, endpoint, TokenAuth("sk_real"), mint=mint):
                pass
        tokens = [r.query_dict()["token"] for r in server.connections]
        headers = [r.headers for r in server.connections]
    assert minted == [("sk_real", endpoint.base_url)] * 2
    assert tokens == ["sutkn_1", "sutkn_2"]
    assert all("xi-api-key" not in h for h in headers)
    assert all("sk_real" not in str(h) for h in headers)


async def test_keepalive_silence_flows_while_idle():
    """With a short idle interval the client sends 20 ms chunks of digital silence."""
    async with (scripted_server(hold_open) as server,
                await connect(OPTIONS, Endpoint(server.base_url), KEY, keepalive_after_s=0.05,
                              previous_text="ctx")):
        received = await server.wait_for(lambda r: len(r.chunks) >= 3)
    first, *rest = received.chunks[:3]
    for chunk in received.chunks[:3]:
        assert chunk.audio == b"\x00" * FMT.bytes_for(0.02)
        assert chunk.sample_rate_hz == 16000 and not chunk.commit
    assert first.previous_text == "ctx"
    assert all(c.previous_text is None for c in rest)


async def test_keepalive_stops_after_close():
    """No keep-alive goes out once the session is closed."""
    async with scripted_server(hold_open) as server:
        session = await connect(OPTIONS, Endpoint(server.base_url), KEY,
                                keepalive_after_s=0.05)
        await server.wait_for(lambda r: len(r.chunks) >= 1)
        await session.close()
        received = await server.wait_for(lambda r: r.closed.is_set())
    assert received.close_code == 1000
    assert session._keepalive.done()


# --- errors --------------------------------------------------------------------------------


def _error_script(error_type: ErrorType, *, started: bool):
    async def script(peer: Peer) -> None:
        if started:
            await peer.start()
            await peer.send({"message_type": "partial_transcript", "text": "before"})
        await peer.send({"message_type": error_type.value, "error": f"server says {error_type}"})
        await peer.close(1008 if error_type is ErrorType.INVALID_REQUEST else 1000,
                         error_type.value)
    return script


@pytest.mark.parametrize("error_type", list(ErrorType))
async def test_error_after_session_started_raises_its_type_from_events(error_type):
    """Each of the 14 error frames surfaces from events() as its own exception class."""
    async with scripted_server(_error_script(error_type, started=True)) as server:
        session = await connect(OPTIONS, Endpoint(server.base_url), KEY)
        seen = []
        with pytest.raises(ERROR_CLASSES[error_type]) as info:
            async for event in session.events():
                seen.append(event)
        await session.close()
    assert seen == [Partial("before")]
    error = info.value
    assert isinstance(error, ScribeServerError)
    assert type(error) is ERROR_CLASSES[error_type]
    assert error.message == f"server says {error_type}"
    assert error.fatal is (error_type in FATAL_ERROR_TYPES)
    with pytest.raises(ERROR_CLASSES[error_type]):
        await session.send_audio(speech(0.1))


@pytest.mark.parametrize("error_type", list(ErrorType))
async def test_error_before_session_started_raises_from_connect(error_type):
    """An error frame instead of session_started makes connect() raise its typed error."""
    async with scripted_server(_error_script(error_type, started=False)) as server:
        with pytest.raises(ERROR_CLASSES[error_type]):
            await connect(OPTIONS, Endpoint(server.base_url), KEY)


def test_every_error_type_has_a_distinct_class():
    """The 14 error types map to 14 distinct exception classes."""
    assert set(ERROR_CLASSES) == set(ErrorType)
    assert len(set(ERROR_CLASSES.values())) == len(ErrorType)


async def test_auth_error_after_open_is_an_auth_error_not_a_handshake_error():
    """An in-band auth_error after the upgrade raises AuthError from connect()."""
    async def script(peer: Peer) -> None:
        await peer.send({"message_type": "auth_error",
                         "error": "You must be authenticated to use this endpoint."})
        await peer.close(1000)

    async with scripted_server(script) as server:
        with pytest.raises(AuthError, match="must be authenticated") as info:
            await connect(OPTIONS, Endpoint(server.base_url), StaticTokenAuth("used"))
    assert not isinstance(info.value, HandshakeRejectedError)


@pytest.mark.parametrize("status", [401, 403])
async def test_http_rejection_at_the_handshake(status):
    """HTTP 401/403 instead of the upgrade raises HandshakeRejectedError with the status."""
    async with scripted_server(hold_open, reject_status=status) as server:
        with pytest.raises(HandshakeRejectedError) as info:
            await connect(OPTIONS, Endpoint(server.base_url), StaticTokenAuth("sutkn_secret"))
    assert info.value.status == status and info.value.is_auth_failure
    assert f"127.0.0.1:{server.port}" in str(info.value)
    assert "sutkn_secret" not in str(info.value)


async def test_commit_throttled_then_close_1000():
    """commit_throttled followed by close 1000 raises CommitThrottledError, not a clean end."""
    async def script(peer: Peer) -> None:
        await peer.start()
        await peer.until_commit()
        await peer.send({"message_type": "commit_throttled", "error": "Commit request ignored: "
                         "only 0.20s of uncommitted audio."})
        await peer.close(1000, "commit_throttled")

    async with (scripted_server(script) as server,
                await connect(OPTIONS, Endpoint(server.base_url), KEY) as session):
        await session.send_audio(speech(0.2))
        await session.commit()
        with pytest.raises(CommitThrottledError, match=r"0\.20s"):
            await consume(session, Transcript())
        with pytest.raises(CommitThrottledError):
            await session.commit()


async def test_abnormal_close_raises_connection_lost():
    """A close with code 1011 raises ConnectionLostError carrying code and reason."""
    async def script(peer: Peer) -> None:
        await peer.start()
        await peer.close(1011, "engine crashed")

    async with scripted_server(script) as server:
        session = await connect(OPTIONS, Endpoint(server.base_url), KEY)
        with pytest.raises(ConnectionLostError) as info:
            await consume(session, Transcript())
        await session.close()
    assert (info.value.code, info.value.reason) == (1011, "engine crashed")


async def test_dropped_tcp_connection_raises_connection_lost():
    """A TCP connection that vanishes without a close frame raises ConnectionLostError."""
    async def script(peer: Peer) -> None:
        await peer.start()
        peer.ws.transport.abort()

    async with scripted_server(script) as server:
        session = await connect(OPTIONS, Endpoint(server.base_url), KEY)
        with pytest.raises(ConnectionLostError):
            await consume(session, Transcript())
        with pytest.raises(ConnectionLostError):
            await session.send_audio(speech(0.1))
        await session.close()


async def test_clean_server_close_ends_events_normally():
    """A close 1000 without an error frame ends events() without an exception."""
    async def script(peer: Peer) -> None:
        await peer.start()
        await peer.send({"message_type": "partial_transcript", "text": "hi"})
        await peer.close(1000)

    async with (scripted_server(script) as server,
                await connect(OPTIONS, Endpoint(server.base_url), KEY) as session):
        assert await consume(session, Transcript()) == [Partial("hi")]


async def test_refused_connection_names_the_url():
    """A closed port raises ConnectError naming the URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectError, match=f"127.0.0.1:{port}/v1/speech-to-text/realtime"):
        await connect(OPTIONS, Endpoint(f"http://127.0.0.1:{port}"), KEY, timeout_s=3)


async def test_unresolvable_host_raises_connect_error():
    """A host that cannot resolve raises ConnectError naming it."""
    with pytest.raises(ConnectError, match=r"no-such-host\.invalid"):
        await connect(OPTIONS, Endpoint("http://no-such-host.invalid"), KEY, timeout_s=3)


async def test_missing_session_started_times_out():
    """A server that never sends session_started makes connect() time out with ConnectError."""
    async def script(peer: Peer) -> None:
        await peer.wait_closed_by_client()

    async with scripted_server(script) as server:
        with pytest.raises(ConnectError, match="session_started"):
            await connect(OPTIONS, Endpoint(server.base_url), KEY, timeout_s=0.3)
        received = await server.wait_for(lambda r: r.closed.is_set())
    assert received.chunks == []


async def test_messages_before_session_started_are_kept():
    """A message that precedes session_started is delivered first by events()."""
    async def script(peer: Peer) -> None:
        await peer.send({"message_type": "warning", "warning": "early"})
        await peer.start()
        await peer.close(1000)

    async with (scripted_server(script) as server,
                await connect(OPTIONS, Endpoint(server.base_url), KEY) as session):
        seen = await consume(session, Transcript())
    assert [type(e) for e in seen] == [Passed]
    assert isinstance(seen[0], Passed) and isinstance(seen[0].message, UnknownMessage)


# --- close ---------------------------------------------------------------------------------


async def test_close_is_idempotent_and_ends_events():
    """close() twice (even concurrently) closes once with 1000 and ends events() cleanly."""
    async with scripted_server(hold_open) as server:
        session = await connect(OPTIONS, Endpoint(server.base_url), KEY)
        consumer = asyncio.create_task(consume(session, Transcript()))
        await asyncio.gather(session.close(), session.close())
        await session.close()
        assert await asyncio.wait_for(consumer, WAIT_S) == []
        received = await server.wait_for(lambda r: r.closed.is_set())
    assert received.close_code == 1000
    assert session.closed
    with pytest.raises(SessionClosedError):
        await session.send_audio(speech(0.1))


async def test_cancelled_close_still_closes():
    """Cancelling a task blocked in close() does not stop the close."""
    async with scripted_server(hold_open) as server:
        session = await connect(OPTIONS, Endpoint(server.base_url), KEY)
        task = asyncio.create_task(session.close())
        await asyncio.sleep(0)  # let close() start before cancelling it
        task.cancel()
        received = await server.wait_for(lambda r: r.closed.is_set())
        assert received.close_code == 1000
        await session.close()
    assert session.closed
