"""One realtime session over `websockets`' asyncio client: connect, stream, commit, events.

Threading: everything here runs on ONE asyncio loop, the one that called `connect()`. No
method is thread-safe; foreign threads (audio callbacks, hotkeys) hand data over with
`loop.call_soon_threadsafe`. The uplink rules (C6-C9) live in the sans-I/O
`protocol.uplink.Uplink`; this module only moves its chunks and the server's frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import (
    ConnectionClosed,
    ConnectionClosedOK,
    InvalidStatus,
    WebSocketException,
)

from ..protocol.codec import DecodeError, decode_server_message, encode_client_message
from ..protocol.messages import (
    CommittedTranscript,
    InputAudioChunk,
    ServerError,
    ServerMessage,
    SessionStarted,
    UnknownMessage,
)
from ..protocol.options import SessionOptions, realtime_url
from ..protocol.uplink import (
    DEFAULT_KEEPALIVE_AFTER_S,
    DEFAULT_KEEPALIVE_CHUNK_S,
    DEFAULT_MAX_CHUNK_S,
    DEFAULT_REPLAY_LIMIT_S,
    Uplink,
)
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


@dataclass(frozen=True, slots=True)
class CommitSent:
    """Local marker yielded by `events()` when this client sent a commit, before any answer
    to it; feed it to `Transcript.note_commit_sent()` to tell solicited commits from
    unsolicited ones (rule C5). Never sent on the wire."""

    stream_s: float  # seconds of audio sent in this session when the commit went out


SessionEvent = ServerMessage | CommitSent


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

    def __init__(self, ws: ClientConnection, *, url: str, options: SessionOptions,
                 session_started: SessionStarted, uplink: Uplink,
                 clock: Callable[[], float], early: list[ServerMessage]) -> None:
        self.url = url  # token redacted
        self.options = options
        self.session_started = session_started
        self.uplink = uplink
        self._ws = ws
        self._clock = clock
        self._queue: asyncio.Queue[SessionEvent | _End] = asyncio.Queue()
        self._send_lock = asyncio.Lock()
        self._failure: ScribeError | None = None
        self._closing = False
        self._close_task: asyncio.Future[None] | None = None
        self.decode_errors = 0
        for msg in early:
            self._accept(msg)
        self._reader = asyncio.create_task(self._read_loop(), name="scribe-reader")
        self._keepalive = asyncio.create_task(self._keepalive_loop(), name="scribe-keepalive")

    # --- public API ---------------------------------------------------------------------------

    @property
    def session_id(self) -> str:
        return self.session_started.session_id

    @property
    def closed(self) -> bool:
        """True once the socket has ended, for whatever reason."""
        return self._reader.done()

    @property
    def close_code(self) -> int | None:
        return self._ws.close_code

    async def send_audio(self, pcm: bytes) -> None:
        """Send raw audio (whole samples) in the session's `audio_format`; C9: it is split
        into chunks of <= 250 ms.

        Pacing is the caller's: real time for a microphone, faster for a file. Raises the
        session's typed error (or `ConnectionLostError` / `SessionClosedError`) once it ended.
        """
        self._raise_if_ended()
        async with self._send_lock:
            await self._send(self.uplink.audio(pcm, self._clock()))

    async def commit(self) -> bool:
        """Ask the server to commit the current segment; False when skipped (rule C6: no new
        audio since the last commit). Pads with silence to 0.3 s, so it is never throttled."""
        self._raise_if_ended()
        async with self._send_lock:
            chunks = self.uplink.commit(self._clock())
            if not chunks:
                return False
            # queued before the answer can possibly be, so consumers see them in order
            self._queue.put_nowait(CommitSent(stream_s=self.uplink.sent_s))
            await self._send(chunks)
        return True

    async def events(self) -> AsyncIterator[SessionEvent]:
        """Decoded server messages in arrival order, plus local `CommitSent` markers.

        `UnknownMessage`s are yielded (consumers may ignore them, rule B1); undecodable frames
        are logged and skipped. A server error raises its typed `ScribeServerError`; an
        abnormal close raises `ConnectionLostError`; a clean close or `close()` ends the
        iteration. Meant for a single consumer.
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

    # --- internals ----------------------------------------------------------------------------

    def _raise_if_ended(self) -> None:
        if self._failure is not None:
            raise self._failure
        if self._closing:
            raise SessionClosedError("the session was closed")

    async def _send(self, chunks: list[InputAudioChunk]) -> None:
        try:
            for chunk in chunks:
                await self._ws.send(encode_client_message(chunk))
        except ConnectionClosed as exc:
            # the reader may still hold the error frame that preceded the close (rule B2)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._reader), CLOSE_TIMEOUT_S)
            self._raise_if_ended()
            raise ConnectionLostError(exc.rcvd.code if exc.rcvd else None,
                                      exc.rcvd.reason if exc.rcvd else "",
                                      "the server closed the session") from None

    def _accept(self, msg: ServerMessage) -> None:
        if isinstance(msg, ServerError):
            error = error_from_server(msg)
            if self._failure is None:
                self._failure = error
                self._queue.put_nowait(_End(error))
            return
        if isinstance(msg, CommittedTranscript):
            self.uplink.on_committed(msg.text)  # trims the replay buffer
        elif isinstance(msg, UnknownMessage):
            log.debug("unknown message type %r", msg.message_type)
        self._queue.put_nowait(msg)

    async def _read_loop(self) -> None:
        end = _End(None)
        try:
            async for frame in self._ws:
                try:
                    msg = decode_server_message(frame)
                except DecodeError as exc:
                    self.decode_errors += 1  # rule B1: never let one frame kill the session
                    log.warning("skipping an undecodable frame: %s", exc)
                    continue
                self._accept(msg)
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
                chunk = self.uplink.keepalive(self._clock())
                if chunk is None:
                    continue
                try:
                    await self._ws.send(encode_client_message(chunk))
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


async def _await_started(ws: ClientConnection, url: str,
                         ) -> tuple[SessionStarted, list[ServerMessage]]:
    """Wait for `session_started` (rule C1); an error frame first raises its typed error."""
    early: list[ServerMessage] = []
    while True:
        try:
            frame = await ws.recv()
        except ConnectionClosed as exc:
            raise ConnectionLostError(exc.rcvd.code if exc.rcvd else None,
                                      exc.rcvd.reason if exc.rcvd else "",
                                      f"{url} closed before session_started") from None
        try:
            msg = decode_server_message(frame)
        except DecodeError as exc:
            log.warning("skipping an undecodable frame: %s", exc)
            continue
        if isinstance(msg, SessionStarted):
            return msg, early
        if isinstance(msg, ServerError):
            raise error_from_server(msg)
        early.append(msg)


async def connect(options: SessionOptions, endpoint: Endpoint, auth: Auth, *,
                  timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
                  previous_text: str | None = None,
                  keepalive_after_s: float = DEFAULT_KEEPALIVE_AFTER_S,
                  keepalive_chunk_s: float = DEFAULT_KEEPALIVE_CHUNK_S,
                  max_chunk_s: float | None = DEFAULT_MAX_CHUNK_S,
                  replay_limit_s: float = DEFAULT_REPLAY_LIMIT_S,
                  mint: TokenMinter = mint_token,
                  uplink: Uplink | None = None) -> ScribeSession:
    """Open a session and wait for `session_started` (rule C1) within `timeout_s`.

    `previous_text` goes on the first audio chunk, trimmed to 50 characters (rule C8).
    Raises `ConnectError` (refused, DNS, timeout; names the URL), `HandshakeRejectedError`
    (HTTP status at the upgrade), a `ScribeServerError` subclass (error frame before the
    session started, e.g. `AuthError`), `ConnectionLostError`, or the token errors.
    `mint` (for `TokenAuth`) defaults to `tokens.mint_token`. `uplink` continues a stream
    (see `reconnect`); it then replaces `previous_text` and the uplink settings. Must be
    awaited on the loop that will use the session.
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
    except TimeoutError:
        raise ConnectError(shown, f"no answer within {timeout_s:g} s") from None
    except OSError as exc:  # refused, unreachable, DNS (socket.gaierror)
        raise ConnectError(shown, exc.strerror or str(exc)) from exc
    except WebSocketException as exc:
        raise ConnectError(shown, f"{type(exc).__name__}: {exc}") from exc
    try:
        async with asyncio.timeout_at(deadline):
            started, early = await _await_started(ws, shown)
    except TimeoutError:
        await _abandon(ws)
        raise ConnectError(shown, f"no session_started within {timeout_s:g} s") from None
    except BaseException:
        await _abandon(ws)
        raise
    if uplink is None:
        uplink = Uplink(options.effective_audio_format, now=loop.time(),
                        previous_text=previous_text, keepalive_after_s=keepalive_after_s,
                        keepalive_chunk_s=keepalive_chunk_s, max_chunk_s=max_chunk_s,
                        replay_limit_s=replay_limit_s)
    return ScribeSession(ws, url=shown, options=options, session_started=started, uplink=uplink,
                         clock=loop.time, early=early)


async def _abandon(ws: ClientConnection) -> None:
    """Close a socket we will not use; never raises, and survives our own cancellation."""
    task = asyncio.ensure_future(ws.close(1000))
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # best effort on a dead socket
        log.debug("closing an abandoned socket failed: %s", exc)
