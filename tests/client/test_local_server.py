"""Our client against the real local server subprocess, with real (synthesised) speech."""

from __future__ import annotations

import asyncio

import pytest

from scribe_desktop.client import (
    ApiKeyAuth,
    AuthError,
    Endpoint,
    StaticTokenAuth,
    TokenAuth,
    TokenRejectedError,
    connect,
    mint_token,
)
from scribe_desktop.core.transcript import Transcript
from scribe_desktop.protocol.audio_format import AudioFormat
from scribe_desktop.protocol.connection import Commit, CommitTimed, Partial
from scribe_desktop.protocol.messages import (
    WordType,
)
from scribe_desktop.protocol.options import SessionOptions
from tests.speech import SENTENCES, pcm16, synth, wer

pytestmark = pytest.mark.slow

OPTIONS = SessionOptions(include_timestamps=True)
FMT = AudioFormat.PCM_16000
WAIT_S = 30.0
CHUNK_S = 0.1
PACE_S = 0.025  # 4x real time: faster than a microphone, slow enough for partials


async def test_speech_round_trip(local_server):
    """Partials come before the commit, and the committed text matches the spoken sentence."""
    sentence = SENTENCES[0]
    pcm = pcm16(synth(sentence, lead_silence_s=0.3, tail_silence_s=0.5))
    audio_s = FMT.duration_s(len(pcm))
    transcript = Transcript()
    order: list[str] = []
    first_partial = asyncio.Event()
    timestamps: list[CommitTimed] = []

    async with await connect(OPTIONS, Endpoint(local_server.base_url),
                             ApiKeyAuth(local_server.secret)) as session:

        async def consume() -> None:
            async for event in session.events():
                transcript.apply(event)
                if isinstance(event, Partial) and event.text.strip():
                    order.append("partial")
                    first_partial.set()
                elif isinstance(event, Commit):
                    order.append("committed")
                elif isinstance(event, CommitTimed):
                    timestamps.append(event)
                    return

        consumer = asyncio.create_task(consume())
        step = FMT.bytes_for(CHUNK_S)
        for start in range(0, len(pcm), step):
            await session.send_audio(pcm[start:start + step])
            await asyncio.sleep(PACE_S)  # pacing the stream, not waiting for an event
        await asyncio.wait_for(first_partial.wait(), WAIT_S)
        order.append("commit-sent")
        assert await session.commit() == 1
        await asyncio.wait_for(consumer, WAIT_S)

    assert order.index("partial") < order.index("commit-sent") < order.index("committed")
    assert len(transcript.segments) == 1 and transcript.segments[0].solicited
    assert wer(sentence, transcript.text) <= 0.35, transcript.text
    words = [w for w in timestamps[0].words or () if w.type != WordType.SPACING]
    assert words
    times = [t for w in words for t in (w.start_s, w.end_s) if t is not None]
    assert len(times) == 2 * len(words)
    assert times == sorted(times), times
    assert times[0] >= 0.0 and times[-1] <= audio_s + 0.01, (times, audio_s)


async def test_token_auth_mints_and_connects(local_server):
    """TokenAuth mints a single-use token at the local server and the session starts."""
    async with await connect(OPTIONS, Endpoint(local_server.base_url),
                             TokenAuth(local_server.secret)) as session:
        assert "token=***" in session.url
        assert session.started.session_id


async def test_wrong_key_is_an_auth_error(local_server):
    """A wrong API key is rejected in-band with AuthError."""
    with pytest.raises(AuthError):
        await connect(OPTIONS, Endpoint(local_server.base_url), ApiKeyAuth("wrong-key"))


async def test_wrong_key_cannot_mint_a_token(local_server):
    """Minting with a wrong key raises TokenRejectedError."""
    with pytest.raises(TokenRejectedError):
        await connect(OPTIONS, Endpoint(local_server.base_url), TokenAuth("wrong-key"))


async def test_reused_static_token_is_an_auth_error(local_server):
    """A single-use token works once; the second connection raises AuthError."""
    endpoint = Endpoint(local_server.base_url)
    token = await mint_token(local_server.secret, endpoint)
    async with await connect(OPTIONS, endpoint, StaticTokenAuth(token)):
        pass
    with pytest.raises(AuthError):
        await connect(OPTIONS, endpoint, StaticTokenAuth(token))
