"""ProcessEngine hosting a stateless Decoder: any worker serves any request, the least busy
first; session operations are refused."""

from __future__ import annotations

import functools
import multiprocessing
import threading

import pytest

from scribe_desktop.server.engines.process_host import ProcessEngine, RemoteEngineError
from tests.server.process_fakes import PidDecoder


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
