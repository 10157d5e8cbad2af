"""PyPI elevenlabs 2.78.0 (`speech_to_text.realtime`, websockets) drives the local server (§14)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from typing import Any

import pytest
from elevenlabs import (
    AsyncElevenLabs,
    AudioFormat,
    CommitStrategy,
    ElevenLabs,
    RealtimeAudioOptions,
    RealtimeEvents,
)

from tests.conformance.conftest import ServerInfo, Speech, make_speech, server_log
from tests.conformance.expectations import check_rejected, check_transcript_flow
from tests.speech import pcm16

pytestmark = [pytest.mark.slow, pytest.mark.conformance]

CHUNK_S = 0.1
SPEED = 4.0  # x real time, as the node scripts
WAIT_PARTIAL_S = 5.0
STEP_TIMEOUT_S = 30.0


class Recorder:
    """Every event the SDK emits, in order, with an asyncio.Event per event name."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.flags: dict[str, asyncio.Event] = {e.value: asyncio.Event() for e in RealtimeEvents}

    def attach(self, conn: Any) -> None:
        for event in RealtimeEvents:
            # *args: the SDK passes {"code", "reason"} to close handlers that take a parameter.
            conn.on(event, lambda *args, name=event.value: self.record(
                name, args[0] if args else None))

    def record(self, name: str, data: Any) -> None:
        self.events.append((name, data))
        self.flags[name].set()

    async def wait(self, *names: str, within_s: float = STEP_TIMEOUT_S) -> str:
        """The first of `names` that has happened (waiting up to `within_s`)."""
        waiters = {asyncio.ensure_future(self.flags[n].wait()): n for n in names}
        done, pending = await asyncio.wait(waiters, timeout=within_s,
                                           return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if not done:
            raise AssertionError(f"none of {names} within {within_s}s; got {self.names()}")
        return waiters[done.pop()]

    def names(self) -> list[str]:
        return [n for n, _ in self.events]


def options(model_id: str = "scribe_v2_realtime", token: str | None = None) -> RealtimeAudioOptions:
    opts = RealtimeAudioOptions(model_id=model_id, audio_format=AudioFormat.PCM_16000,
                                sample_rate=16000, commit_strategy=CommitStrategy.MANUAL,
                                include_timestamps=True)
    if token is not None:
        opts["token"] = token
    return opts


async def transcribe(client: ElevenLabs | AsyncElevenLabs, opts: RealtimeAudioOptions,
                     speech: Speech) -> Recorder:
    """The manual flow: speech in 100 ms chunks at 4x real time, commit once a partial arrived
    (or after 5 s), close after committed_transcript_with_timestamps."""
    rec = Recorder()
    conn = await client.speech_to_text.realtime.connect(opts)
    rec.record("open", None)  # the SDK emits "open" inside connect(), before anyone can subscribe
    rec.attach(conn)
    if await rec.wait("session_started", "close") == "close":
        return rec
    pcm = pcm16(speech.wav)
    step = int(16000 * CHUNK_S) * 2
    for i in range(0, len(pcm), step):
        await conn.send({"audio_base_64": base64.b64encode(pcm[i:i + step]).decode()})
        await asyncio.sleep(CHUNK_S / SPEED)  # pacing the audio, not waiting for an event
    with contextlib.suppress(AssertionError):  # commit anyway; the check reports no partial
        await rec.wait("partial_transcript", within_s=WAIT_PARTIAL_S)
    await conn.commit()
    await rec.wait("committed_transcript_with_timestamps", "close")
    await conn.close()  # close(1000, "User ended conversation")
    await rec.wait("close")
    return rec


async def rejected(client: ElevenLabs | AsyncElevenLabs, opts: RealtimeAudioOptions) -> Recorder:
    """Connect and record until the server closes the socket (the error paths)."""
    rec = Recorder()
    conn = await client.speech_to_text.realtime.connect(opts)
    rec.record("open", None)
    rec.attach(conn)
    await rec.wait("close")
    return rec


def close_info(rec: Recorder) -> Any:
    """The SDK's close payload: {"code", "reason"} of the server's close frame."""
    return [d for n, d in rec.events if n == "close"][-1]


def describe(rec: Recorder, server: ServerInfo) -> str:
    events = "\n".join(f"  {n}: {str(d)[:300]}" for n, d in rec.events)
    return f"{events}\n{server_log(server)}"


async def test_api_key_header_session_is_transcribed(local_server: ServerInfo) -> None:
    """The SDK authenticates with xi-api-key and receives partials, the commit and its words."""
    speech = make_speech("open the door and turn on the kitchen lights")
    client = ElevenLabs(api_key=local_server.secret, base_url=local_server.base_url)
    rec = await transcribe(client, options(), speech)
    check_transcript_flow(rec.events, speech.text, speech.seconds, describe(rec, local_server))
    # The SDK closes with 1000 "User ended conversation"; the server's echo carries the code.
    assert close_info(rec)["code"] == 1000, describe(rec, local_server)


async def test_minted_token_session_is_transcribed(local_server: ServerInfo) -> None:
    """The SDK mints a single-use token against the server and connects with ?token= alone."""
    speech = make_speech("please call me back tomorrow morning")
    client = AsyncElevenLabs(api_key=local_server.secret, base_url=local_server.base_url)
    minted = await client.tokens.single_use.create(token_type="realtime_scribe")
    assert isinstance(minted.token, str) and minted.token, minted
    rec = await transcribe(client, options(token=minted.token), speech)
    check_transcript_flow(rec.events, speech.text, speech.seconds, describe(rec, local_server))

    # Single use (§8): the same token a second time gets auth_error after the upgrade.
    again = await rejected(client, options(token=minted.token))
    check_rejected(again.events, "auth_error", describe(again, local_server))


async def test_wrong_api_key_gets_auth_error(local_server: ServerInfo) -> None:
    """A wrong xi-api-key is answered in-band with auth_error, then a close (§3, S6)."""
    client = ElevenLabs(api_key="not-the-secret", base_url=local_server.base_url)
    rec = await rejected(client, options())
    check_rejected(rec.events, "auth_error", describe(rec, local_server))


async def test_bad_model_id_gets_invalid_request_and_1008(local_server: ServerInfo) -> None:
    """An unknown model_id is answered with invalid_request, then close 1008 (B3, S6)."""
    client = ElevenLabs(api_key=local_server.secret, base_url=local_server.base_url)
    rec = await rejected(client, options(model_id="scribe_realtime_v2"))
    context = describe(rec, local_server)
    check_rejected(rec.events, "invalid_request", context)
    assert close_info(rec) == {"code": 1008, "reason": "invalid_request"}, context
