"""The welcome's microphone test on the real capture and the real sound output: three seconds
recorded from the rig's virtual microphone while speech plays into it, then played back on
the default output, the rig's speaker sink, whose monitor is recorded (the proof that it was
really played, and played loud enough to hear)."""

from __future__ import annotations

import array
import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from scribe_desktop.audio.capture import Microphone
from scribe_desktop.client import ApiKeyAuth, Endpoint
from scribe_desktop.connect import ApiKeys, FixedBackend
from scribe_desktop.connect.keyring_store import ApiKeyStore
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.worker.worker import DictationWorker
from scribe_desktop.session.mic_test import MicTest
from tests.app.fakes import MemoryKeyring
from tests.app.recorder import Recorder
from tests.rig.pulse import PulseRig
from tests.speech import SENTENCES, synth

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]


@pytest.fixture
async def worker(sd: Any, qapp: QApplication) -> AsyncIterator[DictationWorker]:
    backend = FixedBackend(Endpoint(base_url="http://127.0.0.1:9"), ApiKeyAuth("unused"))
    w = DictationWorker(Settings(device_name="VirtualMic"), backend_factory=lambda _s: backend,
                        api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())))
    assert isinstance(w.microphone, Microphone)
    await asyncio.wait_for(w.open_microphone(), 15)
    yield w
    await asyncio.wait_for(w.shutdown(), 15)


async def test_a_test_recording_is_heard_and_played_back(worker: DictationWorker,
                                                         pulse_rig: PulseRig) -> None:
    """Speech recorded for 3 s is heard; its playback reaches the default output."""
    rec = Recorder(worker)
    worker.watch_levels("welcome", True, idle=True)  # its meter shows the level while idle
    recorded: list[object] = []
    played: list[object] = []
    worker.mic_test_recorded.connect(recorded.append)
    worker.mic_test_played.connect(played.append)
    speech = synth(SENTENCES[1], lead_silence_s=0.2, tail_silence_s=0.2)

    worker.record_mic_test(3.0)
    await asyncio.to_thread(pulse_rig.play, speech)
    await rec.wait_for(lambda: bool(recorded), 15, "the test recording")
    test = recorded[0]
    assert isinstance(test, MicTest), test
    assert test.heard and test.peak_dbfs > -30 and test.seconds == pytest.approx(3.0)

    speaker = pulse_rig.record_speaker()
    try:
        worker.play_mic_test()
        await rec.wait_for(lambda: bool(played), 20, "the playback")
    finally:
        speaker.terminate()
        heard, _ = speaker.communicate(timeout=10)
    assert played == [None]
    samples = array.array("h", heard[: len(heard) // 2 * 2])
    assert max((abs(s) for s in samples), default=0) > 1000  # about -30 dBFS: speech, played
