"""The main window on the REAL dictation worker, real local server and a scripted microphone.

Async (the worker runs on the asyncio loop) with NO nested Qt event loop (test-rig.md): the
worker's signals reach the widgets directly on this thread, and waits are on the worker's
signals through `Recorder`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from scribe_desktop.backends import ApiKeys, StaticBackend
from scribe_desktop.client import ApiKeyAuth, Endpoint
from scribe_desktop.dictation import DictationState
from scribe_desktop.protocol.options import CommitStrategy
from scribe_desktop.secrets import ApiKeyStore
from scribe_desktop.settings import Settings
from scribe_desktop.ui.main_window import MainWindow
from scribe_desktop.worker import DictationWorker
from tests.app.fakes import FakeMicrophone, MemoryKeyring
from tests.app.recorder import Recorder
from tests.speech import SENTENCES, pcm16, synth, wer

SETTINGS = Settings(commit_strategy=CommitStrategy.MANUAL, include_timestamps=True)


@pytest.fixture
async def worker(local_server: Any, fake_mic: FakeMicrophone,
                 qapp: QApplication) -> AsyncIterator[DictationWorker]:
    backend = StaticBackend(Endpoint(base_url=local_server.base_url),
                            ApiKeyAuth(local_server.secret))
    w = DictationWorker(SETTINGS, backend_factory=lambda s: backend,
                        microphone_factory=lambda s: fake_mic,
                        api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())))
    await w.open_microphone()
    yield w
    await asyncio.wait_for(w.shutdown(), 15)


@pytest.mark.slow
@pytest.mark.timeout(90)
async def test_speech_shows_a_partial_then_a_committed_segment_in_the_window(
        worker: DictationWorker, fake_mic: FakeMicrophone) -> None:
    """Speech shows up live in the live pane, then committed with its time in the other."""
    window = MainWindow(worker, worker.settings)
    rec = Recorder(worker)
    live_seen: list[str] = []
    worker.partial_changed.connect(lambda _text: live_seen.append(window.live.partial()))
    sentence = SENTENCES[1]
    pcm = pcm16(synth(sentence, lead_silence_s=0.2, tail_silence_s=0.5))

    window.toggle_button.click()
    await rec.wait_state(DictationState.LISTENING)
    assert window.toggle_button.text() == "Stop dictation"
    assert window.commit_button.isEnabled()  # manual strategy while listening
    await fake_mic.play(pcm, speed=2.0)
    await rec.wait_for(lambda: any(live_seen), 30, "a partial in the live pane")
    assert window.level_meter.peak_db > -60.0

    window.toggle_button.click()  # stop: the last audio is committed
    await rec.wait_state(DictationState.IDLE, 30)
    await rec.wait_for(lambda: bool(window.committed.segments), 10, "a committed segment")
    assert window.live.partial() == ""
    committed = window.committed.plain_text()
    assert wer(sentence, committed) <= 0.35, committed
    assert window.committed.time_labels()[0] != "--:--"
    assert window.toggle_button.text() == "Start dictation"
    assert not window.commit_button.isEnabled()
    assert window.status.backend_label.text()
    assert not rec.errors
    window.deleteLater()
