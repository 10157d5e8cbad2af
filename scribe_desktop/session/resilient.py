"""A realtime session that survives its connection: the one reconnect-with-replay path that
every client shares (the window, push-to-talk, `listen`, `transcribe`). No Qt.

`send_audio`, `commit` and `events()` look like one `client.ScribeSession`'s, but when the
connection drops, the server restarts or it answers with an error a retry can cure, the
session reconnects through its backend (a restarted local server is found at its new
address; a single-use token is minted per attempt) and continues the stream with
`client.reconnect`: the audio no commit provably covers is replayed, the committed text's
tail seeds `previous_text`, word times stay on the stream's clock and replayed words are cut
(`protocol.connection`). `events()` then carries `Reconnecting` (per attempt) and
`Reconnected` markers between the connection events. Audio and commits passed in while the
connection is down wait for the next one, so nothing the caller sent is lost.

Loop-only; one task may iterate `events()` while others send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from ..client import (
    DEFAULT_RECONNECT_DELAYS_S,
    CommitThrottledError,
    ConnectionLostError,
    ScribeError,
    ScribeServerError,
    ScribeSession,
    connect,
    is_fatal,
    reconnect,
)
from ..connect import Backend
from ..protocol.connection import ConnectionEvent
from ..protocol.errors import ErrorType
from ..protocol.options import SessionOptions

log = logging.getLogger(__name__)

MAX_RECONNECTS = 20  # per session: a server error that recurs after every retry ends it
# server errors (§6.10) after which a new session can go on (the others need the user)
RETRYABLE_SERVER_ERRORS = frozenset({
    ErrorType.ERROR, ErrorType.TRANSCRIBER_ERROR, ErrorType.QUEUE_OVERFLOW,
    ErrorType.RATE_LIMITED, ErrorType.RESOURCE_EXHAUSTED,
    ErrorType.SESSION_TIME_LIMIT_EXCEEDED, ErrorType.INSUFFICIENT_AUDIO_ACTIVITY,
    ErrorType.COMMIT_THROTTLED,
})


@dataclass(frozen=True, slots=True)
class Reconnecting:
    """The connection was lost (`error`); attempt `attempt` to continue is starting, with
    `buffered_s` seconds of audio waiting to be replayed."""

    error: BaseException
    attempt: int
    buffered_s: float


@dataclass(frozen=True, slots=True)
class Reconnected:
    """A new connection continues the stream after `replayed_s` seconds of replayed audio."""

    replayed_s: float
    attempts: int


SessionEvent = ConnectionEvent | Reconnecting | Reconnected


@dataclass(frozen=True, slots=True)
class _End:
    error: BaseException | None


def retryable(error: BaseException) -> bool:
    """True when a new connection may continue after `error`."""
    if isinstance(error, ScribeServerError):
        return error.server_error.error_type in RETRYABLE_SERVER_ERRORS
    return not is_fatal(error) if isinstance(error, ScribeError) else True


class ResilientSession:
    """See the module docstring. `open()` first; `close()` always."""

    def __init__(self, backend: Backend, options: SessionOptions, *,
                 reconnect_delays_s: Sequence[float] = DEFAULT_RECONNECT_DELAYS_S,
                 connect_timeout_s: float = 10.0,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.backend = backend
        self.options = options
        self.reconnect_delays_s = tuple(reconnect_delays_s)
        self.connect_timeout_s = connect_timeout_s
        self.clock = clock
        self.session: ScribeSession | None = None
        self.reconnects = 0
        self.final_sent = False
        self.failure: BaseException | None = None
        self._queue: asyncio.Queue[SessionEvent | _End] = asyncio.Queue()
        self._changed = asyncio.Event()  # a new session, an event, or the end
        self._pump: asyncio.Task[None] | None = None
        self._closing = False

    # -- lifecycle ----------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect (raising what prevents it: nothing is retried before the first session)."""
        conn = await self.backend.connection()
        self.session = await connect(self.options, conn.endpoint, conn.auth,
                                     timeout_s=self.connect_timeout_s)
        self._pump = asyncio.ensure_future(self._run())

    async def close(self) -> None:
        """Close the current connection and stop reconnecting. Idempotent."""
        self._closing = True
        self._signal()
        if self._pump is not None and not self._pump.done():
            self._pump.cancel()
            with contextlib.suppress(BaseException):
                await self._pump
        if self.session is not None:
            await self.session.close()

    @property
    def buffered_s(self) -> float:
        """Seconds of audio sent that no answered commit provably covers yet."""
        return 0.0 if self.session is None else self.session.uplink.replay_s

    @property
    def ended(self) -> bool:
        return self._pump is not None and self._pump.done()

    # -- sending ------------------------------------------------------------------------------

    async def send_audio(self, pcm: bytes) -> None:
        """Send `pcm`; across a lost connection it is kept for the replay (or waits for the
        next connection). Raises the error that ended the session for good."""
        session = self._current()
        while True:
            before = session.uplink.sent_bytes
            try:
                await session.send_audio(pcm)
                return
            except ScribeError:
                if session.uplink.sent_bytes > before:
                    return  # it reached the replay buffer: the reconnect re-sends it
                session = await self._session_after(session)

    async def commit(self, *, final: bool = False) -> int | None:
        """Ask for a commit (see `ScribeSession.commit`); across a lost connection it is made
        on the next one. `final`: nothing will be sent after it."""
        session = self._current()
        while True:
            try:
                request = await session.commit(final=final)
                self.final_sent = self.final_sent or final
                return request
            except ScribeError:
                session = await self._session_after(session)

    # -- receiving ----------------------------------------------------------------------------

    async def events(self) -> AsyncIterator[SessionEvent]:
        """Connection events and reconnect markers, in order, across connections. Ends when
        the session is closed, or raises the error that ended it for good."""
        while True:
            item = await self._queue.get()
            if isinstance(item, _End):
                self._queue.put_nowait(item)
                if item.error is not None:
                    raise item.error
                return
            yield item

    async def settle(self) -> None:
        """Wait until every commit we asked for is answered beyond doubt (see
        `ClientConnection.answers_settled`), across reconnects. Bound it with a timeout."""
        while True:
            if self.failure is not None:
                raise self.failure
            session = self._current()
            wait = session.answers_settled()
            if wait is None or self.ended:
                return
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(),
                                       None if math.isinf(wait) else wait)

    # -- the pump -------------------------------------------------------------------------------

    def _current(self) -> ScribeSession:
        if self.failure is not None:
            raise self.failure
        if self.session is None:
            raise RuntimeError("the session is not open")
        return self.session

    def _signal(self) -> None:
        self._changed.set()

    async def _session_after(self, old: ScribeSession) -> ScribeSession:
        while True:
            if self.failure is not None:
                raise self.failure
            if self._closing or self.ended:
                raise ConnectionLostError(None, "", "the session was closed")
            if self.session is not None and self.session is not old:
                return self.session
            self._changed.clear()
            await self._changed.wait()

    async def _run(self) -> None:
        end = _End(None)
        try:
            while not self._closing:
                session = self.session
                assert session is not None
                try:
                    async for event in session.events():
                        self._queue.put_nowait(event)
                        self._signal()
                    if self._closing:
                        break
                    raise ConnectionLostError(session.close_code, "",
                                              "the server ended the session")
                except ScribeError as exc:
                    if self._closing:
                        break
                    if self._final_answered_by_throttle(exc, session):
                        break
                    if not retryable(exc) or self.reconnects >= MAX_RECONNECTS:
                        raise
                    self.session = await self._reconnect(session, exc)
                    self._signal()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            self.failure = exc
            end = _End(exc)
        finally:
            self._queue.put_nowait(end)
            self._signal()

    def _final_answered_by_throttle(self, exc: ScribeError, session: ScribeSession) -> bool:
        """commit_throttled after our final commit, with nothing of ours pending: the
        server's own commit had covered everything (C5, C6), and its answer came first."""
        return (isinstance(exc, CommitThrottledError) and self.final_sent
                and not session.connection.unresolved)

    async def _reconnect(self, lost: ScribeSession, error: BaseException) -> ScribeSession:
        last: BaseException = error
        for attempt, delay in enumerate(self.reconnect_delays_s, 1):
            self._queue.put_nowait(Reconnecting(last, attempt, lost.uplink.replay_s))
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                conn = await self.backend.connection()  # a restarted server has a new URL
                session = await reconnect(lost, conn.endpoint, conn.auth, delays_s=(0.0,),
                                          timeout_s=self.connect_timeout_s)
            except ScribeError as exc:
                if is_fatal(exc):
                    raise
                last = exc
                log.info("reconnect attempt %d failed: %s", attempt, exc)
                continue
            except Exception as exc:  # the backend itself failed (e.g. server won't start)
                last = exc
                log.info("reconnect attempt %d: backend unavailable: %s", attempt, exc)
                continue
            self.reconnects += 1
            replayed = session.uplink.sent_s
            log.info("reconnected after %d attempt(s); replayed %.2f s", attempt, replayed)
            self._queue.put_nowait(Reconnected(replayed, attempt))
            return session
        raise last
