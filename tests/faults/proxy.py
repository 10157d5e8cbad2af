"""`FaultProxy`: a TCP proxy between a client and the server that injects network faults.

It runs its own event loop in a thread, so the client under test (in this process or
another) cannot slow it down. Faults:
* a downlink delay: every byte from the server reaches the client `downlink_delay_s` later
  (what a slow path back looks like to a client: the server's commits arrive late, so the
  client keeps sending audio the server has already committed);
* triggers, each of which runs an action (by default: cut every open connection, both
  sides, at once, a reset that loses the data in flight): at counts of uplink bytes (for a
  client that streams a file faster than real time: the bytes follow its progress through
  the file), or at times after `arm()` (for a client on a microphone: the times follow the
  speech played into it);
* `set_upstream` points new connections at another address (a server restarted elsewhere).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

READ_SIZE = 65536
START_TIMEOUT_S = 10.0


@dataclass
class ProxyLog:
    """What happened, in order: (monotonic time, what, uplink bytes then)."""

    events: list[tuple[float, str, int]] = field(default_factory=list)

    def add(self, what: str, uplink_bytes: int) -> None:
        self.events.append((time.monotonic(), what, uplink_bytes))

    def count(self, what: str) -> int:
        return sum(1 for _, w, _ in self.events if w == what)


class FaultProxy:
    def __init__(self, upstream: tuple[str, int], *, downlink_delay_s: float = 0.0,
                 triggers: Sequence[int] = (),
                 action: Callable[[FaultProxy], None] | None = None) -> None:
        self._upstream = upstream
        self.downlink_delay_s = downlink_delay_s
        self._triggers = sorted(triggers)
        self._action = action or FaultProxy.cut_all
        self.uplink_bytes = 0
        self.log = ProxyLog()
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._stopped: asyncio.Event | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def triggers_left(self) -> int:
        return len(self._triggers)

    def set_upstream(self, host: str, port: int) -> None:
        self._upstream = (host, port)

    # --- lifecycle (called from the test's thread) ---

    def start(self) -> FaultProxy:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True,
                                        name="fault-proxy")
        self._thread.start()
        if not ready.wait(START_TIMEOUT_S) or not self.port:
            raise RuntimeError("the fault proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(START_TIMEOUT_S)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_action(self, action: Callable[[FaultProxy], None]) -> None:
        """What the triggers do from now on (called from the proxy's loop)."""
        self._action = action

    def arm(self, delays_s: Sequence[float]) -> None:
        """Run the action `delays_s` seconds from now (each), from the proxy's loop."""
        loop = self._loop
        assert loop is not None, "start() first"

        def schedule() -> None:
            for delay in delays_s:
                loop.call_later(delay, self._fire)

        loop.call_soon_threadsafe(schedule)

    def _fire(self) -> None:
        self.log.add("trigger", self.uplink_bytes)
        self._action(self)

    def cut_all(self) -> None:
        """Reset every open connection, both sides (safe from any thread)."""
        loop = self._loop
        if loop is None:
            return
        if threading.current_thread() is self._thread:
            self._cut()
        else:
            loop.call_soon_threadsafe(self._cut)

    # --- the proxy's own loop ---

    def _run(self, ready: threading.Event) -> None:
        asyncio.run(self._main(ready))

    async def _main(self, ready: threading.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        ready.set()
        async with self._server:
            await self._stopped.wait()
            self._cut()

    def _cut(self) -> None:
        self.log.add("cut", self.uplink_bytes)
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _handle(self, client_r: asyncio.StreamReader,
                      client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self._upstream)
        except OSError:
            self.log.add("upstream refused", self.uplink_bytes)
            client_w.transport.abort()
            return
        self.log.add("connected", self.uplink_bytes)
        self._writers.update((client_w, server_w))
        pumps = [asyncio.create_task(self._uplink(client_r, server_w)),
                 asyncio.create_task(self._downlink(server_r, client_w))]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pumps:
                task.cancel()
            for writer in (client_w, server_w):
                self._writers.discard(writer)
                writer.transport.abort()

    async def _uplink(self, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(READ_SIZE):
            self.uplink_bytes += len(data)
            if self._triggers and self.uplink_bytes >= self._triggers[0]:
                self._triggers.pop(0)
                self._fire()  # a cut drops this data with the connection
                if writer.transport.is_closing():
                    return
            writer.write(data)
            await writer.drain()

    async def _downlink(self, reader: asyncio.StreamReader,
                        writer: asyncio.StreamWriter) -> None:
        if not self.downlink_delay_s:
            while data := await reader.read(READ_SIZE):
                writer.write(data)
                await writer.drain()
            return
        due: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        deliver = asyncio.create_task(self._deliver(due, writer))
        try:
            while data := await reader.read(READ_SIZE):
                due.put_nowait((time.monotonic() + self.downlink_delay_s, data))
            await due.join()  # what the server said before closing still arrives, late
        finally:
            deliver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await deliver

    @staticmethod
    async def _deliver(due: asyncio.Queue[tuple[float, bytes]],
                       writer: asyncio.StreamWriter) -> None:
        while True:
            at, data = await due.get()
            # the delay itself is the fault being simulated: hold each byte until it is due
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            writer.write(data)
            await writer.drain()
            due.task_done()
