"""Admission control under aiohttp: caps on connections that are not an authenticated session.

Without it, any local user (no secret needed) could open idle TCP connections until the
server ran out of file descriptors; every client was then locked out and asyncio logged each
failed accept().

Two mechanisms, split by what aiohttp already offers:

* **Handshake timeout: aiohttp's documented knob.** The runner's `keepalive_timeout` is armed
  when a connection is made, not only between requests (web_protocol.RequestHandler
  .connection_made), and fires `force_close()` on a connection still waiting for a complete
  request. A socket that sends nothing, or sends its headers byte by byte (slowloris), is cut
  once it expires; a request being handled or an upgraded WebSocket is never cut by it.
  `app.serve` passes the handshake timeout there.
* **Connection caps: a protocol wrapper here.** aiohttp has no limit on connections.
  `loop.create_server` takes any protocol factory and aiohttp's low-level `web.Server` is one,
  so `ConnectionGuard.wrap(server)` puts a thin `asyncio.Protocol` in front of each
  `RequestHandler`: it sees every accept and close through public interfaces only, and builds
  the aiohttp handler only for connections it admits.

Policy when a cap (in all, or per peer IP) is reached: the connection that has been *idle*
(waiting for a request) the longest is aborted and the new one admitted; only when every
counted connection is inside a request is the new one refused. Refusing new connections
instead would lock the legitimate user out for as long as an attacker keeps the slots full
(all local users share 127.0.0.1, so the per-peer cap cannot tell them apart); evicting the
oldest idle one costs a real client nothing, since it sends its request within milliseconds
of connecting. Cuts use `abort()` (an RST: no TIME_WAIT, no log line each); one summary line
per interval counts them.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .log_limits import AGGREGATED

log = logging.getLogger(__name__)

REPORT_INTERVAL_S = 10.0


class _State(enum.Enum):
    IDLE = "idle"  # counted, evictable: waiting for a request, or being closed after an error
    BUSY = "busy"  # counted: a request is being handled
    SESSION = "session"  # an authenticated WebSocket session: no longer counted


@dataclass(slots=True)
class _Entry:
    peer: str
    state: _State = _State.IDLE


@dataclass(slots=True)
class AdmissionStats:
    """Totals since the guard started (benchmarks and tests read them)."""

    admitted: int = 0
    evicted: int = 0
    refused: int = 0
    peak_pending: int = 0


@dataclass(slots=True)
class _Report:
    evicted: int = 0
    refused: int = 0
    since: float = 0.0


def peer_of(transport: asyncio.BaseTransport) -> str:
    peer = transport.get_extra_info("peername")
    if isinstance(peer, tuple) and peer:
        return str(peer[0])
    return str(peer or "?")


class ConnectionGuard:
    """Counts connections per state and enforces `max_pending` / `max_per_peer` (see module
    docstring). Runs on the event loop only; not thread-safe."""

    def __init__(self, max_pending: int, max_per_peer: int, *,
                 report_interval_s: float = REPORT_INTERVAL_S) -> None:
        self.max_pending = max_pending
        self.max_per_peer = min(max_per_peer, max_pending)
        self.stats = AdmissionStats()
        self._entries: dict[asyncio.Transport, _Entry] = {}
        self._idle: OrderedDict[asyncio.Transport, None] = OrderedDict()
        self._idle_by_peer: dict[str, OrderedDict[asyncio.Transport, None]] = {}
        self._counted_by_peer: dict[str, int] = {}
        self._counted = 0
        self._report_interval_s = report_interval_s
        self._report = _Report()
        self._report_handle: asyncio.Handle | None = None

    @property
    def pending(self) -> int:
        """Connections that are not an authenticated session."""
        return self._counted

    def wrap(self, make_protocol: Callable[[], asyncio.BaseProtocol]
             ) -> Callable[[], asyncio.Protocol]:
        """A protocol factory for `loop.create_server` guarding `make_protocol`'s protocols."""
        return lambda: _GuardedProtocol(self, make_protocol)

    # --- transitions (called by the wrapper and by the app's handlers) ---------------------

    def admit(self, transport: asyncio.Transport) -> bool:
        """Count a new connection, evicting the oldest idle one over a cap; False: refuse."""
        peer = peer_of(transport)
        if self._counted_by_peer.get(peer, 0) >= self.max_per_peer \
                and not self._evict(self._idle_by_peer.get(peer)):
            self._refused()
            return False
        if self._counted >= self.max_pending and not self._evict(self._idle):
            self._refused()
            return False
        self._entries[transport] = _Entry(peer)
        self._count(peer, +1)
        self._set_idle(transport, peer)
        self.stats.admitted += 1
        self.stats.peak_pending = max(self.stats.peak_pending, self._counted)
        return True

    def busy(self, transport: asyncio.BaseTransport | None) -> None:
        """A request is being handled on `transport`: it is not evictable meanwhile."""
        if not isinstance(transport, asyncio.Transport):
            return
        entry = self._entries.get(transport)
        if entry is not None and entry.state is _State.IDLE:
            self._unset_idle(transport, entry.peer)
            entry.state = _State.BUSY

    def idle(self, transport: asyncio.BaseTransport | None) -> None:
        """`transport` waits for its next request, or is closing: evictable again."""
        if not isinstance(transport, asyncio.Transport):
            return
        entry = self._entries.get(transport)
        if entry is not None and entry.state is _State.BUSY:
            entry.state = _State.IDLE
            self._set_idle(transport, entry.peer)

    def session(self, transport: asyncio.BaseTransport | None) -> None:
        """`transport` is an authenticated WebSocket session: it no longer counts."""
        if not isinstance(transport, asyncio.Transport):
            return
        entry = self._entries.get(transport)
        if entry is None or entry.state is _State.SESSION:
            return
        if entry.state is _State.IDLE:
            self._unset_idle(transport, entry.peer)
        entry.state = _State.SESSION
        self._count(entry.peer, -1)

    def forget(self, transport: asyncio.Transport) -> None:
        """The connection is gone."""
        entry = self._entries.pop(transport, None)
        if entry is None:
            return
        if entry.state is _State.IDLE:
            self._unset_idle(transport, entry.peer)
        if entry.state is not _State.SESSION:
            self._count(entry.peer, -1)

    def close(self) -> None:
        """Log what the last report interval has not told yet."""
        if self._report_handle is not None:
            self._report_handle.cancel()
            self._report_handle = None
        self._flush_report()

    # --- internals ---------------------------------------------------------------------------

    def _count(self, peer: str, delta: int) -> None:
        self._counted += delta
        left = self._counted_by_peer.get(peer, 0) + delta
        if left:
            self._counted_by_peer[peer] = left
        else:
            self._counted_by_peer.pop(peer, None)

    def _set_idle(self, transport: asyncio.Transport, peer: str) -> None:
        self._idle[transport] = None
        self._idle_by_peer.setdefault(peer, OrderedDict())[transport] = None

    def _unset_idle(self, transport: asyncio.Transport, peer: str) -> None:
        self._idle.pop(transport, None)
        queue = self._idle_by_peer.get(peer)
        if queue is not None:
            queue.pop(transport, None)
            if not queue:
                del self._idle_by_peer[peer]

    def _evict(self, queue: OrderedDict[asyncio.Transport, None] | None) -> bool:
        if not queue:
            return False
        victim = next(iter(queue))
        self.forget(victim)  # at once: the slot is free before abort() reports the loss
        victim.abort()
        self.stats.evicted += 1
        self._note(evicted=1)
        return True

    def _refused(self) -> None:
        self.stats.refused += 1
        self._note(refused=1)

    def _note(self, *, evicted: int = 0, refused: int = 0) -> None:
        if not self._report.evicted and not self._report.refused:
            self._report.since = time.monotonic()
        self._report.evicted += evicted
        self._report.refused += refused
        if self._report_handle is None:
            # the first cut of a burst is told at once, the rest once per interval
            self._report_handle = asyncio.get_running_loop().call_soon(self._on_report_due)

    def _on_report_due(self) -> None:
        self._report_handle = None
        if self._flush_report():
            # keep one line per interval while the flood lasts
            loop = asyncio.get_running_loop()
            self._report_handle = loop.call_later(self._report_interval_s, self._on_report_due)

    def _flush_report(self) -> bool:
        report = self._report
        if not report.evicted and not report.refused:
            return False
        log.warning("connection cap reached (%d pending in all, %d per peer): %d idle "
                    "connections cut, %d new ones refused in the last %.0f s",
                    self.max_pending, self.max_per_peer, report.evicted, report.refused,
                    max(1.0, time.monotonic() - report.since), extra=AGGREGATED)
        self._report = _Report()
        return True


class _GuardedProtocol(asyncio.Protocol):
    """Forwards everything to the aiohttp protocol, which exists only once admitted."""

    __slots__ = ("_guard", "_inner", "_make_inner", "_transport")

    def __init__(self, guard: ConnectionGuard,
                 make_inner: Callable[[], asyncio.BaseProtocol]) -> None:
        self._guard = guard
        self._make_inner = make_inner
        self._inner: Any = None
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)  # a TCP server's transports
        self._transport = transport
        if not self._guard.admit(transport):
            transport.abort()
            return
        self._inner = self._make_inner()
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._inner is not None:
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        if self._inner is not None:
            return bool(self._inner.eof_received())
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._guard.forget(self._transport)
        if self._inner is not None:
            self._inner.connection_lost(exc)
            self._inner = None

    def pause_writing(self) -> None:
        if self._inner is not None:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._inner is not None:
            self._inner.resume_writing()
