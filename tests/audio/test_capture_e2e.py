"""End to end: virtual microphone -> capture -> client -> local server -> committed text."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from scribe_desktop.audio.capture import Microphone
from scribe_desktop.client import ApiKeyAuth, Endpoint, connect
from scribe_desktop.core.transcript import Transcript
from scribe_desktop.protocol.connection import Commit
from scribe_desktop.protocol.options import CommitStrategy, SessionOptions
from tests.rig.pulse import DEVICE_NAME, PulseRig
from tests.speech import SENTENCES, synth, wer


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_microphone_dictation_reaches_committed_text(pulse_rig: PulseRig, sd: Any,
                                                           local_server: Any) -> None:
    """Speech into the virtual microphone comes back from the local server with WER <= 0.35."""
    sentence = SENTENCES[0]
    wav = synth(sentence, lead_silence_s=0.3, tail_silence_s=0.5)
    options = SessionOptions(commit_strategy=CommitStrategy.MANUAL)
    transcript = Transcript()
    async with Microphone(sd, device=DEVICE_NAME) as mic, await connect(
            options, Endpoint(base_url=local_server.base_url),
            ApiKeyAuth(local_server.secret)) as session:
        source = mic.start()

        loudest: list[float] = [float("-inf")]

        async def send() -> None:
            async for chunk in source:
                loudest[0] = max(loudest[0], chunk.rms_dbfs)
                await session.send_audio(chunk.pcm)

        sender = asyncio.ensure_future(send())
        await asyncio.to_thread(pulse_rig.play, wav)
        source.stop()
        await asyncio.wait_for(sender, 10)
        assert loudest[0] > -30, f"no speech captured (loudest chunk {loudest[0]} dBFS)"
        assert await session.commit()

        async def committed() -> None:
            async for event in session.events():
                transcript.apply(event)
                if isinstance(event, Commit):
                    return

        await asyncio.wait_for(committed(), 30)
    assert wer(sentence, transcript.text) <= 0.35, transcript.text
