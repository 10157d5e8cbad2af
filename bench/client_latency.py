"""Benchmark our client's send path: chunk handed to `send_audio` -> frame written on the socket.

A scripted sink server (a separate process, so it never competes for this process's GIL)
starts the session and discards the audio. The client sends 100 ms chunks of speech every
`--interval-ms` (5 ms by default: 20x real time, like a file upload; a microphone is slower,
which only gives the loop more slack). The socket's transport `write()` is wrapped to timestamp
the moment the frame's bytes are handed to the kernel, so the measured time is the client's own
work: uplink bookkeeping (rules C6-C9), base64 + JSON encoding, websockets framing.

    python -m bench.client_latency [--chunks 1000] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.stats import percentile  # noqa: E402

CHUNK_S = 0.1
RATE = 16000

SINK = r"""
import asyncio, json, sys
from websockets.asyncio.server import serve

STARTED = json.dumps({"message_type": "session_started",
                      "session_id": "0" * 32, "config": {}})

async def handler(ws):
    await ws.send(STARTED)
    async for _ in ws:
        pass

async def main():
    async with serve(handler, "127.0.0.1", 0, max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        print(json.dumps({"event": "ready", "port": port}), flush=True)
        await asyncio.Future()

asyncio.run(main())
"""


async def measure(port: int, chunks: int, interval_s: float) -> dict[str, Any]:
    from scribe_desktop.client import ApiKeyAuth, Endpoint, connect
    from scribe_desktop.protocol.options import SessionOptions
    from tests.speech import SENTENCES, pcm16, synth

    speech = b"".join(pcm16(synth(s)) for s in SENTENCES)
    step = int(CHUNK_S * RATE) * 2
    pieces = [speech[i:i + step] for i in range(0, len(speech) - step, step)]
    latencies: list[float] = []
    session = await connect(SessionOptions(), Endpoint(base_url=f"http://127.0.0.1:{port}"),
                            ApiKeyAuth("bench"))
    transport: Any = session._ws.transport  # bench-only peek: timestamp the socket write
    original_write = transport.write
    written: list[float] = []

    def timed_write(data: Any) -> None:
        original_write(data)
        written.append(time.perf_counter())

    transport.write = timed_write
    try:
        next_at = time.perf_counter()
        for i in range(chunks):
            delay = next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            next_at += interval_s
            written.clear()
            handed = time.perf_counter()
            await session.send_audio(pieces[i % len(pieces)])
            if written:
                latencies.append(1000 * (written[0] - handed))
    finally:
        transport.write = original_write
        await session.close()
    return {
        "chunks": len(latencies),
        "chunk_ms": int(CHUNK_S * 1000),
        "interval_ms": round(interval_s * 1000, 1),
        "p50_ms": round(percentile(latencies, 50), 3),
        "p99_ms": round(percentile(latencies, 99), 3),
        "max_ms": round(max(latencies), 3),
    }


def run(chunks: int = 1000, interval_s: float = 0.005) -> dict[str, Any]:
    sink = subprocess.Popen([sys.executable, "-c", SINK], stdout=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    try:
        assert sink.stdout is not None
        port = int(json.loads(sink.stdout.readline())["port"])
        return asyncio.run(measure(port, chunks, interval_s))
    finally:
        sink.terminate()
        sink.wait(5)


def markdown(result: dict[str, Any]) -> str:
    return "\n".join([
        "| chunks | chunk | sent every | send_audio -> socket write p50 / p99 (max) |",
        "|---:|---:|---:|---:|",
        f"| {result['chunks']} | {result['chunk_ms']} ms | {result['interval_ms']} ms | "
        f"{result['p50_ms']:.3f} / {result['p99_ms']:.3f} ms ({result['max_ms']:.3f} ms) |",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.client_latency", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=1000)
    parser.add_argument("--interval-ms", type=float, default=5.0)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    result = run(args.chunks, args.interval_ms / 1000)
    print(json.dumps({"benchmark": "client_latency", "result": result}) if args.json
          else markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
