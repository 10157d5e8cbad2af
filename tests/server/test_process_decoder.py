"""ProcessEngine hosting a stateless Decoder: any worker serves any request, the least busy
first; a request whose worker dies is sent once more; session operations are refused."""

from __future__ import annotations

import contextlib
import functools
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import pytest

from scribe_desktop.server.engines import process_host
from scribe_desktop.server.engines.process_host import (
    ProcessEngine,
    RemoteEngineError,
    WorkerDiedError,
    WorkerHungError,
)
from tests.server.process_fakes import HoldingDecoder, PidDecoder
from tests.server.test_process_engine import engine_workers, wait_exited

WAIT_S = 60.0  # a replacement worker spawns and imports before it decodes


def decode_together(pool: ProcessEngine, n: int) -> list[object]:
    """The replies to `n` "wait" requests sent at once from `n` threads (None if missing)."""
    results: list[object] = [None] * n

    def decode(i: int) -> None:
        results[i] = pool.decode("wait")

    threads = [threading.Thread(target=decode, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_decodes_run_at_once_on_the_idle_workers() -> None:
    """Two decode requests at once go to the two workers and run together."""
    barrier = multiprocessing.get_context("spawn").Barrier(2)
    pool = ProcessEngine(functools.partial(PidDecoder, barrier), workers=2, name="pid")
    pool.start()
    try:
        assert pool.info.name == "pid" and pool.info.redecodes
        results = decode_together(pool, 2)
        pids = {r[0] for r in results if isinstance(r, tuple)}
        assert pids == set(pool.worker_pids())
    finally:
        pool.close()


def test_a_worker_runs_as_many_decodes_at_once_as_its_decoder_has_lanes() -> None:
    """One worker whose decoder has two lanes answers two requests that must run together."""
    barrier = multiprocessing.get_context("spawn").Barrier(2)
    pool = ProcessEngine(functools.partial(PidDecoder, barrier, 2), workers=1, name="pid")
    pool.start()
    try:
        results = decode_together(pool, 2)
        assert results == [(pool.worker_pids()[0], "wait")] * 2
        with pytest.raises(RemoteEngineError, match="decoder exploded"):
            pool.decode("boom")  # errors of a lane reach the caller too
    finally:
        pool.close()


def test_decoder_errors_reach_the_caller_and_sessions_are_refused() -> None:
    """A decoder exception is raised in the caller; a stateless decoder has no sessions."""
    pool = ProcessEngine(PidDecoder, workers=1, name="pid")
    pool.start()
    try:
        with pytest.raises(RemoteEngineError, match="RuntimeError: decoder exploded"):
            pool.decode("boom")
        assert pool.decode("again")[1] == "again"  # type: ignore[index]
        with pytest.raises(RemoteEngineError, match="has no sessions"):
            pool.new_session()
    finally:
        pool.close()


@dataclass
class Holding:
    """A pool of HoldingDecoder workers and the test's ends of their shared objects."""

    pool: ProcessEngine
    started: Connection  # pids of workers entering a "hold" decode
    release: Connection  # one write lets every "hold" decode answer
    count: Any  # multiprocessing Value: decodes begun, over every worker

    def next_holder(self) -> int:
        """The pid of the next worker to enter a "hold" decode."""
        if not self.started.poll(WAIT_S):
            pytest.fail(f"no worker entered a hold decode within {WAIT_S:g} s")
        return int(self.started.recv())

    def let_go(self) -> None:
        self.release.send(True)


@contextlib.contextmanager
def holding_pool(lanes: int = 1) -> Iterator[Holding]:
    """One HoldingDecoder worker (so a retry can only go to its replacement)."""
    ctx = multiprocessing.get_context("spawn")
    started_r, started_w = ctx.Pipe(duplex=False)
    release_r, release_w = ctx.Pipe(duplex=False)
    count = ctx.Value("i", 0)
    pool = ProcessEngine(functools.partial(HoldingDecoder, started_w, release_r, count, lanes),
                         workers=1, name="hold")
    pool.start()
    holding = Holding(pool, started_r, release_w, count)
    try:
        yield holding
    finally:
        holding.let_go()
        pool.close()


def decode_in_threads(pool: ProcessEngine, requests: list[str]) -> tuple[list[threading.Thread],
                                                                       list[object]]:
    """Start one thread per request calling `pool.decode`; each result (or exception) lands
    in the returned list once its thread ends."""
    results: list[object] = [None] * len(requests)

    def decode(i: int) -> None:
        try:
            results[i] = pool.decode(requests[i])
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=decode, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    return threads, results


def test_a_decode_whose_worker_is_killed_is_answered_by_the_replacement(
        caplog: pytest.LogCaptureFixture) -> None:
    """SIGKILL on the worker in the middle of a decode sends the request to its replacement,
    which answers it; the retry is logged."""
    caplog.set_level(logging.WARNING, logger=process_host.__name__)
    with holding_pool() as h:
        threads, results = decode_in_threads(h.pool, ["hold"])
        victim = h.next_holder()
        os.kill(victim, signal.SIGKILL)
        replacement = h.next_holder()  # the same request, now in the new worker
        h.let_go()
        threads[0].join(WAIT_S)
        assert results == [(replacement, "hold")]
        assert replacement != victim and h.pool.worker_pids() == [replacement]
        assert h.count.value == 2
        assert f"pid {victim}) died during decode" in caplog.text
        assert h.pool.decode("after") == (replacement, "after")


def test_decodes_failing_together_share_one_replacement() -> None:
    """Two decodes in flight on a killed worker are both answered by one replacement."""
    with holding_pool(lanes=2) as h:
        threads, results = decode_in_threads(h.pool, ["hold", "hold"])
        victims = {h.next_holder(), h.next_holder()}
        assert len(victims) == 1  # both decodes were running in the one worker
        victim = victims.pop()
        os.kill(victim, signal.SIGKILL)
        assert wait_exited(victim)
        replacements = {h.next_holder(), h.next_holder()}
        h.let_go()
        for thread in threads:
            thread.join(WAIT_S)
        assert len(replacements) == 1 and victim not in replacements
        replacement = replacements.pop()
        assert results == [(replacement, "hold")] * 2
        assert engine_workers(os.getpid()) == [replacement]  # no second replacement


def test_a_request_that_kills_every_worker_fails_after_one_retry() -> None:
    """A request that crashes its worker is tried on two workers, then fails clearly; the
    pool serves the next request."""
    with holding_pool() as h:
        first = h.pool.worker_pids()
        with pytest.raises(WorkerDiedError, match=r"the decode failed twice: engine workers "
                                                  rf"{first[0]} and \d+ exited"):
            h.pool.decode("die")
        assert h.count.value == 2
        after = h.pool.decode("after")
        assert isinstance(after, tuple) and after[1] == "after" and after[0] not in first


def test_decoder_errors_are_not_retried() -> None:
    """An exception of the decoder itself reaches the caller after one attempt, from the
    same worker."""
    with holding_pool() as h:
        pids = h.pool.worker_pids()
        with pytest.raises(RemoteEngineError, match="decoder exploded"):
            h.pool.decode("boom")
        assert h.count.value == 1
        assert h.pool.worker_pids() == pids


def test_a_hung_worker_is_killed_and_its_decode_not_retried(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A decode that outlives the call timeout kills its worker and fails without a retry
    (which could hang as long again)."""
    with holding_pool() as h:
        monkeypatch.setattr(process_host, "CALL_TIMEOUT_S", 1.0)
        victim = h.pool.worker_pids()[0]
        with pytest.raises(WorkerHungError, match=f"engine worker {victim} hung on decode"):
            h.pool.decode("hold")
        assert h.count.value == 1
        assert wait_exited(victim)
        monkeypatch.undo()
        h.let_go()
        after = h.pool.decode("after")
        assert isinstance(after, tuple) and after[1] == "after" and after[0] != victim


@pytest.mark.parametrize("lanes", [1, 2])
def test_a_cancel_reaches_the_decode_running_in_the_worker(lanes: int) -> None:
    """A cancel sent while a worker decodes reaches that decode, one lane or more."""
    pool = ProcessEngine(functools.partial(PidDecoder, None, lanes), workers=1, name="pid")
    pool.start()
    try:
        results: list[object] = []
        decoding = threading.Thread(target=lambda: results.append(
            pool.decode(("until cancelled", "t1"))))
        decoding.start()
        pool.cancel("t0")  # another request's ticket: not this decode's
        pool.cancel("t1")
        decoding.join(60)
        assert results == [(pool.worker_pids()[0], "cancelled")]
        assert pool.decode("after")[1] == "after"  # type: ignore[index]
    finally:
        pool.close()
