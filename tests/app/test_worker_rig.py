"""End to end: speech into the virtual microphone -> the real worker -> the real local server
-> partial_changed -> segment_committed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from scribe_desktop.audio.capture import Microphone
from scribe_desktop.client import ApiKeyAuth, Endpoint
from scribe_desktop.connect import ApiKeys, FixedBackend
from scribe_desktop.connect.keyring_store import ApiKeyStore
from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.protocol.options import CommitStrategy
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.worker.worker import DictationWorker
from tests.app.fakes import MemoryKeyring
from tests.app.recorder import Recorder
from tests.rig.pulse import DEVICE_NAME, PulseRig
from tests.rig.room import Room
from tests.speech import SENTENCES, synth, wer

S = DictationState


async def closed(microphone: Any, timeout_s: float = 10.0) -> None:
    """Until the microphone has closed its stream (it does so in the background)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while microphone.is_open:
        assert asyncio.get_running_loop().time() < deadline, "the microphone stayed open"
        await asyncio.sleep(0.01)  # polling the capture's background close, bounded


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("strategy", [CommitStrategy.MANUAL, CommitStrategy.VAD])
async def test_virtual_microphone_dictation(pulse_rig: PulseRig, sd: Any, local_server: Any,
                                            strategy: CommitStrategy) -> None:
    """Speech played into the virtual microphone shows partials, then commits with WER <= 0.35."""
    settings = Settings(commit_strategy=strategy, device_name=DEVICE_NAME)
    backend = FixedBackend(Endpoint(base_url=local_server.base_url),
                            ApiKeyAuth(local_server.secret))
    worker = DictationWorker(
        settings, backend_factory=lambda s: backend,
        microphone_factory=lambda s: Microphone(sd, device=s.device_name,
                                                chunk_s=s.chunk_ms / 1000,
                                                preroll_s=s.preroll_ms / 1000),
        api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())))
    rec = Recorder(worker)
    worker.watch_levels("test meter", True)
    sentence = SENTENCES[0]
    wav = synth(sentence, lead_silence_s=0.3, tail_silence_s=0.8)
    try:
        await asyncio.wait_for(worker.open_microphone(), 15)
        assert rec.events["devices_changed"] and DEVICE_NAME in rec.events["devices_changed"][-1]
        worker.start()
        await rec.wait_state(S.LISTENING, 20)
        await asyncio.to_thread(pulse_rig.play, wav)
        await rec.wait_for(lambda: any(rec.partials), 20, "a partial")
        task = worker.stop()
        assert task is not None
        await asyncio.wait_for(task, 30)
    finally:
        await asyncio.wait_for(worker.shutdown(), 15)
    assert rec.states[-1] == S.IDLE and not rec.errors, rec.errors
    text = " ".join(s.text for s in rec.segments)
    assert wer(sentence, text) <= 0.35, text
    assert any(rms > -60 for rms, _ in rec.events["level_changed"]), "speech shows on the meter"


@pytest.mark.slow
@pytest.mark.timeout(150)
async def test_a_microphone_closed_while_idle_still_hears_the_first_words(
        pulse_rig: PulseRig, sd: Any, local_server: Any) -> None:
    """With the microphone closed while idle, nothing is open between dictations, and each
    dictation started from idle (speech following the press as a user's would) arrives
    whole, first word included."""
    settings = Settings(commit_strategy=CommitStrategy.MANUAL, device_name=DEVICE_NAME,
                        close_mic_when_idle=True)
    backend = FixedBackend(Endpoint(base_url=local_server.base_url),
                            ApiKeyAuth(local_server.secret))
    worker = DictationWorker(settings, backend_factory=lambda s: backend,
                             api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())))
    assert isinstance(worker.microphone, Microphone)  # the production factory's capture
    rec = Recorder(worker)
    with Room(pulse_rig, volume=0.001):  # a real microphone always hears the room
        try:
            await asyncio.wait_for(worker.open_microphone(), 15)
            assert not worker.microphone.is_open
            assert DEVICE_NAME in rec.events["devices_changed"][-1]
            for sentence in (SENTENCES[1], SENTENCES[3]):  # the second reopens it
                wav = synth(sentence, lead_silence_s=0.3, tail_silence_s=0.8)
                before = len(rec.segments)
                worker.start()  # the words follow at once, as a user's reaction allows
                await asyncio.to_thread(pulse_rig.play, wav)
                await rec.wait_state(S.LISTENING, 20)
                task = worker.stop()
                assert task is not None
                await asyncio.wait_for(task, 30)
                text = " ".join(s.text for s in rec.segments[before:])
                # pocketsphinx itself mishears up to 3 of these 8 words on some runs ("ten in
                # the" -> "study them": 0.375 in a clean-clone run); audio lost at the reopen
                # shows as missing words, and the first word is checked on its own
                assert wer(sentence, text) <= 0.5, text
                assert text.split()[:1] == sentence.split()[:1], text
                await closed(worker.microphone)
        finally:
            await asyncio.wait_for(worker.shutdown(), 15)
    assert not rec.errors, rec.errors
