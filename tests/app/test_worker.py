"""The real worker against the real local server (subprocess), with a scripted microphone."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest

from scribe_desktop.client import ApiKeyAuth, Endpoint
from scribe_desktop.connect import ApiKeys, Backend, FixedBackend
from scribe_desktop.connect.keyring_store import ApiKeyStore
from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.protocol.errors import ErrorType
from scribe_desktop.protocol.options import CommitStrategy
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.worker.worker import DictationWorker
from scribe_desktop.session.user_errors import AppErrorKind
from tests.app.fakes import FakeMicrophone, MemoryKeyring
from tests.app.recorder import Recorder
from tests.speech import SENTENCES, pcm16, synth, wer

S = DictationState
MANUAL = Settings(commit_strategy=CommitStrategy.MANUAL)


def make_worker(backend: Backend, mic: FakeMicrophone, settings: Settings = MANUAL,
                **kwargs: Any) -> DictationWorker:
    return DictationWorker(settings, backend_factory=lambda s: backend,
                           microphone_factory=lambda s: mic,
                           api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())), **kwargs)


@pytest.fixture
async def worker(local_server: Any, fake_mic: FakeMicrophone,
                 ) -> AsyncIterator[DictationWorker]:
    backend = FixedBackend(Endpoint(base_url=local_server.base_url),
                            ApiKeyAuth(local_server.secret))
    w = make_worker(backend, fake_mic)
    await w.open_microphone()
    yield w
    await asyncio.wait_for(w.shutdown(), 15)


@pytest.mark.slow
@pytest.mark.timeout(90)
async def test_speech_becomes_partials_then_a_committed_segment(
        worker: DictationWorker, fake_mic: FakeMicrophone) -> None:
    """Speech streams to partials, and stopping commits it as a segment with WER <= 0.35."""
    rec = Recorder(worker)
    sentence = SENTENCES[1]
    pcm = pcm16(synth(sentence, lead_silence_s=0.2, tail_silence_s=0.5))
    # the first words are captured before the connection is up: they must not be lost
    worker.start()
    assert worker.state == S.CONNECTING
    await fake_mic.play(pcm, speed=2.0)
    await rec.wait_for(lambda: any(p for p in rec.partials), 30, "a partial")
    await rec.wait_state(S.LISTENING)
    task = worker.stop()
    assert task is not None and rec.states[-1] == S.COMMITTING
    await asyncio.wait_for(task, 20)
    assert worker.dictation.lifecycle.state == S.IDLE
    assert rec.states == [S.CONNECTING, S.LISTENING, S.COMMITTING, S.IDLE]
    assert len(rec.segments) == 1
    assert wer(sentence, rec.segments[0].text) <= 0.35, rec.segments[0].text
    assert rec.partials[-1] == ""  # the live pane is emptied by the commit (rule C3)
    latencies = [s.last_partial_latency_ms for s in rec.statuses
                 if s.last_partial_latency_ms is not None]
    assert latencies and all(v >= 0 for v in latencies)  # measured, never bounded
    assert rec.events["level_changed"], "levels are reported"
    assert not rec.errors


@pytest.mark.slow
@pytest.mark.timeout(90)
async def test_stop_while_connecting_still_commits_the_buffered_audio(
        worker: DictationWorker, fake_mic: FakeMicrophone) -> None:
    """Audio buffered before the connection opens is sent and committed after a quick stop."""
    rec = Recorder(worker)
    sentence = SENTENCES[0]
    pcm = pcm16(synth(sentence, lead_silence_s=0.3, tail_silence_s=0.5))
    fake_mic.feed_preroll(pcm)  # all of it is already captured when start() is pressed
    worker.start()
    task = worker.stop()
    assert task is not None
    await asyncio.wait_for(task, 30)
    assert rec.states[-1] == S.IDLE and S.COMMITTING in rec.states
    assert len(rec.segments) == 1
    assert wer(sentence, rec.segments[0].text) <= 0.35, rec.segments[0].text


@pytest.mark.slow
@pytest.mark.timeout(90)
async def test_toggle_commit_now_and_cancel(worker: DictationWorker,
                                            fake_mic: FakeMicrophone) -> None:
    """Toggle starts, Commit now commits mid-dictation, Cancel ends without committing."""
    rec = Recorder(worker)
    worker.toggle()
    await rec.wait_state(S.LISTENING)
    await fake_mic.play(pcm16(synth(SENTENCES[2], tail_silence_s=0.3)), speed=4.0)
    commit = worker.commit_now()
    assert commit is not None and await asyncio.wait_for(commit, 10)
    await rec.wait_for(lambda: len(rec.segments) == 1, 20, "the committed segment")
    assert worker.state == S.LISTENING
    await fake_mic.play(pcm16(synth(SENTENCES[3])), speed=4.0)
    task = worker.cancel()
    assert task is not None
    await asyncio.wait_for(task, 10)
    assert worker.dictation.lifecycle.state == S.IDLE and len(rec.segments) == 1
    assert worker.start() is not None  # a new dictation can begin right away
    await rec.wait_for(lambda: rec.states.count(S.LISTENING) == 2, 20, "second listening")
    assert worker.start() is None  # ignored: already dictating


@pytest.mark.slow
@pytest.mark.timeout(60)
async def test_a_rejected_key_ends_in_error_with_its_message(
        local_server: Any, fake_mic: FakeMicrophone) -> None:
    """A wrong secret at the local server ends in ERROR with the rejected-key message."""
    backend = FixedBackend(Endpoint(base_url=local_server.base_url), ApiKeyAuth("wrong"))
    worker = make_worker(backend, fake_mic)
    rec = Recorder(worker)
    worker.start()
    await rec.wait_state(S.ERROR, 20)
    assert rec.errors[0].kind in (ErrorType.AUTH_ERROR, AppErrorKind.HANDSHAKE_REJECTED)
    assert "key" in rec.errors[0].message
    assert worker.reset() is None and worker.state == S.IDLE
    await asyncio.wait_for(worker.shutdown(), 10)


async def test_an_unreachable_server_is_a_connect_error(fake_mic: FakeMicrophone) -> None:
    """Nothing listening at the endpoint ends in ERROR with the connection-refused message."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    backend = FixedBackend(Endpoint(base_url=f"http://127.0.0.1:{port}"), ApiKeyAuth("x"))
    worker = make_worker(backend, fake_mic)
    rec = Recorder(worker)
    worker.toggle()
    await rec.wait_state(S.ERROR, 20)
    assert [e.kind for e in rec.errors] == [AppErrorKind.CONNECTION_REFUSED]
    assert f"127.0.0.1:{port} refused the connection" in rec.errors[0].message
    await asyncio.wait_for(worker.shutdown(), 10)


async def test_settings_are_applied_and_announced(fake_mic: FakeMicrophone) -> None:
    """apply_settings validates, announces and keeps the new settings; select_device too."""
    backend = FixedBackend(Endpoint(base_url="http://127.0.0.1:9"), ApiKeyAuth("x"))
    worker = make_worker(backend, fake_mic)
    rec = Recorder(worker)
    new = dataclasses.replace(MANUAL, language="fr", include_timestamps=False)
    await worker.apply_settings(new)
    assert worker.settings == new and rec.events["settings_changed"] == [new]
    await worker.select_device("Fake Mic")
    assert worker.settings.device_name == "Fake Mic"
    with pytest.raises(ValueError):
        worker.apply_settings(dataclasses.replace(MANUAL, vad_threshold=5.0))
    await asyncio.wait_for(worker.shutdown(), 10)


async def test_a_lost_microphone_shows_its_error_while_dictating(
        fake_mic: FakeMicrophone) -> None:
    """A device-lost warning during a dictation emits the microphone-lost error."""
    from scribe_desktop.audio.capture_events import CaptureWarning, WarningKind

    backend = FixedBackend(Endpoint(base_url="http://127.0.0.1:9"), ApiKeyAuth("x"))
    worker = make_worker(backend, fake_mic)
    rec = Recorder(worker)
    fake_mic.emit(CaptureWarning(WarningKind.DEVICE_LOST, "gone", "Fake Mic"))
    assert rec.errors == [] and rec.events["device_warning"] == ["gone"]
    worker.start()
    fake_mic.emit(CaptureWarning(WarningKind.DEVICE_LOST, "gone again", "Fake Mic"))
    assert [e.kind for e in rec.errors] == [AppErrorKind.MICROPHONE_LOST]
    await asyncio.wait_for(worker.shutdown(), 10)


@pytest.mark.slow
@pytest.mark.timeout(90)
async def test_stop_while_reconnecting_gives_up_at_once(start_server: Any,
                                                        fake_mic: FakeMicrophone) -> None:
    """A dead server puts the worker in RECONNECTING; Stop then ends it idle, with no error."""
    server = start_server()
    backend = FixedBackend(Endpoint(base_url=server.base_url), ApiKeyAuth(server.secret))
    worker = make_worker(backend, fake_mic, reconnect_delays_s=(0.0, 5.0, 5.0))
    rec = Recorder(worker)
    worker.start()
    await rec.wait_state(S.LISTENING, 20)
    server.process.kill()
    await rec.wait_state(S.RECONNECTING, 20)
    task = worker.stop()
    assert task is not None
    await asyncio.wait_for(task, 5)
    assert rec.states[-1] == S.IDLE and worker.dictation.live is None and not rec.errors
    await asyncio.wait_for(worker.shutdown(), 10)
    assert rec.states[-1] == S.IDLE and not rec.errors


async def test_rescan_re_enumerates_the_microphones_when_idle(fake_mic: FakeMicrophone) -> None:
    """The refresh action rescans the inputs when idle and reports them to the window."""
    worker = make_worker(FixedBackend(Endpoint(base_url="http://127.0.0.1:9"),
                                       ApiKeyAuth("unused")), fake_mic)
    seen: list[list[str]] = []
    worker.devices_changed.connect(seen.append)
    await asyncio.wait_for(worker.rescan_devices(), 5)
    assert fake_mic.rescans == 1 and seen[-1] == ["Fake Mic"]
