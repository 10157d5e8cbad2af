"""One dictation's network side: connect, stream the microphone, read events, reconnect, and
the final commit. No Qt: `DictationWorker` turns its `LiveEvent`s into signals.

Audio captured while connecting (or reconnecting) waits in the `MicrophoneSource`'s queue and
is sent once a session is open, so the first words are never lost. A dropped connection is
continued with `client.reconnect` (it replays the audio no commit covers, rule C8/C11); each
attempt asks the backend for its current endpoint, so a restarted local server is found.
Server errors end the dictation (the server closes after them, rule B2).

Loop-only; not thread-safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..audio.source import AudioChunk
from ..client import (
    DEFAULT_RECONNECT_DELAYS_S,
    ConnectionLostError,
    ScribeError,
    ScribeSession,
    SessionClosedError,
    connect,
    is_fatal,
    reconnect,
)
from ..connect import Backend
from ..protocol.connection import Commit, CommitTimed, ConnectionEvent, Partial
from ..protocol.options import SessionOptions

log = logging.getLogger(__name__)

ENRICHMENT_GRACE_S = 1.0  # timestamps follow their commit within ~15 ms (§6.6)


class LiveSource(Protocol):
    """What a dictation reads audio from (`audio.mic_source.MicrophoneSource`)."""

    def stop(self) -> None: ...

    def __aiter__(self) -> AsyncIterator[AudioChunk]: ...


class CommitTimeoutError(Exception):
    """The server did not answer the final commit in time."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__(f"no final transcript within {timeout_s:g} s")
        self.timeout_s = timeout_s


@dataclass(frozen=True, slots=True)
class Connected:
    """The first session of the dictation started."""


@dataclass(frozen=True, slots=True)
class ConnectionLost:
    """The connection dropped; a reconnect is under way."""

    error: ScribeError


@dataclass(frozen=True, slots=True)
class Reconnected:
    """A new session continues the stream (uncommitted audio replayed)."""


@dataclass(frozen=True, slots=True)
class FinalCommitSent:
    """The final commit went out (`request` None: skipped, nothing new was sent, C6)."""

    request: int | None


@dataclass(frozen=True, slots=True)
class Received:
    """A connection event; `latency_s` (partials only) is the time since the last send."""

    event: ConnectionEvent
    latency_s: float | None = None


LiveEvent = Connected | ConnectionLost | Reconnected | FinalCommitSent | Received
LiveEventSink = Callable[[LiveEvent], None]


class LiveSession:
    """`run()` streams until `finish()` or `abort()`; `run()` raises what ended it."""

    def __init__(self, source: LiveSource, backend: Backend, options: SessionOptions,
                 on_event: LiveEventSink, *,
                 reconnect_delays_s: Sequence[float] = DEFAULT_RECONNECT_DELAYS_S,
                 connect_timeout_s: float = 10.0,
                 clock: Callable[[], float] = time.perf_counter,
                 on_audio: Callable[[bytes], None] | None = None) -> None:
        """`on_audio` sees every captured chunk before it is sent (the history's kept
        audio); it must not block."""
        self.source = source
        self.backend = backend
        self.options = options
        self.on_event = on_event
        self.reconnect_delays_s = tuple(reconnect_delays_s)
        self.connect_timeout_s = connect_timeout_s
        self.clock = clock
        self.on_audio = on_audio
        self.session: ScribeSession | None = None
        self.last_send_at: float | None = None
        self.chunks_sent = 0
        self.reconnects = 0
        self._new_session = asyncio.Event()
        self._sender: asyncio.Task[None] | None = None
        self._sender_ready = asyncio.Event()
        self._closing = False
        self._sender_error: BaseException | None = None
        self._closer: asyncio.Future[None] | None = None
        self._final_requested = False
        self._final_sent: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._answered = asyncio.Event()  # no commit request of ours is pending
        self._enriched = asyncio.Event()  # the last commit got its timings

    # -- lifecycle ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Connect, then read events (reconnecting when the connection drops) until the
        session is closed by `finish()`/`abort()`. Raises the error that ended it."""
        try:
            session = await self._open()
            self._install(session)
            self.on_event(Connected())
            self._sender = asyncio.ensure_future(self._send_loop())
            self._sender.add_done_callback(self._on_sender_done)
            self._sender_ready.set()
            while True:
                try:
                    await self._read(session)
                    if self._sender_error is not None:
                        raise self._sender_error
                    if self._closing:
                        return  # closed by finish() / abort()
                    raise ConnectionLostError(session.close_code, "",
                                              "the server ended the session")
                except (ConnectionLostError, SessionClosedError) as exc:
                    if self._closing:
                        return
                    self.on_event(ConnectionLost(exc))
                    session = await self._reconnect(session)
                    self._install(session)
                    self.reconnects += 1
                    self.on_event(Reconnected())
        finally:
            self._sender_ready.set()
            if self._sender is not None and not self._sender.done():
                self._sender.cancel()
                with contextlib.suppress(BaseException):
                    await self._sender
            if self.session is not None:
                await self.session.close()

    async def finish(self, timeout_s: float) -> None:
        """Stop the microphone, send what is left, commit (rule C6: padded, or skipped when
        nothing is new) and wait for the committed text (and, briefly, its timestamps).
        Raises `CommitTimeoutError` after `timeout_s`; always closes the session."""
        self.source.stop()
        self._final_requested = True
        try:
            async with asyncio.timeout(timeout_s):
                await self._sender_ready.wait()
                if self._sender is None:
                    return  # run() ended before connecting; it reports why
                await asyncio.wait({self._sender})
                if self._sender.cancelled() or self._sender.exception() is not None:
                    return
                if not self._final_sent.done():
                    return
                self._update_answered()
                await self._answered.wait()
            if self.options.include_timestamps and self._final_sent.result():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._enriched.wait(), ENRICHMENT_GRACE_S)
        except TimeoutError:
            raise CommitTimeoutError(timeout_s) from None
        finally:
            await self.abort()

    async def abort(self) -> None:
        """Close at once without committing; `run()` then returns. Idempotent."""
        self._closing = True
        self.source.stop()
        if self._sender is not None and not self._sender.done():
            self._sender.cancel()
            with contextlib.suppress(BaseException):
                await self._sender
        if self.session is not None:
            await self.session.close()

    async def commit_now(self) -> bool:
        """Commit the current segment (manual strategy); False if nothing new or offline."""
        session = self.session
        if session is None or session.closed or self._closing:
            return False
        try:
            return await session.commit() is not None
        except ScribeError as exc:
            log.info("commit failed: %s", exc)  # the reader reports the failure
            return False

    # -- internals ----------------------------------------------------------------------------

    def _on_sender_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is None or self._closing:
            return
        # a fatal send error (or a bug): end the reader so run() raises it
        self._sender_error = task.exception()
        self._closing = True
        if self.session is not None:
            self._closer = asyncio.ensure_future(self.session.close())

    async def _open(self) -> ScribeSession:
        conn = await self.backend.connection()
        return await connect(self.options, conn.endpoint, conn.auth,
                             timeout_s=self.connect_timeout_s)

    def _install(self, session: ScribeSession) -> None:
        self.session = session
        event, self._new_session = self._new_session, asyncio.Event()
        event.set()

    async def _session_after(self, old: ScribeSession | None) -> ScribeSession:
        while self.session is None or self.session is old:
            await self._new_session.wait()
        return self.session

    async def _reconnect(self, lost: ScribeSession) -> ScribeSession:
        last: BaseException | None = None
        for delay in self.reconnect_delays_s:
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                conn = await self.backend.connection()  # a restarted server has a new URL
                return await reconnect(lost, conn.endpoint, conn.auth, delays_s=(0.0,),
                                       timeout_s=self.connect_timeout_s)
            except ScribeError as exc:
                if is_fatal(exc):
                    raise
                last = exc
                log.info("reconnect attempt failed: %s", exc)
            except Exception as exc:  # the backend itself failed (e.g. server won't start)
                last = exc
                log.info("reconnect: backend unavailable: %s", exc)
        raise last if last is not None else ConnectionLostError(None, "", "no attempt made")

    async def _send_chunk(self, pcm: bytes) -> None:
        session = await self._session_after(None)
        while True:
            before = session.uplink.sent_s
            try:
                await session.send_audio(pcm)
                self.last_send_at = self.clock()
                self.chunks_sent += 1
                return
            except ScribeError as exc:
                if is_fatal(exc) or self._closing:
                    raise
                if session.uplink.sent_s > before:
                    return  # it reached the replay buffer; reconnect re-sends it
                session = await self._session_after(session)

    async def _send_loop(self) -> None:
        async for chunk in self.source:
            if self.on_audio is not None:
                self.on_audio(chunk.pcm)
            await self._send_chunk(chunk.pcm)
        if not self._final_requested:
            return
        session = await self._session_after(None)
        while True:
            try:
                request = await session.commit()
                break
            except ScribeError as exc:
                if is_fatal(exc) or self._closing:
                    raise
                session = await self._session_after(session)
        if not self._final_sent.done():
            self._final_sent.set_result(request is not None)
        self.on_event(FinalCommitSent(request))

    def _update_answered(self) -> None:
        session = self.session
        if session is not None and not session.connection.pending_requests:
            self._answered.set()
        else:
            self._answered.clear()

    async def _read(self, session: ScribeSession) -> None:
        async for event in session.events():
            latency = None
            if isinstance(event, Commit):
                self._enriched.clear()
                if event.words is not None or not event.text.strip():
                    self._enriched.set()  # nothing more will come for it
                self._update_answered()
            elif isinstance(event, CommitTimed):
                self._enriched.set()
            elif self.last_send_at is not None and isinstance(event, Partial):
                latency = self.clock() - self.last_send_at
            self.on_event(Received(event, latency))
