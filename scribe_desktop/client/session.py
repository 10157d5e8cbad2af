"""One realtime session over `websockets`' asyncio client: a thin pump around the sans-I/O
`protocol.connection.ClientConnection`, which decides everything the protocol asks.

Threading: everything here runs on ONE asyncio loop, the one that called `connect()`. No
method is thread-safe; foreign threads (audio callbacks, hotkeys) hand data over with
`loop.call_soon_threadsafe`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection as WebSocket
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import (
    ConnectionClosed,
    ConnectionClosedOK,
    InvalidStatus,
    WebSocketException,
)

from ..protocol.connection import (
    DEFAULT_VAD_SILENCE_S,
    ClientConnection,
    ConnectionEvent,
    Passed,
    ServerFailed,
    Started,
    Undecodable,
)
from ..protocol.messages import UnknownMessage
from ..protocol.options import SessionOptions, realtime_url
from ..protocol.uplink import Uplink
from .auth import ApiKeyAuth, Auth, Endpoint, StaticTokenAuth, TokenAuth
from .errors import (
    ConnectError,
    ConnectionLostError,
    HandshakeRejectedError,
    ScribeError,
    SessionClosedError,
    error_from_server,
)
from .tokens import mint_token

log = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT_S = 10.0
CLOSE_TIMEOUT_S = 2.0  # a live server was seen not echoing our close frame (§7)
UNDECODABLE_LOGGED, UNDECODABLE_LOG_EVERY = 5, 1000  # the first few, then one in a thousand


@dataclass(frozen=True, slots=True)
class _End:
    error: ScribeError | None


def redact_url(url: str) -> str:
    """`url` with any `token=` value hidden, for messages and logs."""
    parts = urlsplit(url)
    query = [(k, "***" if k == "token" else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


class ScribeSession:
    """A started realtime session; create it with `connect()`.

    Use it as an async context manager or call `close()`. One task may iterate `events()`
    while others call `send_audio()` / `commit()`; all on the loop that connected.
    """

    def __init__(self, ws: WebSocket, *, url: str, options: SessionOptions,
                 connection: ClientConnection, started: Started,
                 clock: Callable[[], float], early: list[ConnectionEvent]) -> None:
        self.url = url  # token redacted
        self.options = options
        self.started = started
        self.connection = connection
        self._ws = ws
        self._clock = clock
        self._queue: asyncio.Queue[ConnectionEvent | _End] = asyncio.Queue()
        self._send_lock = asyncio.Lock()
        self._failure: ScribeError | None = None
        self._closing = False
        self._close_task: asyncio.Future[None] | None = None
        for event in early:
            self._accept(event)
        self._reader = asyncio.create_task(self._read_loop(), name="scribe-reader")
        self._keepalive = asyncio.create_task(self._keepalive_loop(), name="scribe-keepalive")

    # --- public API ---------------------------------------------------------------------------

    @property
    def session_id(self) -> str:
        return self.started.session_id

    @property
    def uplink(self) -> Uplink:
        return self.connection.uplink

    @property
    def closed(self) -> bool:
        """True once the socket has ended, for whatever reason."""
        return self._reader.done()

    @property
    def close_code(self) -> int | None:
        return self._ws.close_code

    def answers_settled(self) -> float | None:
        """See `ClientConnection.answers_settled` (None: every answer is in)."""
        return self.connection.answers_settled(self._clock())

    @property
    def decode_errors(self) -> int:
        return self.connection.decode_errors

    async def send_audio(self, pcm: bytes, *, inserted: bool = False) -> None:
        """Send raw audio (whole samples) in the session's `audio_format`; C9: it is split
        into chunks of <= 250 ms.

        Pacing is the caller's: real time for a microphone, faster for a file. Raises the
        session's typed error (or `ConnectionLostError` / `SessionClosedError`) once it ended.
        """
        self._raise_if_ended()
        async with self._send_lock:
            self.connection.send_audio(pcm, self._clock(), inserted=inserted)
            await self._flush()

    async def commit(self, *, final: bool = False) -> int | None:
        """Ask the server to commit the current segment: the request's number (a `Commit`
        event's `answers` names it), or None when skipped (rule C6: no new audio since the
        last commit). Padded with silence so it is never throttled; `final`: nothing will be
        sent after it (see `ClientConnection.commit`)."""
        self._raise_if_ended()
        async with self._send_lock:
            request = self.connection.commit(self._clock(), final=final)
            await self._flush()
        return request

    async def events(self) -> AsyncIterator[ConnectionEvent]:
        """The connection's events in arrival order (see `protocol.connection`).

        A server error raises its typed `ScribeServerError`; an abnormal close raises
        `ConnectionLostError`; a clean close or `close()` ends the iteration. Meant for a
        single consumer.
        """
        while True:
            item = await self._queue.get()
            if isinstance(item, _End):
                self._queue.put_nowait(item)  # a later call ends the same way
                if item.error is not None:
                    raise item.error
                return
            yield item

    async def close(self) -> None:
        """Close with code 1000; idempotent, and the close completes even if the caller is
        cancelled. Does not commit: call `commit()` first to get the tail transcribed."""
        if self._close_task is None:
            self._close_task = asyncio.ensure_future(self._close())
        await asyncio.shield(self._close_task)

    async def __aenter__(self) -> ScribeSession:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    # --- the pump -----------------------------------------------------------------------------

    def _raise_if_ended(self) -> None:
        if self._failure is not None:
            raise self._failure
        if self._closing:
            raise SessionClosedError("the session was closed")

    async def _flush(self) -> None:
        """Write what the connection has queued; the caller holds the send lock."""
        try:
            for frame in self.connection.data_to_send():
                await self._ws.send(frame)
        except ConnectionClosed as exc:
            # the reader may still hold the error frame that preceded the close (rule B2)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._reader), CLOSE_TIMEOUT_S)
            self._raise_if_ended()
            raise ConnectionLostError(exc.rcvd.code if exc.rcvd else None,
                                      exc.rcvd.reason if exc.rcvd else "",
                                      "the server closed the session") from None

    def _accept(self, event: ConnectionEvent) -> None:
        if isinstance(event, ServerFailed):
            if self._failure is None:
                self._failure = error_from_server(event.error)
                self._queue.put_nowait(_End(self._failure))
            return
        if isinstance(event, Undecodable):
            count = self.connection.decode_errors
            if count <= UNDECODABLE_LOGGED or count % UNDECODABLE_LOG_EVERY == 0:
                # rule B1; a broken or hostile server must not fill the log
                log.warning("skipping an undecodable frame (%d so far): %s", count,
                            event.reason[:200])
            return
        if isinstance(event, Passed) and isinstance(event.message, UnknownMessage):
            log.debug("unknown message type %r", event.message.message_type)
        self._queue.put_nowait(event)

    async def _read_loop(self) -> None:
        end = _End(None)
        try:
            async for frame in self._ws:
                self.connection.receive_frame(frame, self._clock())
                for event in self.connection.events_received():
                    self._accept(event)
        except ConnectionClosedOK:
            pass
        except ConnectionClosed as exc:
            if not self._closing and self._failure is None:
                code = exc.rcvd.code if exc.rcvd else None
                reason = exc.rcvd.reason if exc.rcvd else ""
                self._failure = ConnectionLostError(code, reason)
                end = _End(self._failure)
        except Exception as exc:  # a bug must end the session loudly, not hang events()
            log.exception("the session reader failed")
            if self._failure is None:
                self._failure = ScribeError(f"the session reader failed: {exc!r}")
                end = _End(self._failure)
        finally:
            self._keepalive.cancel()
            self._queue.put_nowait(end)

    async def _keepalive_loop(self) -> None:
        """Send digital silence while the uplink is idle (rule C7); cancelled on close."""
        while True:
            delay = self.uplink.keepalive_due_at() - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)
                continue
            async with self._send_lock:
                if not self.connection.keepalive(self._clock()):
                    continue
                try:
                    for frame in self.connection.data_to_send():
                        await self._ws.send(frame)
                except ConnectionClosed:
                    return  # the reader reports why
                except Exception:
                    log.exception("sending keep-alive silence failed")
                    return

    async def _close(self) -> None:
        self._closing = True
        self._keepalive.cancel()
        try:
            await self._ws.close(1000, "client closed")
        finally:
            done, _ = await asyncio.wait([self._reader], timeout=CLOSE_TIMEOUT_S)
            if not done:
                self._reader.cancel()
            # collect both tasks' outcomes so nothing is "never retrieved"; errors were logged
            await asyncio.gather(self._reader, self._keepalive, return_exceptions=True)
            self._queue.put_nowait(_End(None))


TokenMinter = Callable[[str, Endpoint], Awaitable[str]]


async def _credentials(auth: Auth, endpoint: Endpoint,
                       mint: TokenMinter) -> tuple[dict[str, str], str | None]:
    if isinstance(auth, ApiKeyAuth):
        return {"xi-api-key": auth.key}, None
    if isinstance(auth, TokenAuth):
        # rule C11: a fresh single-use token per connection, and no key header with it
        return {}, await mint(auth.api_key, endpoint)
    if isinstance(auth, StaticTokenAuth):
        return {}, auth.token
    raise TypeError(f"unsupported auth: {type(auth).__name__}")


async def _await_started(ws: WebSocket, url: str, connection: ClientConnection,
                         ) -> tuple[Started, list[ConnectionEvent]]:
    """Wait for `session_started` (rule C1); an error frame first raises its typed error."""
    early: list[ConnectionEvent] = []
    while True:
        try:
            frame = await ws.recv()
        except ConnectionClosed as exc:
            raise ConnectionLostError(exc.rcvd.code if exc.rcvd else None,
                                      exc.rcvd.reason if exc.rcvd else "",
                                      f"{url} closed before session_started") from None
        connection.receive_frame(frame)
        for event in connection.events_received():
            if isinstance(event, Started):
                return event, early
            if isinstance(event, ServerFailed):
                raise error_from_server(event.error)
            early.append(event)


async def connect(options: SessionOptions, endpoint: Endpoint, auth: Auth, *,
                  timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
                  previous_text: str | None = None,
                  mint: TokenMinter = mint_token,
                  connection: ClientConnection | None = None,
                  **uplink_options: Any) -> ScribeSession:
    """Open a session and wait for `session_started` (rule C1) within `timeout_s`.

    `previous_text` goes on the first audio chunk, trimmed to 50 characters (rule C8);
    `uplink_options` (keepalive_after_s, max_chunk_s, replay_limit_s...) configure the
    `Uplink`. `connection` continues a stream (see `reconnect`) and replaces both.
    Raises `ConnectError` (refused, DNS, timeout; names the URL), `HandshakeRejectedError`
    (HTTP status at the upgrade), a `ScribeServerError` subclass (error frame before the
    session started, e.g. `AuthError`), `ConnectionLostError`, or the token errors.
    `mint` (for `TokenAuth`) defaults to `tokens.mint_token`. Must be awaited on the loop
    that will use the session.
    """
    options.validate()
    headers, token = await _credentials(auth, endpoint, mint)
    url = realtime_url(options, base_url=endpoint.base_url, region=endpoint.region, token=token)
    shown = redact_url(url)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    try:
        async with asyncio.timeout_at(deadline):
            ws = await ws_connect(url, additional_headers=headers, open_timeout=None,
                                  close_timeout=CLOSE_TIMEOUT_S)
    except InvalidStatus as exc:
        body = bytes(exc.response.body or b"").decode("utf-8", "replace").strip()[:300]
        raise HandshakeRejectedError(shown, exc.response.status_code, body) from None
    except TimeoutError as exc:  # chained: the app explains the cause (timeout)
        raise ConnectError(shown, f"no answer within {timeout_s:g} s") from exc
    except OSError as exc:  # refused, unreachable, DNS (socket.gaierror)
        raise ConnectError(shown, exc.strerror or str(exc)) from exc
    except WebSocketException as exc:
        raise ConnectError(shown, f"{type(exc).__name__}: {exc}") from exc
    if connection is None:
        connection = ClientConnection.new(
            options.effective_audio_format, now=loop.time(),
            commit_strategy=options.effective_commit_strategy,
            vad_silence_s=options.vad_silence_threshold_secs or DEFAULT_VAD_SILENCE_S,
            previous_text=previous_text, **uplink_options)
    try:
        async with asyncio.timeout_at(deadline):
            started, early = await _await_started(ws, shown, connection)
    except TimeoutError as exc:
        await _abandon(ws)
        raise ConnectError(shown, f"no session_started within {timeout_s:g} s") from exc
    except BaseException:
        await _abandon(ws)
        raise
    return ScribeSession(ws, url=shown, options=options, connection=connection,
                         started=started, clock=loop.time, early=early)


async def _abandon(ws: WebSocket) -> None:
    """Close a socket we will not use; never raises, and survives our own cancellation."""
    task = asyncio.ensure_future(ws.close(1000))
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # best effort on a dead socket
        log.debug("closing an abandoned socket failed: %s", exc)
