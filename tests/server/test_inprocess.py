"""The server app in-process with fake engines: engine failures, isolation, units."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import numpy as np
import pytest
from aiohttp import web

from scribe_desktop.server.app import build_app
from scribe_desktop.server.config import ConfigError, ServerConfig
from scribe_desktop.server.engines.base import EngineInfo, SegmentResult, SessionHints, WordTiming
from scribe_desktop.server.engines.pocketsphinx_engine import clean_hypothesis, clean_word
from scribe_desktop.server.tokens import TokenStore
from scribe_desktop.server.vad import vad_mode
from tests.server.wire import connect, query


class FakeSession:
    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine
        self.samples = 0

    def feed(self, samples: np.ndarray) -> str | None:
        assert samples.size > 0
        if self.engine.fail:
            raise RuntimeError("decoder exploded")
        if self.engine.block is not None and self.engine.sessions.index(self) == 0:
            self.engine.blocked.set()
            self.engine.block.wait(10)
        self.samples += samples.size
        return "hello"

    def commit(self) -> SegmentResult:
        n, self.samples = self.samples, 0
        if not n:
            return SegmentResult("")
        end = n / 16000
        return SegmentResult("hello world", (WordTiming("hello", 0.0, end / 2),
                                             WordTiming("world", end / 2, end)))

    def close(self) -> None:
        pass


class FakeEngine:
    info = EngineInfo("fake", "fake", ("en",))

    def __init__(self, *, fail: bool = False, block: threading.Event | None = None) -> None:
        self.fail = fail
        self.block = block
        self.blocked = threading.Event()
        self.sessions: list[FakeSession] = []
        self.hints: list[SessionHints | None] = []

    def new_session(self, source_rate_hz: int = 16000,
                    hints: SessionHints | None = None) -> FakeSession:
        session = FakeSession(self)
        self.sessions.append(session)
        self.hints.append(hints)
        return session

    def close(self) -> None:
        pass


@dataclass
class InProcess:
    base_url: str
    secret: str
    app: web.Application


@asynccontextmanager
async def run_app(engine: FakeEngine, *, pace_window_s: float | None = None,
                  **config: object) -> AsyncIterator[InProcess]:
    cfg = ServerConfig(secret="s", **config)  # type: ignore[arg-type]
    app = build_app(cfg, engine) if pace_window_s is None else \
        build_app(cfg, engine, pace_window_s=pace_window_s)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield InProcess(f"http://{host}:{port}", "s", app)
    finally:
        await runner.cleanup()


async def test_engine_failure_is_transcriber_error():
    """An exception in the engine ends that session with transcriber_error."""
    async with run_app(FakeEngine(fail=True)) as server:
        async with connect(server) as conn:
            await conn.until("session_started")
            await conn.send_chunk(bytes(3200))
            closed = await conn.closing()
        error = conn.received[-1]
        assert error == {"message_type": "transcriber_error",
                         "error": "The transcriber failed: decoder exploded"}
        assert closed.code == 1000


async def test_slow_session_does_not_stall_another():
    """While one session's engine call blocks, another session completes a commit."""
    release = threading.Event()
    engine = FakeEngine(block=release)
    async with run_app(engine) as server, connect(server) as slow:
        await slow.until("session_started")
        await slow.send_chunk(bytes(3200))
        assert await asyncio.to_thread(engine.blocked.wait, 10)
        async with connect(server, query(include_timestamps=True)) as fast:
            await fast.until("session_started")
            await fast.send_chunk(bytes(16000))
            await fast.commit()
            committed = await fast.until("committed_transcript")
            stamped = await fast.until("committed_transcript_with_timestamps")
        assert committed["text"] == "hello world"
        assert [w["text"] for w in stamped["words"]] == ["hello", " ", "world"]
        release.set()
        assert (await slow.until("partial_transcript"))["text"] == "hello"


async def test_auto_commit_after_uncommitted_audio():
    """Manual mode commits on its own after --auto-commit-seconds of uncommitted audio."""
    async with run_app(FakeEngine(), auto_commit_s=1.0) as server, connect(server) as conn:
        await conn.until("session_started")
        for _ in range(4):
            await conn.send_chunk(bytes(9600))  # 0.3 s each
        assert (await conn.until("committed_transcript"))["text"] == "hello world"


async def test_second_segment_words_are_stream_global():
    """Word times of a later segment are offset by all audio before it."""
    params = query(include_timestamps=True)
    async with run_app(FakeEngine()) as server, connect(server, params) as conn:
        await conn.until("session_started")
        await conn.send_chunk(bytes(32000))  # 1 s
        await conn.commit()
        await conn.until("committed_transcript_with_timestamps")
        await conn.send_chunk(bytes(16000))  # 0.5 s
        await conn.commit()
        stamped = await conn.until("committed_transcript_with_timestamps")
    assert stamped["words"][0]["start"] == pytest.approx(1.0)
    assert stamped["words"][-1]["end"] == pytest.approx(1.5)


@pytest.mark.parametrize(("strategy", "on_silence"), [("vad", True), ("manual", False)])
async def test_the_engine_knows_whether_the_server_commits_on_silence(strategy: str,
                                                                     on_silence: bool):
    """A VAD session tells its engine that a pause ends the segment (the Whisper engine then
    decodes the final early in the pause); a manual session does not."""
    engine = FakeEngine()
    async with run_app(engine) as server, \
            connect(server, query(commit_strategy=strategy)) as conn:
        await conn.until("session_started")
    (hints,) = engine.hints
    assert hints is not None and hints.commits_on_silence is on_silence


def test_clean_word_strips_markers_and_fillers():
    """Alternate-pronunciation markers and filler tokens never reach the transcript."""
    assert clean_word("on(2)") == "on"
    assert [clean_word(t) for t in ("<s>", "</s>", "<sil>", "[NOISE]", "++BREATH++")] == \
        [None] * 5
    assert clean_hypothesis("<s> turn on(2) [NOISE] the lights </s>") == "turn on the lights"


def test_vad_threshold_maps_onto_modes():
    """vad_threshold 0.1-0.9 maps monotonically onto WebRTC VAD modes 0-3."""
    assert [vad_mode(t) for t in (0.1, 0.29, 0.3, 0.4, 0.5, 0.69, 0.7, 0.9)] == \
        [0, 0, 1, 1, 2, 2, 3, 3]


def test_tokens_are_single_use_and_expire():
    """A minted token is consumed by its first use and dies after its lifetime."""
    now = [0.0]
    store = TokenStore(ttl_s=900, clock=lambda: now[0])
    first, second = store.mint(), store.mint()
    assert store.consume(first)
    assert not store.consume(first)
    now[0] = 900.0
    assert not store.consume(second)


def test_non_loopback_host_requires_allow_remote():
    """Binding a non-loopback address needs allow_remote."""
    with pytest.raises(ConfigError, match="--allow-remote"):
        ServerConfig(host="0.0.0.0").validate()
    ServerConfig(host="0.0.0.0", allow_remote=True).validate()
    ServerConfig(host="::1").validate()
