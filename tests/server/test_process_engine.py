"""ProcessEngine: sessions in worker processes, crashes, shutdown, --engine-workers."""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import select
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from scribe_desktop.server.engines.pocketsphinx_engine import load_engine
from scribe_desktop.server.engines.process_host import (
    ProcessEngine,
    RemoteEngineError,
    WorkerDiedError,
)
from tests.conftest import ServerStartError, launch_server
from tests.server.process_fakes import CountingEngine, broken_engine
from tests.server.wire import Closed, Conn, connect
from tests.speech import SENTENCES, pcm16, synth, wer

CHUNK = np.ones(1600, dtype=np.int16)
EXIT_TIMEOUT_S = 15.0


def wait_exited(pid: int, timeout_s: float = EXIT_TIMEOUT_S) -> bool:
    """True once process `pid` has exited (waits on a pidfd: no polling)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], timeout_s)[0])
    finally:
        os.close(fd)


def children(pid: int) -> list[int]:
    """Pids of the live child processes of `pid` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited while we looked
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


def engine_workers(pid: int) -> list[int]:
    """The spawned engine workers among `pid`'s children (not the resource tracker)."""
    found = []
    for child in children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            found.append(child)
    return found


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture
def counting() -> Iterator[ProcessEngine]:
    engine = ProcessEngine(CountingEngine, workers=2, name="counting")
    engine.start()
    try:
        yield engine
    finally:
        engine.close()


def test_sessions_go_to_the_least_loaded_worker(counting: ProcessEngine):
    """Each new session goes to the worker with the fewest open sessions and stays there."""
    first, second = counting.new_session(), counting.new_session()
    assert {first.worker_pid, second.worker_pid} == set(counting.worker_pids())
    assert first.feed(CHUNK) == f"{first.worker_pid} 1600"
    assert first.feed(CHUNK) == f"{first.worker_pid} 3200"  # state lives in the worker
    assert first.commit().words[0].end_s == pytest.approx(0.2)
    second.close()
    third = counting.new_session()
    assert third.worker_pid == second.worker_pid
    for session in (first, third):
        session.close()


def test_engine_exception_reaches_the_caller(counting: ProcessEngine):
    """An exception inside the hosted engine is raised in the caller with its text."""
    session = counting.new_session()
    with pytest.raises(RemoteEngineError, match="ValueError: bad sample"):
        session.feed(np.full(10, -1, dtype=np.int16))
    assert session.feed(CHUNK) is not None  # the worker keeps serving
    session.close()
    session.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        session.feed(CHUNK)


def test_two_sessions_decode_at_the_same_time():
    """Two sessions' calls run at once in two workers (a shared barrier needs both inside)."""
    barrier = multiprocessing.get_context("spawn").Barrier(2)
    engine = ProcessEngine(functools.partial(CountingEngine, barrier), workers=2)
    engine.start()
    try:
        sessions = [engine.new_session() for _ in range(2)]
        results: list[str | BaseException | None] = [None, None]

        def feed(i: int) -> None:
            try:
                results[i] = sessions[i].feed(CHUNK)
            except BaseException as exc:
                results[i] = exc

        threads = [threading.Thread(target=feed, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert results == [f"{s.worker_pid} 1600" for s in sessions]
    finally:
        engine.close()


def test_killed_worker_fails_its_sessions_and_is_replaced(counting: ProcessEngine):
    """SIGKILL on a worker fails its sessions only; new sessions get a fresh worker."""
    doomed, other = counting.new_session(), counting.new_session()
    doomed.feed(CHUNK)
    victim = doomed.worker_pid
    os.kill(victim, signal.SIGKILL)
    with pytest.raises(WorkerDiedError, match=str(victim)):
        doomed.feed(CHUNK)
    doomed.close()  # closing a session of a dead worker is quiet
    assert other.feed(CHUNK) == f"{other.worker_pid} 1600"
    fresh = counting.new_session()
    assert fresh.worker_pid not in (victim, other.worker_pid)
    assert fresh.feed(CHUNK) == f"{fresh.worker_pid} 1600"
    assert victim not in counting.worker_pids()
    for session in (other, fresh):
        session.close()


def test_close_stops_every_worker():
    """close() leaves no worker process behind, replaced ones included."""
    engine = ProcessEngine(CountingEngine, workers=2)
    engine.start()
    first = engine.worker_pids()
    session = engine.new_session()
    os.kill(session.worker_pid, signal.SIGKILL)
    with pytest.raises(WorkerDiedError):
        session.feed(CHUNK)
    engine.new_session()  # the replacement is in use
    pids = set(first) | set(engine.worker_pids())
    engine.close()
    assert len(pids) == 3
    assert all(wait_exited(pid, 0) for pid in pids)
    assert engine_workers(os.getpid()) == []
    with pytest.raises(RuntimeError, match="closed"):
        engine.new_session()


def test_a_model_that_cannot_load_fails_start():
    """start() raises the worker's load error and leaves no worker running."""
    engine = ProcessEngine(broken_engine, workers=2)
    with pytest.raises(RemoteEngineError, match="no model here"):
        engine.start()
    assert engine_workers(os.getpid()) == []


@pytest.mark.slow
def test_pocketsphinx_sessions_use_both_workers():
    """Two real pocketsphinx sessions streamed at once both decode, each in its own worker."""
    audio = np.frombuffer(b"".join(pcm16(synth(s)) for s in SENTENCES[:3]), dtype="<i2")
    reference = " ".join(SENTENCES[:3])
    engine = ProcessEngine(load_engine, workers=2, name="pocketsphinx")
    engine.start()
    try:
        pids = engine.worker_pids()
        before = [cpu_s(pid) for pid in pids]
        sessions = [engine.new_session() for _ in range(2)]
        texts: list[str] = ["", ""]

        def stream(i: int) -> None:
            for off in range(0, audio.size, 1600):
                sessions[i].feed(audio[off:off + 1600])
            texts[i] = sessions[i].commit().text

        threads = [threading.Thread(target=stream, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        used = [cpu_s(pid) - b for pid, b in zip(pids, before, strict=True)]
        assert {s.worker_pid for s in sessions} == set(pids)
        # each worker did a whole session's decoding (~0.3 CPU s per audio s, 10 s of audio)
        assert min(used) > 0.5, used
        for text in texts:
            assert wer(reference, text) <= 0.35, text
    finally:
        engine.close()


async def outcome(conn: Conn, rest: bytes) -> str:
    """Stream `rest` and commit; the first committed_transcript or error message type."""
    with contextlib.suppress(ConnectionError):  # the server may have closed already
        await conn.stream(rest, bytes_per_chunk=3200, sample_rate=16000)
        await conn.commit()
    with contextlib.suppress(Closed):
        while True:
            msg = await conn.recv()
            if msg["message_type"] != "partial_transcript":
                return str(msg["message_type"])
    return "closed without a message"


HEAD = 32000  # 1 s of 16 kHz PCM16: every test sentence has words in it


@pytest.mark.slow
async def test_server_survives_a_killed_worker():
    """Killing one worker errors only its session; the other and new sessions transcribe."""
    server = launch_server("--engine-workers", "2")
    try:
        speech = pcm16(synth(SENTENCES[0], tail_silence_s=0.3))
        async with connect(server) as a, connect(server) as b:
            for conn in (a, b):
                await conn.until("session_started")
                await conn.send_chunk(speech[:HEAD])  # enough speech for a first partial
                await conn.until("partial_transcript")  # both sessions exist (two workers)
            workers = engine_workers(server.process.pid)
            assert len(workers) == 2
            os.kill(workers[0], signal.SIGKILL)
            assert wait_exited(workers[0])
            outcomes = [await outcome(conn, speech[HEAD:]) for conn in (a, b)]
            assert sorted(outcomes) == ["committed_transcript", "transcriber_error"]
        async with connect(server) as c:
            await c.until("session_started")
            await c.stream(speech, bytes_per_chunk=3200, sample_rate=16000)
            await c.commit()
            committed = await c.until("committed_transcript", 60)  # a fresh worker loads
            assert wer(SENTENCES[0], committed["text"]) <= 0.35, committed["text"]
    finally:
        server.stop()


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_no_orphan_workers_after_server_exit(how: signal.Signals):
    """After the server exits (cleanly or killed) none of its child processes remain."""
    server = launch_server("--engine-workers", "2")
    kids = children(server.process.pid)
    assert len(engine_workers(server.process.pid)) == 2
    server.process.send_signal(how)
    assert server.process.wait(EXIT_TIMEOUT_S) == (0 if how == signal.SIGTERM else -how)
    server.stop()
    assert all(wait_exited(pid) for pid in kids), [p for p in kids if not wait_exited(p, 0)]


@pytest.mark.slow
async def test_engine_workers_zero_decodes_in_process():
    """--engine-workers 0 serves from the server process itself (no worker processes)."""
    server = launch_server("--engine-workers", "0")
    try:
        assert engine_workers(server.process.pid) == []
        speech = pcm16(synth(SENTENCES[2], tail_silence_s=0.3))
        async with connect(server) as conn:
            await conn.until("session_started")
            await conn.stream(speech, bytes_per_chunk=3200, sample_rate=16000)
            await conn.commit()
            committed = await conn.until("committed_transcript")
        assert wer(SENTENCES[2], committed["text"]) <= 0.35, committed["text"]
    finally:
        server.stop()


def test_negative_engine_workers_is_a_usage_error():
    """--engine-workers -1 exits with code 2 and says why."""
    with pytest.raises(ServerStartError, match="--engine-workers must be 0 or more"):
        launch_server("--engine-workers", "-1")

