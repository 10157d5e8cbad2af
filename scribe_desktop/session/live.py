"""One live dictation's network side: stream a live source (the microphone) through a
`ResilientSession`, report its events, and finish with a final commit. No Qt: the window's
worker and `listen` turn the `LiveEvent`s into signals or terminal lines.

Audio captured while connecting (or reconnecting) waits in the source's queue and is sent
once a session is open, so the first words are never lost. Reconnecting with replay is the
resilient session's (`session.resilient`). `finish()` stops the source, sends the rest,
commits (padded so the server's own commits cannot throttle it) and waits until every
commit asked for is answered beyond doubt, then briefly for the last timings (and, with
redaction, the last redacted text).

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
from ..client import DEFAULT_RECONNECT_DELAYS_S, ScribeError
from ..connect import Backend
from ..protocol.connection import Commit, CommitTimed, ConnectionEvent, Partial, Redacted
from ..protocol.options import SessionOptions
from .resilient import Reconnected, Reconnecting, ResilientSession

log = logging.getLogger(__name__)

# finishing waits `timeout_s` of silence from the server, for at most this many times that in
# all: a server still working through a replay (a restarted engine loads its model first)
# must not lose the dictation to a timeout meant for one that stopped answering
FINISH_MAX_FACTOR = 6.0
ENRICHMENT_GRACE_S = 1.0  # timestamps follow their commit within ~15 ms (§6.6)

__all__ = ["ENRICHMENT_GRACE_S", "CommitTimeoutError", "Connected", "FinalCommitSent",
           "LiveEvent", "LiveEventSink", "LiveSession", "LiveSource", "Received",
           "Reconnected", "Reconnecting"]


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
class FinalCommitSent:
    """The final commit went out (`request` None: skipped, nothing new was sent, C6)."""

    request: int | None


@dataclass(frozen=True, slots=True)
class Received:
    """A connection event; `latency_s` (partials only) is the time since the last send."""

    event: ConnectionEvent
    latency_s: float | None = None


LiveEvent = Connected | Reconnecting | Reconnected | FinalCommitSent | Received
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
        self.options = options
        self.on_event = on_event
        self.clock = clock
        self.on_audio = on_audio
        self.stream = ResilientSession(backend, options, reconnect_delays_s=reconnect_delays_s,
                                       connect_timeout_s=connect_timeout_s, clock=clock)
        self.last_send_at: float | None = None
        self.chunks_sent = 0
        self._sender: asyncio.Task[None] | None = None
        self._started = asyncio.Event()  # the first session is open, or run() ended
        self._closing = False
        self._final_requested = False
        self._final_sent: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._enriched = asyncio.Event()  # the last commit got its timings (and redaction)
        self._follow_ups: set[type] = set()  # what the last commit still waits for
        self._sender_error: BaseException | None = None
        self._closer: asyncio.Task[None] | None = None
        self._finish_timeout: asyncio.Timeout | None = None
        self._finish_quiet_s = 0.0
        self._finish_cap = 0.0

    @property
    def reconnects(self) -> int:
        return self.stream.reconnects

    # -- lifecycle ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Connect, then read events (reconnecting when the connection drops) until the
        session is closed by `finish()`/`abort()`. Raises the error that ended it."""
        try:
            await self.stream.open()
            self.on_event(Connected())
            self._sender = asyncio.ensure_future(self._send_loop())
            self._sender.add_done_callback(self._on_sender_done)
            self._started.set()
            async for event in self.stream.events():
                self._report(event)
            if self._sender_error is not None:
                raise self._sender_error
        finally:
            self._started.set()
            if self._sender is not None and not self._sender.done():
                self._sender.cancel()
                with contextlib.suppress(BaseException):
                    await self._sender
            await self.stream.close()

    async def finish(self, timeout_s: float) -> None:
        """Stop the source, send what is left, commit (rule C6: padded, or skipped when
        nothing is new) and wait until the committed text is in beyond doubt (and, briefly,
        its timestamps). Raises `CommitTimeoutError` once the server has said nothing for
        `timeout_s` (or after FINISH_MAX_FACTOR x `timeout_s` in all); always closes."""
        self.source.stop()
        self._final_requested = True
        loop = asyncio.get_running_loop()
        self._finish_quiet_s = timeout_s
        self._finish_cap = loop.time() + FINISH_MAX_FACTOR * timeout_s
        try:
            async with asyncio.timeout(timeout_s) as self._finish_timeout:
                await self._started.wait()
                if self._sender is None:
                    return  # run() ended before connecting; it reports why
                await asyncio.wait({self._sender})
                if self._sender.cancelled() or self._sender.exception() is not None:
                    return
                with contextlib.suppress(ScribeError):  # run() reports a failure
                    await self.stream.settle()
            self._finish_timeout = None  # left: it can no longer be rescheduled
            follow_ups = self.options.include_timestamps or self.options.entity_redaction
            if follow_ups and self._final_sent.done() and self._final_sent.result():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._enriched.wait(), ENRICHMENT_GRACE_S)
        except TimeoutError:
            raise CommitTimeoutError(timeout_s) from None
        finally:
            self._finish_timeout = None
            await self.abort()

    def _server_spoke(self) -> None:
        """While finishing, the server is still at work: the timeout counts from now."""
        timeout = self._finish_timeout
        if timeout is not None and not timeout.expired():
            now = asyncio.get_running_loop().time()
            with contextlib.suppress(RuntimeError):  # its block just ended
                timeout.reschedule(min(now + self._finish_quiet_s, self._finish_cap))

    async def abort(self) -> None:
        """Close at once without committing; `run()` then returns. Idempotent."""
        self._closing = True
        self.source.stop()
        if self._sender is not None and not self._sender.done():
            self._sender.cancel()
            with contextlib.suppress(BaseException):
                await self._sender
        await self.stream.close()

    async def commit_now(self) -> bool:
        """Commit the current segment (manual strategy); False if nothing new or ended."""
        if self._closing or self.stream.session is None or self.stream.ended:
            return False
        try:
            return await self.stream.commit() is not None
        except ScribeError as exc:
            log.info("commit failed: %s", exc)  # the reader reports the failure
            return False

    # -- internals ----------------------------------------------------------------------------

    def _on_sender_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is None or self._closing:
            return
        # the session's own failure ends events() by itself; anything else (a bug, the
        # source failing) must end run() too
        self._sender_error = task.exception()
        self._closer = asyncio.ensure_future(self.stream.close())

    async def _send_loop(self) -> None:
        async for chunk in self.source:
            if self.on_audio is not None:
                self.on_audio(chunk.pcm)
            await self.stream.send_audio(chunk.pcm)
            self.last_send_at = self.clock()
            self.chunks_sent += 1
        if not self._final_requested:
            return
        request = await self.stream.commit(final=True)
        if not self._final_sent.done():
            self._final_sent.set_result(request is not None)
        self.on_event(FinalCommitSent(request))

    def _report(self, event: Reconnecting | Reconnected | ConnectionEvent) -> None:
        self._server_spoke()
        if isinstance(event, Reconnecting | Reconnected):
            self.on_event(event)
            return
        latency = None
        if isinstance(event, Commit):
            # its timings (C4) and, with redaction, its redacted form (§6.8) follow it: the
            # transcript shows a redacted commit only once that came
            self._follow_ups = set()
            if event.text.strip():
                if event.words is None and self.options.include_timestamps:
                    self._follow_ups.add(CommitTimed)
                if self.options.entity_redaction:
                    self._follow_ups.add(Redacted)
            self._enriched.clear()
        elif isinstance(event, CommitTimed | Redacted):
            self._follow_ups.discard(type(event))
        if isinstance(event, Commit | CommitTimed | Redacted):
            if not self._follow_ups:
                self._enriched.set()  # nothing more will come for it
        elif self.last_send_at is not None and isinstance(event, Partial):
            latency = self.clock() - self.last_send_at
        self.on_event(Received(event, latency))
