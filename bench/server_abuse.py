"""Benchmark the local server under local abuse: an idle flood past its file limit, slowloris.

Starts `python -m scribe_desktop server` with RLIMIT_NOFILE 1,024 (soft and hard), then:

* baseline: one real session (a LibriVox utterance, human speech; manual commit), timed;
* flood: N idle TCP connections opened and held (no secret, no byte sent), then the same
  session while they are held; reports how long opening took, how many the server cut at
  once, the files the server process held, its log lines, and the session's timings;
* slowloris: an upgrade request sent one byte per 100 ms; seconds until the server cut it.

Every connection targets 127.0.0.1; counts and durations are bounded.

    python -m bench.server_abuse [--connections 2000] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.human_speech import Utterance, librivox  # noqa: E402
from tests.server.abuse import (  # noqa: E402
    LoggedServer,
    held,
    is_cut,
    open_idle,
    slowloris,
    start_server,
)

NOFILE = 1024
HANDSHAKE_TIMEOUT_S = 5.0


async def timed_session(server: LoggedServer, utterance: Utterance) -> dict[str, Any]:
    """connect -> session_started and commit -> committed_transcript, in ms; the WER."""
    from tests.server.wire import connect, query
    from tests.speech import wer

    audio, text = utterance.samples.tobytes(), utterance.text
    t0 = time.perf_counter()
    async with connect(server, query()) as conn:
        started = await conn.recv()
        t_started = time.perf_counter()
        assert started["message_type"] == "session_started", started
        await conn.stream(audio, bytes_per_chunk=6400, sample_rate=16000)
        t_commit = time.perf_counter()
        await conn.commit()
        committed = await conn.until("committed_transcript")
        t_done = time.perf_counter()
    return {"started_ms": round(1000 * (t_started - t0), 1),
            "commit_ms": round(1000 * (t_done - t_commit), 1),
            "wer": round(wer(text, committed["text"]), 2)}


async def run(connections: int) -> dict[str, Any]:
    # human read speech; missing, the benchmark fails (tests/human_speech.py)
    utterance = librivox()[0]
    server = await asyncio.to_thread(start_server, "--engine-workers", "1",
                                     "--handshake-timeout", str(HANDSHAKE_TIMEOUT_S),
                                     nofile=NOFILE)
    try:
        await timed_session(server, utterance)  # warm-up: the engine's first decode is slower
        baseline = await timed_session(server, utterance)
        files_idle = server.open_files()
        lines_before = len(server.lines)
        t0 = time.perf_counter()
        sockets, failures = await asyncio.to_thread(open_idle, server.port, connections)
        open_s = time.perf_counter() - t0
        with held(sockets):
            files_flood = server.open_files()
            during = await timed_session(server, utterance)
            cut = sum(is_cut(s) for s in sockets)
            alive = server.process.poll() is None
        server.wait_for_line("connection cap reached", 2.0)
        log_lines = len(server.lines) - lines_before
        cut_s, sent = await asyncio.to_thread(slowloris, server.port, byte_every_s=0.1,
                                              timeout_s=HANDSHAKE_TIMEOUT_S + 10)
    finally:
        server.stop()
    return {
        "nofile": NOFILE, "connections": connections, "connect_failures": failures,
        "open_s": round(open_s, 2), "cut_at_once": cut, "server_alive": alive,
        "server_files_idle": files_idle, "server_files_flood": files_flood,
        "log_lines": log_lines, "baseline": baseline, "during_flood": during,
        "handshake_timeout_s": HANDSHAKE_TIMEOUT_S,
        "slowloris_cut_s": None if cut_s is None else round(cut_s, 2),
        "slowloris_bytes": sent,
    }


def markdown(r: dict[str, Any]) -> str:
    base, during = r["baseline"], r["during_flood"]
    slow = "never" if r["slowloris_cut_s"] is None else f"{r['slowloris_cut_s']:.1f} s"
    return "\n".join([
        "| idle connections held | opened in | cut at once | server files (idle / flood) "
        "| log lines | session start baseline / flood | commit -> final baseline / flood "
        "| WER baseline / flood | slowloris cut after |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {r['connections'] - r['connect_failures']} of {r['connections']} | "
        f"{r['open_s']:.1f} s | {r['cut_at_once']} | "
        f"{r['server_files_idle']} / {r['server_files_flood']} (limit {r['nofile']}) | "
        f"{r['log_lines']} | {base['started_ms']:.0f} / {during['started_ms']:.0f} ms | "
        f"{base['commit_ms']:.0f} / {during['commit_ms']:.0f} ms | "
        f"{base['wer']:.2f} / {during['wer']:.2f} | {slow} ({r['slowloris_bytes']} bytes) |",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.server_abuse", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.connections))
    if args.json:
        print(json.dumps({"benchmark": "server_abuse", "results": result}))
    else:
        print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
