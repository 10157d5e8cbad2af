"""A raw protocol client for server tests: aiohttp WebSocket + JSON, no project client code."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

import aiohttp

TIMEOUT_S = 20.0


class RunningServer(Protocol):
    """What tests need of a server: conftest's RunningServer or a LocalServerProcess."""

    @property
    def base_url(self) -> str: ...

    @property
    def secret(self) -> str: ...


def ws_url(server: RunningServer) -> str:
    return "ws" + server.base_url[len("http"):] + "/v1/speech-to-text/realtime"


class Closed(Exception):
    """The server closed the socket; `code` and `reason` say how."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed {code} {reason!r}")
        self.code = code
        self.reason = reason


class Conn:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.received: list[dict[str, Any]] = []

    async def recv(self, wait_s: float = TIMEOUT_S) -> dict[str, Any]:
        """The next JSON message; raises `Closed` when the server closes instead."""
        msg = await asyncio.wait_for(self.ws.receive(), wait_s)
        if msg.type is aiohttp.WSMsgType.TEXT:
            data: dict[str, Any] = json.loads(msg.data)
            self.received.append(data)
            return data
        if msg.type is aiohttp.WSMsgType.BINARY:
            raise AssertionError("the server sent a binary frame (rule S7)")
        raise Closed(self.ws.close_code, str(msg.extra or ""))

    async def until(self, message_type: str, wait_s: float = TIMEOUT_S) -> dict[str, Any]:
        """Read until a message of `message_type` arrives and return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while True:
            data = await self.recv(max(0.01, deadline - loop.time()))
            if data.get("message_type") == message_type:
                return data

    async def closing(self, wait_s: float = TIMEOUT_S) -> Closed:
        """Read until the server closes; returns the close (messages kept in `received`)."""
        try:
            while True:
                await self.recv(wait_s)
        except Closed as closed:
            return closed

    async def send_chunk(self, audio: bytes, *, commit: bool = False,
                         sample_rate: int | None = 16000, **extra: Any) -> None:
        frame: dict[str, Any] = {"message_type": "input_audio_chunk",
                                 "audio_base_64": base64.b64encode(audio).decode(),
                                 "commit": commit}
        if sample_rate is not None:
            frame["sample_rate"] = sample_rate
        frame.update(extra)
        await self.ws.send_str(json.dumps(frame))

    async def commit(self, sample_rate: int = 16000) -> None:
        await self.send_chunk(b"", commit=True, sample_rate=sample_rate)

    async def stream(self, audio: bytes, *, bytes_per_chunk: int, sample_rate: int) -> None:
        """Send `audio` in chunks, faster than real time."""
        for i in range(0, len(audio), bytes_per_chunk):
            await self.send_chunk(audio[i:i + bytes_per_chunk], sample_rate=sample_rate)


def query(**params: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = [("model_id", "scribe_v2_realtime")]
    for key, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            pairs.append((key, ("true" if v else "false") if isinstance(v, bool) else str(v)))
    return pairs


@asynccontextmanager
async def connect(server: RunningServer, params: Sequence[tuple[str, str]] | None = None, *,
                  key: str | None = "", headers: dict[str, str] | None = None
                  ) -> AsyncIterator[Conn]:
    """Open a raw session; `key=""` means the server's secret, None sends no key."""
    all_headers = dict(headers or {})
    if key is not None:
        all_headers["xi-api-key"] = key or server.secret
    async with aiohttp.ClientSession() as http, http.ws_connect(
            ws_url(server), params=list(params if params is not None else query()),
            headers=all_headers, autoping=True) as ws:
        yield Conn(ws)


async def full_session(server: RunningServer, audio: bytes) -> dict[str, Any]:
    """A complete manual session on 16 kHz `audio`; returns its committed_transcript."""
    async with connect(server, query(include_timestamps=True)) as conn:
        assert (await conn.recv())["message_type"] == "session_started"
        await conn.stream(audio, bytes_per_chunk=6400, sample_rate=16000)
        await conn.commit()
        committed = await conn.until("committed_transcript")
        await conn.until("committed_transcript_with_timestamps")
        return committed
