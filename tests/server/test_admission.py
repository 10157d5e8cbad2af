"""ConnectionGuard's caps on real loopback connections, and the rate-limited log filter."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from scribe_desktop.server.admission import ConnectionGuard
from scribe_desktop.server.log_limits import AGGREGATED, RepeatFilter

WAIT_S = 5.0


class Recorder(asyncio.Protocol):
    """The protocol behind the guard: remembers its transport and when it is lost."""

    def __init__(self, made: list[Recorder]) -> None:
        self.transport: asyncio.Transport | None = None
        self.lost = asyncio.get_running_loop().create_future()
        made.append(self)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(None)


class ObservedGuard(ConnectionGuard):
    """Tells when it has decided on a connection (admitted or refused)."""

    def __init__(self, max_pending: int, max_per_peer: int) -> None:
        super().__init__(max_pending, max_per_peer)
        self.decided = asyncio.Event()

    def admit(self, transport: asyncio.Transport) -> bool:
        admitted = super().admit(transport)
        self.decided.set()
        return admitted


class Harness:
    def __init__(self, guard: ObservedGuard, port: int, made: list[Recorder]) -> None:
        self.guard = guard
        self.port = port
        self.made = made
        self.clients: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def connect(self, source: str = "127.0.0.1") -> asyncio.StreamReader:
        """A client connection, returned once the server side has seen it."""
        self.guard.decided.clear()
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port,
                                                       local_addr=(source, 0))
        self.clients.append((reader, writer))
        await asyncio.wait_for(self.guard.decided.wait(), WAIT_S)
        return reader


@asynccontextmanager
async def guarded(max_pending: int, max_per_peer: int) -> AsyncIterator[Harness]:
    guard = ObservedGuard(max_pending, max_per_peer)
    made: list[Recorder] = []
    server = await asyncio.get_running_loop().create_server(
        guard.wrap(lambda: Recorder(made)), "127.0.0.1", 0)
    harness = Harness(guard, server.sockets[0].getsockname()[1], made)
    try:
        yield harness
    finally:
        for _, writer in harness.clients:
            writer.close()
        server.close()
        guard.close()


async def closed_by_server(reader: asyncio.StreamReader) -> bool:
    try:
        async with asyncio.timeout(WAIT_S):
            return await reader.read(1) == b""
    except ConnectionResetError:
        return True


async def test_over_the_cap_the_oldest_idle_connection_is_cut():
    """A connection over the cap evicts the longest-idle one and is itself admitted."""
    async with guarded(3, 3) as h:
        first = await h.connect()
        for _ in range(3):
            await h.connect()
        assert await closed_by_server(first)
        assert h.guard.stats.evicted == 1
        assert h.guard.pending == 3
        assert h.made[0].lost.done() and not h.made[3].lost.done()


async def test_busy_connections_are_kept_and_the_new_one_refused():
    """When every counted connection is inside a request, the new connection is refused."""
    async with guarded(2, 2) as h:
        await h.connect()
        await h.connect()
        for made in h.made:
            h.guard.busy(made.transport)
        newest = await h.connect()
        assert await closed_by_server(newest)
        assert h.guard.stats.refused == 1 and h.guard.stats.evicted == 0
        assert len(h.made) == 2  # no protocol was built for the refused connection
        assert not any(made.lost.done() for made in h.made)


async def test_sessions_do_not_count_and_closed_connections_free_their_slot():
    """Authenticated sessions leave the count; a closed connection frees its slot."""
    async with guarded(2, 2) as h:
        await h.connect()
        await h.connect()
        for made in h.made:
            h.guard.session(made.transport)
        assert h.guard.pending == 0
        await h.connect()
        await h.connect()
        assert h.guard.pending == 2 and h.guard.stats.evicted == 0
        h.clients[2][1].close()
        await asyncio.wait_for(h.made[2].lost, WAIT_S)
        assert h.guard.pending == 1


async def test_per_peer_cap_is_separate_from_other_peers():
    """One peer at its cap evicts its own oldest connection, never another peer's."""
    async with guarded(10, 2) as h:
        other = await h.connect("127.0.0.2")
        mine = await h.connect()
        await h.connect()
        await h.connect()  # third from 127.0.0.1
        assert await closed_by_server(mine)
        assert h.made[0].transport is not None and not h.made[0].lost.done()
        assert not other.at_eof()


def test_repeat_filter_lets_one_record_per_interval_through_with_a_count():
    """Repeats within the interval are dropped; the next one carries their count."""
    now = [0.0]
    filt = RepeatFilter(10.0, clock=lambda: now[0])
    logger = logging.getLogger("test.repeats")
    records: list[logging.LogRecord] = []

    def emit(msg: str, *args: object) -> bool:
        try:
            raise OSError(24, "Too many open files")
        except OSError:
            record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, msg, args,
                                       exc_info=__import__("sys").exc_info())
        passed = filt.filter(record)
        if passed:
            records.append(record)
        return passed

    assert emit("socket.accept() out of system resource\nsocket: %s", "fd=6")
    assert not any(emit("socket.accept() out of system resource\nsocket: %s", f"fd={i}")
                   for i in range(500))
    assert emit("another problem")  # another kind is not held back
    now[0] = 10.5
    assert emit("socket.accept() out of system resource\nsocket: %s", "fd=6")
    assert records[0].exc_info is not None  # the first keeps its traceback
    last = records[-1]
    assert last.exc_info is None
    assert last.getMessage() == ("socket.accept() out of system resource [500 more like this "
                                 "suppressed in the last 10 s]")


def test_repeat_filter_flush_reports_counts_still_held(caplog):
    """flush() logs the suppressed count no later record reported."""
    filt = RepeatFilter(10.0, clock=lambda: 0.0)
    logger = logging.getLogger("test.flush")
    for _ in range(4):
        filt.filter(logger.makeRecord(logger.name, logging.WARNING, __file__, 1, "boom", (),
                                      None))
    with caplog.at_level(logging.WARNING):
        filt.flush(logger)
    assert [r.getMessage() for r in caplog.records] == [
        "test.flush: boom [3 more like this suppressed]"]
    aggregated = logger.makeRecord(logger.name, logging.WARNING, __file__, 1, "boom", (), None,
                                   extra=AGGREGATED)
    assert filt.filter(aggregated)  # a record that counts its own repeats always passes
    assert filt.filter(logger.makeRecord(logger.name, logging.INFO, __file__, 1, "boom", (),
                                         None))
