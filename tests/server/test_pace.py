"""A session is behind when its frames wait and its audio is processed slower than real time;
while one is, the server refuses a new session (in-process app, fake engine)."""

from __future__ import annotations

import asyncio
import threading

from scribe_desktop.server.app import SESSIONS_KEY
from scribe_desktop.server.pace import PaceMonitor
from tests.server.test_inprocess import FakeEngine, run_app
from tests.server.wire import connect

CHUNK_S = 0.1


def drive(monitor: PaceMonitor, start: float, frames: int, *, wait_s: float, work_s: float,
          audio_s: float = CHUNK_S) -> float:
    """Frames that each wait `wait_s` for the client and take `work_s` to process."""
    t = start
    for _ in range(frames):
        monitor.waiting(t)
        t += wait_s
        monitor.received(t)
        t += work_s
        monitor.done(t, audio_s)
    return t


def test_a_session_keeping_up_is_not_behind() -> None:
    """Real-time frames processed in a tenth of their duration: the loop mostly waits."""
    m = PaceMonitor()
    t = drive(m, 0.0, 100, wait_s=0.09, work_s=0.01)
    assert not m.behind(t)


def test_queued_frames_processed_slower_than_real_time_are_behind() -> None:
    """Frames always waiting and 0.3 s of work per 0.1 s of audio: behind."""
    m = PaceMonitor()
    t = drive(m, 0.0, 30, wait_s=0.0, work_s=0.3)
    assert m.behind(t)


def test_a_fast_client_with_a_server_keeping_up_is_not_behind() -> None:
    """A file sent faster than real time: frames always waiting, but processed at 10x."""
    m = PaceMonitor()
    t = drive(m, 0.0, 200, wait_s=0.0, work_s=0.01)
    assert not m.behind(t)


def test_a_paused_client_and_a_young_session_are_not_behind() -> None:
    """A loop waiting for a client that stopped sending is not behind, nor is a session
    younger than the window."""
    m = PaceMonitor()
    t = drive(m, 0.0, 5, wait_s=0.0, work_s=0.5)
    assert not m.behind(t)  # 2.5 s old: too young to tell
    m.waiting(t)
    assert not m.behind(t + 10.0)


def test_one_call_blocking_longer_than_the_window_is_behind() -> None:
    """A frame whose processing has lasted the whole window: behind."""
    m = PaceMonitor(window_s=1.0)
    t = drive(m, 0.0, 20, wait_s=0.09, work_s=0.01)
    m.waiting(t)
    m.received(t)
    assert not m.behind(t + 0.5)
    assert m.behind(t + 1.5)


async def until(condition, timeout_s: float = 10.0) -> None:
    """Wait for `condition()` to hold (checked on each turn of the loop), or fail."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)  # a poll interval, not a guess at when it happens


async def test_new_session_refused_while_an_admitted_one_falls_behind():
    """While a session's engine is stuck and its audio queues, a new session gets
    resource_exhausted saying so; once it catches up, sessions are admitted again."""
    release = threading.Event()
    engine = FakeEngine(block=release)
    async with run_app(engine, pace_window_s=0.5) as server, connect(server) as slow:
        await slow.until("session_started")
        for _ in range(30):  # 3 s of audio at once: queued behind the stuck first chunk
            await slow.send_chunk(bytes(3200))
        assert await asyncio.to_thread(engine.blocked.wait, 10)
        app = server.app
        loop = asyncio.get_running_loop()
        await until(lambda: all(s.pace.behind(loop.time()) for s in app[SESSIONS_KEY]))
        async with connect(server) as refused:
            await refused.closing()
        error = refused.received[-1]
        assert error["message_type"] == "resource_exhausted"
        assert "its only session is already falling behind real time" in error["error"]
        release.set()
        await until(lambda: not any(s.pace.behind(loop.time()) for s in app[SESSIONS_KEY]))
        async with connect(server) as admitted:
            assert (await admitted.recv())["message_type"] == "session_started"
