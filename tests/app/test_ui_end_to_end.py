"""The main window on the REAL dictation worker, the real local server and the real
microphone: `audio.capture.Microphone` (the worker's default microphone factory) capturing
the rig's virtual microphone `scribe_vmic`, into which espeak-ng speech is played.

Async (the worker runs on the asyncio loop) with NO nested Qt event loop (test-rig.md): the
worker's signals reach the widgets directly on this thread, and waits are on the worker's
signals through `Recorder`. The speech plays in a thread (paplay returns when it is done).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from scribe_desktop.audio.capture import Microphone
from scribe_desktop.client import ApiKeyAuth, Endpoint
from scribe_desktop.connect import ApiKeys, FixedBackend
from scribe_desktop.connect.keyring_store import ApiKeyStore
from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.protocol.options import CommitStrategy
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.worker.worker import DictationWorker
from scribe_desktop.ui.main_window import MainWindow
from tests.app.fakes import MemoryKeyring
from tests.app.recorder import Recorder
from tests.rig.pulse import DEVICE_NAME, PulseRig
from tests.speech import SENTENCES, synth, wer

SETTINGS = Settings(commit_strategy=CommitStrategy.MANUAL, include_timestamps=True,
                    device_name=DEVICE_NAME)


@pytest.fixture
async def worker(local_server: Any, sd: Any,
                 qapp: QApplication) -> AsyncIterator[DictationWorker]:
    """The worker with its production microphone factory (`sd`: PortAudio on the rig)."""
    backend = FixedBackend(Endpoint(base_url=local_server.base_url),
                            ApiKeyAuth(local_server.secret))
    w = DictationWorker(SETTINGS, backend_factory=lambda s: backend,
                        api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())))
    assert isinstance(w.microphone, Microphone)  # the real capture, not a fake
    await asyncio.wait_for(w.open_microphone(), 15)
    yield w
    await asyncio.wait_for(w.shutdown(), 15)


@pytest.mark.slow
@pytest.mark.timeout(90)
async def test_speech_shows_a_partial_then_a_committed_segment_in_the_window(
        worker: DictationWorker, pulse_rig: PulseRig) -> None:
    """Speech into the microphone shows up live in the live pane, then committed with its
    time in the other."""
    window = MainWindow(worker, worker.settings)
    rec = Recorder(worker)
    live_seen: list[str] = []
    worker.partial_changed.connect(lambda _text: live_seen.append(window.live.partial()))
    sentence = SENTENCES[1]
    wav = synth(sentence, lead_silence_s=0.2, tail_silence_s=0.5)
    worker.refresh_devices()
    assert DEVICE_NAME in rec.events["devices_changed"][-1]
    # the rig's PulseAudio source, by the description the desktop shows, marked default
    assert rec.events["devices_changed"][-1][0] == "VirtualMic"
    combo = window.device_combo
    assert [combo.itemText(i) for i in range(2)] == ["System default (VirtualMic)",
                                                     "VirtualMic (default)"]

    window.toggle_button.click()
    await rec.wait_state(DictationState.LISTENING)
    assert window.toggle_button.text() == "Stop dictation"
    assert window.commit_button.isEnabled()  # manual strategy while listening
    await asyncio.to_thread(pulse_rig.play, wav)
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
