"""Every error path of the server, each followed by a healthy session on the same server."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from tests.conftest import RunningServer
from tests.server.wire import Conn, connect, full_session, query

pytestmark = pytest.mark.slow

SUPPORTED = "'scribe_v2_realtime', 'scribe_v2_realtime_turbo', 'scribe_v2_realtime_lite'"
AUTH_TEXT = "You must be authenticated to use this endpoint."


async def assert_still_serves(server: RunningServer) -> None:
    committed = await full_session(server, bytes(16000))  # 0.5 s of silence
    assert committed["text"] == ""


async def expect_error(conn: Conn, error_type: str, code: int = 1000,
                       reason: str | None = None) -> str:
    """The server sends exactly {message_type, error}, then closes with `code`."""
    closed = await conn.closing()
    errors = [m for m in conn.received if m["message_type"] == error_type]
    assert len(errors) == 1, conn.received
    assert set(errors[0]) == {"message_type", "error"}
    assert closed.code == code
    assert closed.reason == (error_type if reason is None else reason)
    text: str = errors[0]["error"]
    return text


@pytest.mark.parametrize(("params", "needle"), [
    ([("model_id", "scribe_realtime_v2")],
     f"The model_id 'scribe_realtime_v2' is invalid. Supported models: {SUPPORTED}."),
    (query(language_code="de"), "not supported by the local engine pocketsphinx (model en-us), "
                                "which transcribes only en"),
    (query(vad_threshold=5), "vad_threshold must be between 0.1 and 0.9"),
    (query(audio_format="mp3"), "audio_format 'mp3' is not supported"),
    ([("audio_format", "pcm_16000")], "model_id is required"),
])
async def test_invalid_request_closes_1008(local_server: RunningServer,
                                           params: list[tuple[str, str]], needle: str):
    """Rejected parameters get invalid_request after the upgrade and close 1008."""
    async with connect(local_server, params) as conn:
        text = await expect_error(conn, "invalid_request", code=1008)
        assert "session_started" not in [m["message_type"] for m in conn.received]
    assert needle in text
    await assert_still_serves(local_server)


async def test_unknown_params_and_repeated_keys_are_accepted(local_server: RunningServer):
    """Unknown query parameters are ignored and repeated keys become lists."""
    params = [*query(keyterms=["foo", "bar"], language_code="eng"), ("encoding", "pcm_16000")]
    async with connect(local_server, params) as conn:
        started = await conn.until("session_started")
    assert started["config"]["keyterms"] == ["foo", "bar"]
    assert started["config"]["commit_strategy"] == "manual"


@pytest.mark.parametrize(("key", "token"), [
    (None, None),  # no credentials at all
    ("wrong-secret", None),
    (None, "sutkn_0123456789abcdef0123456789abcdef"),  # never minted
    ("", "wrong-token"),  # token precedence: the right header does not rescue a bad token
])
async def test_auth_errors(local_server: RunningServer, key: str | None, token: str | None):
    """Bad or missing credentials get auth_error after open, then close 1000 (§3)."""
    params = query() + ([("token", token)] if token is not None else [])
    async with connect(local_server, params, key=key) as conn:
        text = await expect_error(conn, "auth_error", reason="")
    assert text == AUTH_TEXT
    await assert_still_serves(local_server)


async def test_single_use_token_works_once(local_server: RunningServer):
    """A minted token opens one session; its second use gets auth_error."""
    async with aiohttp.ClientSession() as http, http.post(
            local_server.base_url + "/v1/single-use-token/realtime_scribe",
            headers={"xi-api-key": local_server.secret}) as resp:
        assert resp.status == 200
        token = (await resp.json())["token"]
    assert token.startswith("sutkn_") and len(token) == 6 + 32
    async with connect(local_server, [*query(), ("token", token)], key=None) as conn:
        await conn.until("session_started")
    async with connect(local_server, [*query(), ("token", token)], key=None) as conn:
        assert await expect_error(conn, "auth_error", reason="") == AUTH_TEXT
    await assert_still_serves(local_server)


async def test_secret_as_token_query(local_server: RunningServer):
    """The secret itself is accepted as the token query parameter."""
    async with connect(local_server, [*query(), ("token", local_server.secret)],
                       key=None) as conn:
        assert (await conn.recv())["message_type"] == "session_started"


async def test_token_endpoint_rejects_wrong_key(local_server: RunningServer):
    """Minting with a wrong xi-api-key is HTTP 401 with a JSON detail."""
    async with aiohttp.ClientSession() as http, http.post(
            local_server.base_url + "/v1/single-use-token/realtime_scribe",
            headers={"xi-api-key": "nope"}) as resp:
        assert resp.status == 401
        assert "detail" in await resp.json()


def frame(**fields: Any) -> str:
    return json.dumps(fields)


PCM = base64.b64encode(bytes(3200)).decode()

Sender = Callable[[Conn], Awaitable[None]]


async def _send_text(conn: Conn, text: str) -> None:
    await conn.ws.send_str(text)


@pytest.mark.parametrize(("send", "needle"), [
    (lambda c: _send_text(c, "{not json"), "not valid JSON"),
    (lambda c: _send_text(c, frame(audio_base_64="@@@not base64@@@")), "not valid base64"),
    (lambda c: _send_text(c, frame(audio_base_64=PCM, commit="yes")),
     "'commit' must be true or false"),
    (lambda c: _send_text(c, frame(audio_base_64=12)), "'audio_base_64' must be a string"),
    (lambda c: _send_text(c, frame(message_type="input_audio_chunk")), "audio_base_64"),
    (lambda c: c.send_chunk(bytes(3200), sample_rate=44100), "sample_rate 44100 does not match"),
    (lambda c: c.send_chunk(bytes(3201)), "not a whole number of 16-bit samples"),
    (lambda c: c.ws.send_bytes(bytes(3200)), "Binary frames are not supported"),
])
async def test_input_errors(local_server: RunningServer, send: Sender, needle: str):
    """Malformed chunks get input_error with a precise text, then close 1000."""
    async with connect(local_server) as conn:
        await conn.until("session_started")
        await conn.send_chunk(bytes(3200), previous_text=None)  # a valid first chunk
        await send(conn)
        text = await expect_error(conn, "input_error")
    assert needle in text
    await assert_still_serves(local_server)


async def test_previous_text_only_on_first_chunk(local_server: RunningServer):
    """previous_text is accepted on the first chunk and an input_error on a later one."""
    async with connect(local_server) as conn:
        await conn.until("session_started")
        await conn.send_chunk(bytes(3200), previous_text="earlier words")
        await conn.send_chunk(bytes(3200), previous_text="again")
        text = await expect_error(conn, "input_error")
    assert "previous_text can only be sent with the first audio chunk" in text
    await assert_still_serves(local_server)


async def test_chunk_size_exceeded(local_server: RunningServer):
    """A chunk longer than --max-chunk-seconds (2 s) gets chunk_size_exceeded."""
    async with connect(local_server) as conn:
        await conn.until("session_started")
        await conn.send_chunk(bytes(32000 * 3))  # 3 s at 16 kHz
        text = await expect_error(conn, "chunk_size_exceeded")
    assert "3.00s" in text
    await assert_still_serves(local_server)


async def test_commit_throttled(local_server: RunningServer):
    """A commit with 0.2 s of new audio gets the live commit_throttled text and close."""
    async with connect(local_server) as conn:
        await conn.until("session_started")
        await conn.send_chunk(bytes(6400))  # 0.2 s
        await conn.commit()
        text = await expect_error(conn, "commit_throttled")
    assert text == ("Commit request ignored: only 0.20s of uncommitted audio. You need at least "
                    "0.3s of uncommitted audio before committing.")
    await assert_still_serves(local_server)


async def test_commit_of_exactly_minimum_audio_is_accepted(local_server: RunningServer):
    """Exactly 0.3 s of audio, sent in three chunks, commits without throttling."""
    async with connect(local_server) as conn:
        await conn.until("session_started")
        for _ in range(3):
            await conn.send_chunk(bytes(3200))
        await conn.commit()
        assert (await conn.until("committed_transcript"))["text"] == ""


async def test_lenient_commits_pad_instead_of_throttling(start_server):
    """With --lenient-commits a short commit is padded and committed."""
    server = start_server("--lenient-commits")
    async with connect(server) as conn:
        await conn.until("session_started")
        await conn.send_chunk(bytes(1600))  # 0.05 s
        await conn.commit()
        assert (await conn.until("committed_transcript"))["text"] == ""


async def test_insufficient_audio_activity(start_server):
    """A session without audio for --idle-timeout gets insufficient_audio_activity."""
    server = start_server("--idle-timeout", "0.5")
    async with connect(server) as conn:
        await conn.until("session_started")
        await conn.send_chunk(bytes(3200))
        text = await expect_error(conn, "insufficient_audio_activity")
    assert "0.5 seconds" in text
    await assert_still_serves(server)


async def test_foreign_origin_is_rejected_at_handshake(start_server):
    """An Origin not in --allow-origin gets HTTP 403 and no upgrade."""
    server = start_server("--allow-origin", "http://allowed.example")
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        async with connect(server, headers={"Origin": "http://evil.example"}):
            pass
    assert info.value.status == 403
    async with connect(server, headers={"Origin": "http://allowed.example"}) as conn:
        assert (await conn.recv())["message_type"] == "session_started"
    await assert_still_serves(server)


async def test_no_auth_accepts_anyone(start_server):
    """With --no-auth a client without credentials gets a session."""
    server = start_server("--no-auth")
    async with connect(server, key=None) as conn:
        assert (await conn.recv())["message_type"] == "session_started"


async def test_token_endpoint_cors(start_server):
    """An allowed Origin gets CORS headers on the token endpoint; a foreign one gets 403."""
    server = start_server("--allow-origin", "http://allowed.example")
    url = server.base_url + "/v1/single-use-token/realtime_scribe"
    async with aiohttp.ClientSession() as http:
        async with http.options(url, headers={"Origin": "http://allowed.example"}) as resp:
            assert resp.status == 204
            assert resp.headers["Access-Control-Allow-Origin"] == "http://allowed.example"
            assert "xi-api-key" in resp.headers["Access-Control-Allow-Headers"]
        async with http.post(url, headers={"Origin": "http://allowed.example",
                                           "xi-api-key": server.secret}) as resp:
            assert resp.status == 200
            assert resp.headers["Access-Control-Allow-Origin"] == "http://allowed.example"
        async with http.post(url, headers={"Origin": "http://evil.example",
                                           "xi-api-key": server.secret}) as resp:
            assert resp.status == 403


async def test_capacity_limit_is_resource_exhausted(start_server):
    """Beyond --max-sessions a client gets resource_exhausted; capacity frees on close."""
    server = start_server("--max-sessions", "1")
    async with connect(server) as first:
        await first.until("session_started")
        async with connect(server) as second:
            text = await expect_error(second, "resource_exhausted")
        assert "1 concurrent sessions" in text
    await assert_still_serves(server)
