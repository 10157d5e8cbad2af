"""A scripted Scribe server for client tests: each test writes what the server says, and the
server records what the client sent (handshake, frames, close)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from scribe_desktop.protocol.codec import decode_client_message
from scribe_desktop.protocol.messages import InputAudioChunk

SESSION_STARTED = {"message_type": "session_started",
                   "session_id": "0b0a72b57fd743ebbed6555d44836cf2",
                   "config": {"sample_rate": 16000, "audio_format": "pcm_16000"}}
WAIT_S = 5.0


@dataclass
class Received:
    """What one connection of the scripted server saw."""

    path: str = ""
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: Headers = field(default_factory=Headers)
    chunks: list[InputAudioChunk] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str = ""
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    def query_dict(self) -> dict[str, str]:
        return dict(self.query)


class Peer:
    """The server's side of one connection, as seen by a script."""

    def __init__(self, ws: ServerConnection, received: Received) -> None:
        self.ws = ws
        self.received = received
        self._pending: asyncio.Queue[InputAudioChunk | None] = asyncio.Queue()

    async def send(self, message: dict[str, Any] | str) -> None:
        await self.ws.send(message if isinstance(message, str) else json.dumps(message))

    async def start(self) -> None:
        await self.send(SESSION_STARTED)

    async def chunk(self) -> InputAudioChunk:
        """The next chunk the client sends; fails the test after WAIT_S."""
        item = await asyncio.wait_for(self._pending.get(), WAIT_S)
        assert item is not None, "the client closed instead of sending"
        return item

    async def until_commit(self) -> list[InputAudioChunk]:
        """Chunks up to and including the next commit."""
        chunks = []
        while True:
            chunks.append(await self.chunk())
            if chunks[-1].commit:
                return chunks

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.ws.close(code, reason)

    async def wait_closed_by_client(self) -> None:
        await asyncio.wait_for(self.received.closed.wait(), WAIT_S)


Script = Callable[[Peer], Awaitable[None]]


class ScriptedServer:
    """Runs `script` for each connection; `reject_status` refuses the upgrade instead."""

    def __init__(self, script: Script, *, reject_status: int | None = None) -> None:
        self.script = script
        self.reject_status = reject_status
        self.connections: list[Received] = []
        self.connected = asyncio.Event()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def last(self) -> Received:
        return self.connections[-1]

    def _process_request(self, ws: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        self.connections.append(Received(path=parts.path, query=parse_qsl(parts.query, True),
                                         headers=request.headers))
        if self.reject_status is not None:
            return ws.respond(HTTPStatus(self.reject_status), "Forbidden\n")
        return None

    async def _handler(self, ws: ServerConnection) -> None:
        received = self.connections[-1]
        peer = Peer(ws, received)
        self.connected.set()
        reader = asyncio.create_task(self._read(ws, received, peer))
        try:
            await self.script(peer)
            await reader
        finally:
            reader.cancel()

    async def _read(self, ws: ServerConnection, received: Received, peer: Peer) -> None:
        try:
            async for frame in ws:
                chunk = decode_client_message(frame)
                assert isinstance(chunk, InputAudioChunk)
                received.chunks.append(chunk)
                peer._pending.put_nowait(chunk)
                async with received.changed:
                    received.changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            received.close_code = ws.close_code
            received.close_reason = ws.close_reason or ""
            received.closed.set()
            peer._pending.put_nowait(None)
            async with received.changed:
                received.changed.notify_all()

    async def wait_for(self, predicate: Callable[[Received], bool]) -> Received:
        """Wait until the last connection's record satisfies `predicate`."""
        await asyncio.wait_for(self.connected.wait(), WAIT_S)
        received = self.last
        async with received.changed:
            await asyncio.wait_for(received.changed.wait_for(lambda: predicate(received)),
                                   WAIT_S)
        return received


@asynccontextmanager
async def scripted_server(script: Script, *,
                          reject_status: int | None = None) -> AsyncIterator[ScriptedServer]:
    server = ScriptedServer(script, reject_status=reject_status)
    async with serve(server._handler, "127.0.0.1", 0,
                     process_request=server._process_request) as ws_server:
        server.port = next(iter(ws_server.sockets)).getsockname()[1]
        yield server


async def hold_open(peer: Peer) -> None:
    """Script: start the session, then wait for the client to close."""
    await peer.start()
    await peer.wait_closed_by_client()
