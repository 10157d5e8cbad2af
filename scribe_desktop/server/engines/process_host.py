"""An Engine whose sessions run in worker processes, so sessions decode on several cores.

pocketsphinx holds the GIL while it decodes (two threads decoding at once take 2.5x as long as
one), so in one process every session shares one core however many threads call it.
`ProcessEngine` hosts the real engine in N spawned workers (each loads its model once and keeps
its own decoder pool) and implements the same `Engine` protocol: each new session goes to the
least-loaded worker and stays there (its decoder state lives there); its blocking calls are
forwarded over the worker's pipe. The calling thread blocks on pipe I/O, which releases the
GIL, so the server's `asyncio.to_thread` calls run truly in parallel and the loop stays free.

`spawn`, not `fork`: the server forks from a running asyncio loop with threads (unsafe).
A worker that dies fails the calls of its sessions (-> transcriber_error) and is replaced
for new sessions.

A worker can also host a stateless `Decoder` (Whisper): then `ProcessEngine.decode` sends each
request to the worker with the fewest calls in flight, so a session's decodes use whichever
worker is free. A request carries everything (audio, prompt, options), so when its worker dies
under it (e.g. the OOM killer) it is sent once more, to a live worker or the replacement: the
session loses nothing. Only once: a request that kills two workers in a row is likely what
kills them. A worker that hung and was killed by the watchdog is not retried either: that
would double a CALL_TIMEOUT_S wait.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import numpy as np
import numpy.typing as npt

from .base import ENGINE_SAMPLE_RATE_HZ, EngineInfo, SegmentResult, SessionHints
from .process_worker import CANCEL_OP, READY_ID, EngineFactory, serve_worker

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 120.0  # spawn + import + model load; slow on a loaded machine
CALL_TIMEOUT_S = 120.0  # a call this slow means a hung worker: kill it, fail its sessions
STOP_TIMEOUT_S = 5.0


class WorkerDiedError(RuntimeError):
    """The worker process hosting a session exited; the session cannot continue."""


class WorkerHungError(WorkerDiedError):
    """The worker did not answer within CALL_TIMEOUT_S and was killed (its calls are not
    retried: a retry could hang as long again)."""


class RemoteEngineError(RuntimeError):
    """The hosted engine raised; the text is the worker-side exception's."""


class EngineWorker:
    """One worker process, its pipe, and a reader thread matching replies to calls."""

    def __init__(self, ctx: Any, factory: EngineFactory, index: int,
                 on_exit: Callable[[EngineWorker], None]) -> None:
        self.index = index
        self.sessions = 0  # open sessions; guarded by the owning ProcessEngine's lock
        self.dead = False
        self.hung = False  # killed by the CALL_TIMEOUT_S watchdog
        self.ready = False
        self.info: EngineInfo | None = None  # from the ready reply
        self._on_exit = on_exit
        self._conn, child_conn = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=serve_worker, args=(child_conn, factory),
                                   name=f"scribe-engine-{index}", daemon=True)
        self.process.start()
        child_conn.close()  # else our own copy would hide the worker's end of file
        self.pid: int = self.process.pid
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._ids = itertools.count(READY_ID + 1)
        self._ready: Future[Any] = Future()
        self._pending: dict[int, Future[Any]] = {READY_ID: self._ready}
        self._reader = threading.Thread(target=self._read, name=f"scribe-engine-{index}-reader",
                                        daemon=True)
        self._reader.start()

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        try:
            self._ready.result(timeout_s)
        except FutureTimeout:
            raise WorkerDiedError(f"engine worker {self.pid} did not load its model within "
                                  f"{timeout_s:g} s") from None

    @property
    def lost(self) -> bool:
        """Exited, or killed as hung (set before the kill, so no new call is sent to it
        while its reader has not yet seen it exit)."""
        return self.dead or self.hung

    @property
    def in_flight(self) -> int:
        """Calls sent and not yet answered (a load measure for stateless requests)."""
        with self._lock:
            return len(self._pending)

    def call(self, op: str, session_id: int, arg: object = None) -> Any:
        """Send one request and block (GIL released) until its reply."""
        future: Future[Any] = Future()
        with self._lock:
            if self.lost:  # hung: killed, its reader may not have seen the exit yet
                raise WorkerDiedError(f"engine worker {self.pid} exited")
            call_id = next(self._ids)
            self._pending[call_id] = future
        try:
            with self._send_lock:
                self._conn.send((call_id, op, session_id, arg))
        except OSError:
            self.process.kill()  # a half-written request leaves the pipe unusable anyway
        try:
            return future.result(CALL_TIMEOUT_S)  # the reader fails it if the worker dies
        except FutureTimeout:
            log.error("engine worker %d hung on %s; killing it", self.pid, op)
            with self._lock:
                self.hung = True  # before the kill: the reader then fails every call as hung
            self.process.kill()
            raise WorkerHungError(f"engine worker {self.pid} hung on {op} and was "
                                  "killed") from None

    def notify(self, op: str, arg: object) -> None:
        """Send a request that gets no reply (a cancel); a dead worker is skipped."""
        if self.dead:
            return
        try:
            with self._send_lock:
                self._conn.send((next(self._ids), op, 0, arg))
        except OSError:
            pass  # it died meanwhile: nothing of it is left to cancel

    def stop(self) -> None:
        """Ask the worker to exit; kill it if it does not within STOP_TIMEOUT_S."""
        try:
            with self._send_lock:
                self._conn.send(None)
        except OSError:
            pass  # already gone
        # the reader reaps the process once its pipe closes; only it waits on the child, so
        # two threads never race on waitpid
        self._reader.join(STOP_TIMEOUT_S)
        if self._reader.is_alive() or self.process.is_alive():
            log.warning("engine worker %d did not stop; killing it", self.pid)
            self.process.kill()
            self._reader.join()
            self.process.join()
        self._conn.close()

    def _read(self) -> None:
        try:
            while True:
                call_id, ok, value = self._conn.recv()
                if call_id == READY_ID and ok:
                    self.ready = True
                    _pid, self.info = value
                with self._lock:
                    future = self._pending.pop(call_id, None)
                if future is not None:
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(RemoteEngineError(value))
        except (EOFError, OSError):
            pass  # the worker exited (or was killed): its end of the pipe closed
        # dead is set before any call fails, so a retry never chooses this worker again
        with self._lock:
            self.dead = True
            pending, self._pending = self._pending, {}
            hung = self.hung
        self.process.join(STOP_TIMEOUT_S)  # reap it; the exit code goes into the message
        error: WorkerDiedError = (
            WorkerHungError(f"engine worker {self.pid} hung and was killed") if hung else
            WorkerDiedError(f"engine worker {self.pid} exited (code {self.process.exitcode})"))
        for future in pending.values():
            future.set_exception(error)
        self._on_exit(self)


class ProcessEngine:
    """Engine protocol over N worker processes; `new_session` is thread-safe."""

    def __init__(self, factory: EngineFactory, *, workers: int, name: str = "engine") -> None:
        """`factory` (picklable: a module-level function) builds a ready engine or decoder in
        a worker."""
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.name = name
        self._info: EngineInfo | None = None
        self._factory = factory
        self._count = workers
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._workers: list[EngineWorker] = []
        self._retired: list[EngineWorker] = []
        self._session_ids = itertools.count(1)
        self._closed = False

    def start(self) -> None:
        """Spawn the workers and block until every one can transcribe."""
        with self._lock:
            self._workers = [self._spawn(i) for i in range(self._count)]
        try:
            for worker in list(self._workers):
                worker.wait_ready()
        except BaseException:
            self.close()
            raise
        self._info = self._workers[0].info

    @property
    def info(self) -> EngineInfo:
        """The hosted engine's info, as its first worker reported it once loaded."""
        if self._info is None:
            raise RuntimeError("the engine workers have not started")
        return self._info

    def decode(self, request: object) -> object:
        """Run a stateless request on the worker with the fewest calls in flight (hosted
        `Decoder`s only); thread-safe, blocks (GIL released) until the reply. If that worker
        dies first, the request goes once more to a live worker (see the module docstring)."""
        worker = self._least_busy()
        try:
            return worker.call("decode", 0, request)
        except WorkerHungError:
            raise
        except WorkerDiedError as exc:
            first = exc
        if self._closed:
            raise first  # close() stopped the workers: there is none to retry on
        log.warning("engine worker %d (pid %d) died during decode (%s); sending the request "
                    "to another worker", worker.index, worker.pid, first)
        retry = self._least_busy()
        try:
            return retry.call("decode", 0, request)
        except WorkerHungError:
            raise
        except WorkerDiedError as exc:
            raise WorkerDiedError(f"the decode failed twice: engine workers {worker.pid} and "
                                  f"{retry.pid} exited while decoding it ({exc})") from exc

    def _least_busy(self) -> EngineWorker:
        """The live worker with the fewest calls in flight; dead ones are replaced first, so
        concurrent decodes failing together share one replacement (a loading one counts its
        pending ready reply, so a loaded worker goes first)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the engine is closed")
            for i, worker in enumerate(self._workers):
                if worker.lost:
                    self._replace(i)
            return min(self._workers, key=lambda w: w.in_flight)

    def cancel(self, ticket: str) -> None:
        """Cancel a request (`Decoder.cancel`) on every worker: only the one decoding it
        acts, and a message costs microseconds, so the host tracks no request's worker."""
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            worker.notify(CANCEL_OP, ticket)

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in self._workers]

    def new_session(self, source_rate_hz: int = ENGINE_SAMPLE_RATE_HZ,
                    hints: SessionHints | None = None) -> WorkerSession:
        with self._lock:
            if self._closed:
                raise RuntimeError("the engine is closed")
            for i, worker in enumerate(self._workers):
                if worker.lost:  # its replacement was not started yet (it died loading)
                    self._replace(i)
            worker = min(self._workers, key=lambda w: w.sessions)  # least loaded, stable
            worker.sessions += 1
        session = WorkerSession(self, worker, next(self._session_ids))
        try:
            worker.call("new", session.session_id, (source_rate_hz, hints or SessionHints()))
        except BaseException:
            self._release(worker)
            raise
        return session

    def close(self) -> None:
        """Stop every worker (no orphans); no session may be used afterwards."""
        with self._lock:
            self._closed = True
            workers = self._workers + self._retired
            self._workers, self._retired = [], []
        for worker in workers:
            worker.stop()

    def _spawn(self, index: int) -> EngineWorker:
        worker = EngineWorker(self._ctx, self._factory, index, self._worker_exited)
        log.info("engine worker %d started (pid %d)", index, worker.pid)
        return worker

    def _replace(self, index: int) -> None:
        """Under the lock: retire the dead worker at `index` and start a fresh one."""
        self._retired.append(self._workers[index])
        self._workers[index] = self._spawn(index)

    def _worker_exited(self, worker: EngineWorker) -> None:
        with self._lock:
            if self._closed or worker not in self._workers:
                return
            # a stateless decoder's worker has no sessions: its decodes are sent again
            lost = f"; {worker.sessions} session(s) lost" if worker.sessions else ""
            log.error("engine worker %d (pid %d) exited with code %s%s", worker.index,
                      worker.pid, worker.process.exitcode, lost)
            # one that died while loading its model is replaced by the next new_session
            # instead, so a model that cannot load does not respawn in a tight loop
            if worker.ready:
                self._replace(self._workers.index(worker))

    def _release(self, worker: EngineWorker) -> None:
        with self._lock:
            worker.sessions -= 1


class WorkerSession:
    """An EngineSession living in a worker process; calls must be serialised."""

    def __init__(self, engine: ProcessEngine, worker: EngineWorker, session_id: int) -> None:
        self._engine = engine
        self._worker = worker
        self.session_id = session_id
        self._closed = False

    @property
    def worker_pid(self) -> int:
        return self._worker.pid

    def feed(self, samples: npt.NDArray[np.int16]) -> str | None:
        self._check_open()
        if samples.size == 0:
            return None
        value = self._worker.call("feed", self.session_id,
                                  samples.astype("<i2", copy=False).tobytes())
        if value is not None and not isinstance(value, str):
            raise RemoteEngineError(f"feed returned {type(value).__name__}, not str")
        return value

    def commit(self) -> SegmentResult:
        self._check_open()
        value = self._worker.call("commit", self.session_id)
        if not isinstance(value, SegmentResult):
            raise RemoteEngineError(f"commit returned {type(value).__name__}")
        return value

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._engine._release(self._worker)
        try:
            self._worker.call("close", self.session_id)
        except (WorkerDiedError, RemoteEngineError) as exc:
            log.info("closing engine session %d: %s", self.session_id, exc)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the engine session is closed")
