"""Backends: the local server child restarted when it dies, the API key kept only in the
keyring (or this run's memory), "Test connection", and file transcription through the worker."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from scribe_desktop.app.logging_setup import configure_logging
from scribe_desktop.client import ApiKeyAuth, Endpoint, connect
from scribe_desktop.connect import (
    ApiKeys,
    BackendStatus,
    CloudBackend,
    FixedBackend,
    LocalBackend,
    MissingApiKeyError,
)
from scribe_desktop.connect.keyring_store import SERVICE, ApiKeyStore
from scribe_desktop.core.backend_kind import BackendKind
from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.protocol.errors import ErrorType
from scribe_desktop.protocol.options import CommitStrategy, SessionOptions
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.settings_store import SettingsStore
from scribe_desktop.qt.worker.worker import DictationWorker
from scribe_desktop.session.connection_check import check_connection
from scribe_desktop.session.user_errors import AppErrorKind
from tests.app.fakes import FakeMicrophone, MemoryKeyring, NoKeyring
from tests.app.recorder import Recorder
from tests.speech import SENTENCES, pcm16, synth, wer

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "dictation-16k.wav"
KEY = "sk_test_7f3a9c0e1b2d4f6a8c0e1b2d4f6a8c0e"
S = DictationState


def kill(backend: LocalBackend) -> int:
    assert backend.server is not None and backend.server._proc is not None
    pid = backend.server._proc.pid
    os.kill(pid, signal.SIGKILL)
    return pid


@pytest.fixture
async def local_backend() -> AsyncIterator[LocalBackend]:
    backend = LocalBackend()
    yield backend
    await asyncio.wait_for(backend.aclose(), 15)


@pytest.mark.slow
@pytest.mark.timeout(90)
async def test_a_killed_local_server_is_restarted(local_backend: LocalBackend) -> None:
    """Killing the server child shows RESTARTING, then a new server answers on the same port."""
    statuses: list[BackendStatus] = []
    ready = asyncio.Event()

    def on_status(status: BackendStatus, detail: str) -> None:
        statuses.append(status)
        if status == BackendStatus.READY:
            ready.set()

    local_backend.on_status = on_status
    first = await local_backend.connection()
    port = local_backend.server.port if local_backend.server else None
    assert statuses == [BackendStatus.STARTING, BackendStatus.READY]
    ready.clear()
    kill(local_backend)
    await asyncio.wait_for(ready.wait(), 30)
    assert statuses[-2:] == [BackendStatus.RESTARTING, BackendStatus.READY]
    second = await local_backend.connection()
    assert local_backend.restarts == 1
    assert local_backend.server is not None and local_backend.server.port == port
    assert second.auth == first.auth  # same secret: a reconnect with old credentials works
    async with await connect(SessionOptions(), second.endpoint, second.auth) as session:
        assert session.session_id


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_dictation_survives_a_server_restart(local_backend: LocalBackend,
                                                   fake_mic: FakeMicrophone) -> None:
    """A dictation whose server dies goes RECONNECTING, then LISTENING, and still commits."""
    worker = DictationWorker(Settings(commit_strategy=CommitStrategy.MANUAL),
                             backend_factory=lambda s: local_backend,
                             microphone_factory=lambda s: fake_mic,
                             api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())))
    rec = Recorder(worker)
    try:
        worker.start()
        await rec.wait_state(S.LISTENING, 40)
        kill(local_backend)
        await rec.wait_state(S.RECONNECTING, 20)
        await rec.wait_for(lambda: rec.states.count(S.LISTENING) == 2, 40, "listening again")
        assert any(s.connection == "Local server restarting…" for s in rec.statuses)
        sentence = SENTENCES[0]
        await fake_mic.play(pcm16(synth(sentence, lead_silence_s=0.3, tail_silence_s=0.5)),
                            speed=4.0)
        task = worker.stop()
        assert task is not None
        await asyncio.wait_for(task, 30)
        assert rec.states[-1] == S.IDLE and not rec.errors
        assert wer(sentence, " ".join(s.text for s in rec.segments)) <= 0.35
    finally:
        await asyncio.wait_for(worker.shutdown(), 15)
    assert local_backend.status == BackendStatus.STOPPED
    assert local_backend.server is None


async def test_the_key_lives_only_in_the_keyring(tmp_path: Path) -> None:
    """A saved key is in the keyring, never in the settings file or the log."""
    log_path, redactor = configure_logging(tmp_path / "logs")
    try:
        keyring = MemoryKeyring()
        keys = ApiKeys(ApiKeyStore(keyring))
        redactor.add(KEY)
        assert await keys.set(KEY) is True
        assert list(keyring.store.values()) == [KEY] and keys.session_only is False
        assert next(iter(keyring.store))[0] == SERVICE
        store = SettingsStore(tmp_path / "settings.ini")
        store.save(Settings(backend=BackendKind.CLOUD))
        logging.getLogger("scribe_desktop.test").warning("using %s", KEY)
        backend = CloudBackend(keys, single_use_tokens=False)
        conn = await backend.connection()
        logging.getLogger("scribe_desktop.test").warning("auth %s %r", conn.auth, conn)
        assert conn.auth == ApiKeyAuth(KEY)
        for handler in logging.getLogger().handlers:
            handler.flush()
        assert KEY not in (tmp_path / "settings.ini").read_text()
        assert KEY not in log_path.read_text() and "using ***" in log_path.read_text()
        assert await keys.get() == KEY
    finally:
        root = logging.getLogger()
        for h in [h for h in root.handlers if h.get_name() == "scribe-desktop-file"]:
            root.removeHandler(h)
            h.close()


async def test_without_a_keyring_the_key_is_for_this_run_only(tmp_path: Path,
                                                              fake_mic: FakeMicrophone) -> None:
    """With no OS keyring the worker says so and keeps the key in memory only."""
    keys = ApiKeys(ApiKeyStore(NoKeyring()))
    worker = DictationWorker(Settings(backend=BackendKind.CLOUD),
                             backend_factory=lambda s: CloudBackend(keys),
                             microphone_factory=lambda s: fake_mic, api_keys=keys)
    rec = Recorder(worker)
    assert await keys.get() is None and keys.keyring_available is False
    assert await worker.set_api_key(KEY) is False
    assert [e.kind for e in rec.errors] == [AppErrorKind.NO_KEYRING]
    assert "this run only" in rec.errors[0].message
    assert keys.session_only and await keys.get() == KEY

    def files_mentioning_the_key() -> list[Path]:
        return [p for p in tmp_path.rglob("*") if p.is_file()
                and KEY in p.read_text(errors="ignore")]

    assert await asyncio.to_thread(files_mentioning_the_key) == []
    await worker.shutdown()


async def test_cloud_without_a_key_says_so() -> None:
    """The ElevenLabs backend with no key fails with the API-key-needed message."""
    backend = CloudBackend(ApiKeys(ApiKeyStore(MemoryKeyring())))
    with pytest.raises(MissingApiKeyError):
        await backend.connection()
    error = await check_connection(backend, SessionOptions())
    assert error is not None and error.kind == AppErrorKind.NO_API_KEY


@pytest.mark.slow
async def test_test_connection_succeeds_and_fails(local_server: Any,
                                                  fake_mic: FakeMicrophone) -> None:
    """Test connection returns None for a good server and the auth error for a bad key."""
    good = FixedBackend(Endpoint(base_url=local_server.base_url),
                         ApiKeyAuth(local_server.secret))
    assert await check_connection(good, SessionOptions()) is None
    bad = FixedBackend(Endpoint(base_url=local_server.base_url), ApiKeyAuth("nope"))
    error = await check_connection(bad, SessionOptions())
    assert error is not None
    assert error.kind in (ErrorType.AUTH_ERROR, AppErrorKind.HANDSHAKE_REJECTED)
    worker = DictationWorker(Settings(), backend_factory=lambda s: good,
                             microphone_factory=lambda s: fake_mic,
                             api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())))
    rec = Recorder(worker)
    assert await worker.test_connection() is None
    assert rec.events["connection_tested"] == [None]
    await worker.shutdown()


@pytest.mark.slow
@pytest.mark.timeout(90)
async def test_transcribe_file_emits_progress_then_segments(
        local_server: Any, fake_mic: FakeMicrophone) -> None:
    """A file's transcription reports progress, then its own segments (never the
    dictation's: the window shows a file in a tab of its own)."""
    backend = FixedBackend(Endpoint(base_url=local_server.base_url),
                            ApiKeyAuth(local_server.secret))
    worker = DictationWorker(Settings(), backend_factory=lambda s: backend,
                             microphone_factory=lambda s: fake_mic,
                             api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())))
    rec = Recorder(worker)
    segments = await asyncio.wait_for(worker.transcribe_file(str(SAMPLE)), 60)
    progress = rec.events["file_progress"]
    assert progress[0] == (0.0, pytest.approx(6.489, abs=0.01))
    assert progress[-1][0] == pytest.approx(progress[-1][1], abs=0.3)
    assert [p[0] for p in progress] == sorted(p[0] for p in progress)
    assert segments and rec.segments == []
    assert rec.events["file_finished"] == [segments]
    assert worker.transcript.segments == []
    reference = SAMPLE.with_suffix(".txt").read_text()
    assert wer(reference, " ".join(s.text for s in segments)) <= 0.35
    assert worker.state == S.IDLE
    await worker.shutdown()


@pytest.mark.slow
@pytest.mark.timeout(60)
async def test_cancel_file_finishes_with_nothing(local_server: Any,
                                                 fake_mic: FakeMicrophone) -> None:
    """Cancelling a file transcription ends it with an empty file_finished and no error."""
    backend = FixedBackend(Endpoint(base_url=local_server.base_url),
                            ApiKeyAuth(local_server.secret))
    worker = DictationWorker(Settings(), backend_factory=lambda s: backend,
                             microphone_factory=lambda s: fake_mic,
                             api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())))
    rec = Recorder(worker)
    task = worker.transcribe_file(str(SAMPLE))
    await rec.wait_for(lambda: bool(rec.events["file_progress"]), 20, "progress")
    worker.cancel_file()
    assert await asyncio.wait_for(task, 20) == []
    assert rec.events["file_finished"] == [[]] and not rec.errors


async def test_a_bad_file_is_a_clear_error(fake_mic: FakeMicrophone, tmp_path: Path) -> None:
    """An unreadable file fails its job with the file error, also shown as an error."""
    bad = tmp_path / "notes.txt"
    bad.write_text("not audio")
    backend = FixedBackend(Endpoint(base_url="http://127.0.0.1:9"), ApiKeyAuth("x"))
    worker = DictationWorker(Settings(), backend_factory=lambda s: backend,
                             microphone_factory=lambda s: fake_mic,
                             api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())))
    rec = Recorder(worker)
    assert await worker.transcribe_file(str(bad)) == []
    assert [e.kind for e in rec.errors] == [AppErrorKind.FILE_UNSUPPORTED]
    assert "notes.txt" in rec.errors[0].message
    assert rec.events["file_failed"] == rec.errors and rec.events["file_finished"] == []
