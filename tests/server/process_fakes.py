"""Fake engines that run inside ProcessEngine workers (importable, so `spawn` can load them)."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

import numpy as np

from scribe_desktop.server.engines.base import EngineInfo, SegmentResult, SessionHints, WordTiming


class CountingSession:
    """Counts samples; `feed` answers "<pid> <samples>" and can wait on a shared barrier."""

    def __init__(self, barrier: Any | None) -> None:
        self.barrier = barrier
        self.samples = 0

    def feed(self, samples: np.ndarray) -> str | None:
        if samples[0] == -1:
            raise ValueError("bad sample")
        if self.barrier is not None:
            # both sessions must be inside feed at once: never true if calls are serialised
            self.barrier.wait(30)
        self.samples += int(samples.size)
        return f"{os.getpid()} {self.samples}"

    def commit(self) -> SegmentResult:
        n, self.samples = self.samples, 0
        return SegmentResult("words", (WordTiming("words", 0.0, n / 16000),))

    def close(self) -> None:
        pass


class CountingEngine:
    info = EngineInfo("counting", "counting", ("en",))

    def __init__(self, barrier: Any | None = None) -> None:
        self.barrier = barrier

    def new_session(self, source_rate_hz: int = 16000,
                    hints: SessionHints | None = None) -> CountingSession:
        return CountingSession(self.barrier)

    def close(self) -> None:
        pass


def broken_engine() -> CountingEngine:
    raise FileNotFoundError("no model here")


class PidDecoder:
    """A stateless decoder: answers (its pid, the request), waiting on a shared barrier first
    when the request is "wait"; a request ("until cancelled", ticket) waits for that ticket's
    cancel and answers (pid, "cancelled"), or (pid, "never cancelled") after 30 s."""

    info = EngineInfo("pid", "pid", ("en",), redecodes=True)

    def __init__(self, barrier: Any | None = None, lanes: int = 1) -> None:
        self.barrier = barrier
        self.lanes = lanes  # decodes the worker may run at once
        self.lock = threading.Lock()
        self.cancels: dict[str, threading.Event] = {}

    def decode(self, request: object) -> object:
        if request == "wait" and self.barrier is not None:
            self.barrier.wait(30)  # both workers must be decoding at once
        if request == "boom":
            raise RuntimeError("decoder exploded")
        if isinstance(request, tuple) and request[0] == "until cancelled":
            cancelled = self.event(request[1]).wait(30)
            return (os.getpid(), "cancelled" if cancelled else "never cancelled")
        return (os.getpid(), request)

    def cancel(self, ticket: str) -> None:
        self.event(ticket).set()

    def event(self, ticket: str) -> threading.Event:
        with self.lock:
            return self.cancels.setdefault(ticket, threading.Event())

    def close(self) -> None:
        pass


class HoldingDecoder:
    """A stateless decoder whose request says what to do: "hold" sends the worker's pid on
    the `started` pipe and waits until the `release` pipe has data; "die" SIGKILLs its own
    worker (as a crash on that input would); "boom" raises. Every decode first adds one to
    `count`; the answer is (pid, request). Pipes, not Events: a waiter killed inside
    Event.wait leaves the Event's condition waiting for it forever."""

    info = EngineInfo("hold", "hold", ("en",), redecodes=True)

    def __init__(self, started: Any, release: Any, count: Any, lanes: int = 1) -> None:
        self.started = started
        self.release = release
        self.count = count
        self.lanes = lanes

    def decode(self, request: object) -> object:
        with self.count.get_lock():
            self.count.value += 1
        if request == "hold":
            self.started.send(os.getpid())  # one small write: atomic, no lock to leave held
            self.release.poll(60)  # poll does not consume: one write releases every holder
        if request == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        if request == "boom":
            raise RuntimeError("decoder exploded")
        return (os.getpid(), request)

    def cancel(self, ticket: str) -> None:
        pass  # its requests are not ticketed

    def close(self) -> None:
        pass
