"""Admission by capacity: the sessions the server's cores transcribe in real time, and the
refusal (`resource_exhausted`) of the one beyond, against the real server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from scribe_desktop.server.capacity import (
    HEADROOM,
    POCKETSPHINX_SESSION_CORES,
    WHISPER_TINY_MODEL_BYTES,
    WHISPER_TINY_SESSION_CORES,
    Capacity,
    session_cost,
)
from scribe_desktop.server.engines.base import EngineInfo
from tests.human_speech import librivox
from tests.server.wire import connect, query
from tests.speech import wer
from tests.whisper_model import tiny_en_dir

POCKETSPHINX = EngineInfo("pocketsphinx", "en-us", ("en",))
WHISPER = EngineInfo("whisper", "tiny.en", ("en",), redecodes=True)


def test_capacity_is_the_cores_over_a_sessions_cost() -> None:
    """Sessions = cores x headroom / the engine's measured cost per session, at least one."""
    for cores, sessions in ((1, 2), (2, 5), (8, 22)):
        capacity = Capacity.for_engine(POCKETSPHINX, cores=cores)
        assert capacity.sessions == sessions
        assert sessions * POCKETSPHINX_SESSION_CORES <= cores * HEADROOM
        assert (sessions + 1) * POCKETSPHINX_SESSION_CORES > cores * HEADROOM
    assert Capacity.for_engine(POCKETSPHINX, cores=1, session_cores=4.0).sessions == 1


def test_whisper_cost_is_measured_for_tiny_and_scaled_by_model_size(tmp_path: Path) -> None:
    """tiny.en's cost is the measured one; a four times larger model costs four times more."""
    tiny = session_cost(WHISPER, tiny_en_dir())
    assert (tiny.cores, tiny.basis) == (WHISPER_TINY_SESSION_CORES, "measured")
    big = tmp_path / "bigger"
    big.mkdir()
    with (big / "model.bin").open("wb") as f:
        f.truncate(4 * WHISPER_TINY_MODEL_BYTES)  # sparse: no disk used
    cost = session_cost(WHISPER, big)
    assert cost.cores == pytest.approx(4 * WHISPER_TINY_SESSION_CORES)
    assert cost.basis == "estimated from the model size"
    assert Capacity.for_engine(WHISPER, model_dir=big, cores=2).sessions == 1
    assert Capacity.for_engine(WHISPER, model_dir=big, cores=8).sessions == 4


def test_max_sessions_caps_and_the_refusal_says_why() -> None:
    """An explicit --max-sessions lowers the limit; each refusal names what binds."""
    by_cores = Capacity.for_engine(POCKETSPHINX, cores=2)
    assert "5 concurrent sessions is what its 2 CPU cores can transcribe in real time " \
           "with pocketsphinx (about 0.3 cores each)" in by_cores.refusal()
    capped = Capacity.for_engine(POCKETSPHINX, cores=2, max_sessions=3)
    assert capped.sessions == 3 and "3 concurrent sessions, its --max-sessions" in \
        capped.refusal()
    above = Capacity.for_engine(POCKETSPHINX, cores=2, max_sessions=50)
    assert above.sessions == 5 and "2 CPU cores" in above.refusal()


def test_usable_cores_follow_the_affinity() -> None:
    """A process pinned to one CPU counts one core, whatever the machine has."""
    code = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
            "from scribe_desktop.server.capacity import usable_cores; print(usable_cores())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "1"


@pytest.mark.slow
async def test_session_beyond_the_cores_is_refused_and_the_admitted_get_finals(start_server):
    """On one core the server admits two pocketsphinx sessions, refuses a third with
    resource_exhausted, transcribes the two, and admits again once one has closed."""
    server = start_server("--engine", "pocketsphinx", cpus={0})
    capacity = server.ready["capacity"]
    assert (capacity["cores"], capacity["sessions"]) == (1, 2)
    speech = librivox()[:2]
    async with connect(server) as first, connect(server) as second:
        await first.until("session_started")
        await second.until("session_started")
        async with connect(server) as third:
            closed = await third.closing()
        error = third.received[-1]
        assert error["message_type"] == "resource_exhausted"
        assert error["error"].startswith("The local server is at capacity: 2 concurrent "
                                         "sessions is what its 1 CPU core can transcribe")
        assert closed.code == 1000

        async def transcribe(conn, utterance) -> str:
            await conn.stream(utterance.samples.tobytes(), bytes_per_chunk=3200,
                              sample_rate=16000)
            await conn.commit()
            return str((await conn.until("committed_transcript", 60))["text"])

        texts = await asyncio.gather(*(transcribe(c, u) for c, u in
                                       zip((first, second), speech, strict=True)))
        for text, utterance in zip(texts, speech, strict=True):
            assert wer(utterance.text, text) <= 0.5, (utterance.text, text)
    async with connect(server, query()) as again:
        assert (await again.recv())["message_type"] == "session_started"
