"""The worker records every session into the history as it happens: the real
worker, the real local server (subprocess) and a scripted microphone, a temporary store."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from scribe_desktop.client import ApiKeyAuth, Endpoint
from scribe_desktop.connect import FixedBackend
from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.core.transcript import SegmentAdded, TranscriptChange
from scribe_desktop.export import SessionSource, SessionStatus
from scribe_desktop.history import HistoryStore
from scribe_desktop.qt.settings import LiveExportFormat
from scribe_desktop.qt.worker.worker import DictationWorker
from scribe_desktop.session.file_transcription import StreamPolicy
from scribe_desktop.session.journal import JournalSession
from tests.app.fakes import FakeMicrophone
from tests.app.recorder import Recorder
from tests.app.test_worker import MANUAL, make_worker
from tests.speech import SENTENCES, pcm16, synth, wer

S = DictationState
pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore.open(tmp_path / "history.sqlite3") as s:
        yield s


def backend_for(server: Any) -> FixedBackend:
    return FixedBackend(Endpoint(base_url=server.base_url), ApiKeyAuth(server.secret))


@pytest.fixture
async def worker(local_server: Any, fake_mic: FakeMicrophone, store: HistoryStore,
                 tmp_path: Path) -> AsyncIterator[DictationWorker]:
    settings = dataclasses.replace(MANUAL, keep_session_audio=True,
                                   live_export_path=str(tmp_path / "live.srt"),
                                   live_export_format=LiveExportFormat.SRT)
    w = make_worker(backend_for(local_server), fake_mic, settings, history=store)
    await w.open_microphone()
    yield w
    await asyncio.wait_for(w.shutdown(), 15)


class Collected(list[Any]):
    """What a signal delivered, with a wait for the `n`th delivery."""

    def __init__(self, signal: Any) -> None:
        super().__init__()
        self._changed = asyncio.Event()
        signal.connect(self._add)

    def _add(self, value: Any) -> None:
        self.append(value)
        self._changed.set()

    async def wait(self, n: int = 1, timeout_s: float = 10.0) -> None:
        async def loop() -> None:
            while len(self) < n:
                self._changed.clear()
                await self._changed.wait()
        await asyncio.wait_for(loop(), timeout_s)


async def finished(task: asyncio.Task[Any] | None, timeout_s: float = 30.0) -> None:
    assert task is not None
    await asyncio.wait_for(task, timeout_s)


async def test_a_dictation_is_recorded_with_its_segment_words_audio_and_live_export(
        worker: DictationWorker, fake_mic: FakeMicrophone, store: HistoryStore,
        tmp_path: Path) -> None:
    """A stopped dictation is stored completed, with its text, word times, kept audio and
    the live-export SRT file."""
    rec = Recorder(worker)
    ids = Collected(worker.session_recorded)
    sentence = SENTENCES[1]
    worker.start()
    await fake_mic.play(pcm16(synth(sentence, lead_silence_s=0.2, tail_silence_s=0.5)),
                        speed=2.0)
    await rec.wait_state(S.LISTENING)
    await finished(worker.stop())
    await ids.wait()
    assert len(rec.segments) == 1

    session = store.load(ids[0])
    assert session.status == SessionStatus.COMPLETED
    assert session.meta.source == SessionSource.DICTATION
    assert session.meta.backend == "local"
    assert len(session.segments) == 1
    assert session.text == rec.segments[0].text.strip()
    assert wer(sentence, session.text) <= 0.35, session.text
    assert session.segments[0].words, "the timestamped commit enriched the stored segment"
    assert session.duration_s is not None and session.duration_s > 0
    audio = store.audio_path(ids[0])
    assert audio is not None and audio.stat().st_size > 16000  # > 0.5 s of pcm_16000
    srt = (tmp_path / "live.srt").read_text()
    assert srt.startswith("1\n") and " --> " in srt
    assert wer(sentence, " ".join(srt.split("\n")[2:])) <= 0.35, srt


async def test_a_cancelled_push_to_talk_dictation_is_recorded_as_such(
        worker: DictationWorker, fake_mic: FakeMicrophone, store: HistoryStore) -> None:
    """A hotkey dictation is stored as push-to-talk; cancelling it stores it cancelled."""
    rec = Recorder(worker)
    ids = Collected(worker.session_recorded)
    assert worker.start_push_to_talk() is not None
    await rec.wait_state(S.LISTENING)
    await finished(worker.cancel())
    await ids.wait()
    summary = store.list_sessions()[0]
    assert summary.id == ids[0]
    assert summary.source == SessionSource.PUSH_TO_TALK
    assert summary.status == SessionStatus.CANCELLED
    worker.start()  # the next one, from the window, is a plain dictation again
    await rec.wait_state(S.LISTENING)
    await finished(worker.cancel())
    await ids.wait(2)
    assert store.list_sessions()[0].source == SessionSource.DICTATION


async def test_a_transcribed_file_is_recorded_as_a_file_session(
        worker: DictationWorker, store: HistoryStore, tmp_path: Path) -> None:
    """File → Transcribe… stores a completed file session with the path and duration."""
    ids = Collected(worker.session_recorded)
    sentence = SENTENCES[3]
    path = synth(sentence, lead_silence_s=0.2, tail_silence_s=0.3)
    segments = await asyncio.wait_for(worker.transcribe_file(str(path)), 60)
    assert segments
    await ids.wait()
    session = store.load(ids[0])
    assert session.meta.source == SessionSource.FILE
    assert session.meta.file == str(path)
    assert session.status == SessionStatus.COMPLETED
    assert wer(sentence, session.text) <= 0.35, session.text
    info = soundfile.info(str(path))
    assert session.duration_s == pytest.approx(info.frames / info.samplerate, abs=0.1)


async def test_a_broken_store_is_one_notice_and_dictation_goes_on(
        local_server: Any, fake_mic: FakeMicrophone, tmp_path: Path) -> None:
    """A history that cannot be written gives one notice; both dictations still commit."""
    store = HistoryStore.open(tmp_path / "history.sqlite3")
    store.close()  # every write now fails
    worker = make_worker(backend_for(local_server), fake_mic, history=store)
    notices = Collected(worker.notice)
    await worker.open_microphone()
    rec = Recorder(worker)
    try:
        for n, sentence in enumerate((SENTENCES[2], SENTENCES[4]), 1):
            worker.start()
            await fake_mic.play(pcm16(synth(sentence, tail_silence_s=0.3)), speed=4.0)
            await rec.wait_state(S.LISTENING)
            await finished(worker.stop())
            assert len(rec.segments) == n
        await notices.wait()
        await worker.journal.drain()
        assert len(notices) == 1, notices
        assert "history" in notices[0].lower()
        assert not rec.errors
    finally:
        await asyncio.wait_for(worker.shutdown(), 15)


async def test_a_files_segments_are_recorded_as_they_arrive(
        worker: DictationWorker, store: HistoryStore, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A file cancelled after its first committed segment keeps that segment in the
    history: each one is recorded as it arrives, not when the file is done."""
    first, second = SENTENCES[2], SENTENCES[3]
    audio = pcm16(synth(first, lead_silence_s=0.2, tail_silence_s=1.5)) \
        + pcm16(synth(second, tail_silence_s=0.3))
    path = tmp_path / "two.wav"
    soundfile.write(str(path), np.frombuffer(audio, dtype=np.int16), 16000, subtype="PCM_16")
    # commit at the pause between the sentences; slow enough that the second is not yet in
    worker.file_policy = StreamPolicy(speed=2.0, burst_s=0.0, commit_after_s=1.0,
                                      commit_force_s=6.0, max_ahead_s=30.0)
    recorded = asyncio.Event()
    record_change = JournalSession.record_change

    def spy(self: JournalSession, change: TranscriptChange) -> None:
        record_change(self, change)
        if isinstance(change, SegmentAdded):
            recorded.set()

    monkeypatch.setattr(JournalSession, "record_change", spy)
    ids = Collected(worker.session_recorded)
    task = worker.transcribe_file(str(path))
    await asyncio.wait_for(recorded.wait(), 30)
    worker.cancel_file()
    assert await asyncio.wait_for(task, 30) == []  # a cancelled file shows nothing
    await ids.wait()
    session = store.load(ids[0])
    assert session.status == SessionStatus.CANCELLED
    assert len(session.segments) == 1 and wer(first, session.text) <= 0.35, session.text
