"""The child side of `process_host.ProcessEngine`: one worker process serving engine calls.

The worker loads the engine once (its own decoder pool), then answers requests from one duplex
pipe in order. Requests are `(call_id, op, session_id, arg)`; replies are
`(call_id, ok, value)`, where a failed call's value is the exception's text. The first reply
(call id `READY_ID`) says the engine loaded (value: the worker's pid and the engine's
`EngineInfo`) or why it did not.

The hosted object is either an `Engine` (stateful sessions: ops new, feed, commit, close) or a
`Decoder` (stateless: op decode, whose argument carries everything, so any worker can serve
any session's request).
A decoder's decode requests are served on as many threads as it has `lanes` (concurrent
decodes sharing one model), replies sent as each finishes: a commit's final decode then never
waits in the pipe behind a partial decode of another request. The main thread keeps reading
the pipe meanwhile, so a `cancel` (no reply) reaches a decode while it runs.
End of file on the pipe (the server exited, even by SIGKILL) or a `None` request stops the
worker, so it can never outlive the server for long.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection

import numpy as np

from .base import Decoder, Engine, EngineSession, SessionHints

READY_ID = 0
CANCEL_OP = "cancel"  # (id, "cancel", 0, ticket): a Decoder's cancel; never answered
EngineFactory = Callable[[], Engine | Decoder]


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def dispatch(engine: Engine | Decoder, sessions: dict[int, EngineSession], op: str,
             session_id: int, arg: object) -> object:
    """Run one request against the hosted engine; the reply's value."""
    if op == "decode":
        if not isinstance(engine, Decoder):
            raise ValueError(f"{engine.info.name} is not a stateless decoder")
        return engine.decode(arg)
    if isinstance(engine, Decoder):
        raise ValueError(f"{engine.info.name} has no sessions (op {op!r})")
    if op == "new":
        assert isinstance(arg, tuple)
        rate, hints = arg
        assert isinstance(rate, int) and isinstance(hints, SessionHints)
        sessions[session_id] = engine.new_session(rate, hints)
        return None
    if op == "close":
        session = sessions.pop(session_id, None)
        if session is not None:
            session.close()
        return None
    session = sessions[session_id]
    if op == "feed":
        assert isinstance(arg, bytes)
        return session.feed(np.frombuffer(arg, dtype="<i2").astype(np.int16, copy=False))
    if op == "commit":
        return session.commit()
    raise ValueError(f"unknown engine request {op!r}")


def serve_worker(conn: Connection, factory: EngineFactory) -> None:
    """The worker process's main function (the target of a spawned Process)."""
    # Ctrl+C in a terminal signals the whole process group: the server handles it and stops
    # its workers in order, so a worker must not die first under a live session.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        engine = factory()
    except Exception as exc:
        conn.send((READY_ID, False, describe(exc)))
        return
    sessions: dict[int, EngineSession] = {}
    send_lock = threading.Lock()
    lanes = getattr(engine, "lanes", 1) if isinstance(engine, Decoder) else 0
    pool = ThreadPoolExecutor(lanes, thread_name_prefix="decode-lane") if lanes else None

    def answer(call_id: int, op: str, session_id: int, arg: object) -> None:
        try:
            value = dispatch(engine, sessions, op, session_id, arg)
        except Exception as exc:
            reply: tuple[int, bool, object] = (call_id, False, describe(exc))
        else:
            reply = (call_id, True, value)
        try:
            with send_lock:
                conn.send(reply)
        except OSError:
            pass  # the server went away: the main loop sees it too and stops

    try:
        with send_lock:
            conn.send((READY_ID, True, (os.getpid(), engine.info)))
        while (request := conn.recv()) is not None:
            if request[1] == CANCEL_OP and isinstance(engine, Decoder):
                engine.cancel(request[3])
            elif pool is not None and request[1] == "decode":
                pool.submit(answer, *request)
            else:
                answer(*request)
    except (EOFError, OSError):
        pass  # the server went away: nobody is left to answer
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        for session in sessions.values():
            session.close()
        engine.close()
