"""Benchmark our local server: real-time factor and per-chunk latency under concurrency.

Starts `python -m scribe_desktop server` as a subprocess and streams real read speech (the
LibriVox clips of Debian's pocketsphinx-testdata; missing, the benchmark fails) at real-time pace
in 100 ms chunks over 1, 2 and 4 concurrent raw-websockets sessions, committing after each
utterance as a dictation client would.

Per chunk, a WebSocket ping follows the audio. The server's session loop reads one frame at a
time and answers the ping (aiohttp autoping) only after the chunk before it was processed and
its partial sent, so everything the server sends between two pongs belongs to one chunk:

* partial latency: chunk sent -> the partial it produced received (chunks whose partial text
  did not change produce none and are not counted);
* turnaround: chunk sent -> its pong (the chunk fully processed), for every chunk;
* commit latency: commit sent -> `committed_transcript` received;
* RTF: server CPU seconds (utime+stime of the process, /proc) / seconds of audio streamed.

    python -m bench.server_latency [--sessions 1 2 4] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.stats import percentile  # noqa: E402

CHUNK_S = 0.1
GAP_S = 0.6  # silence between utterances (a speaker's pause)
RATE = 16000


@dataclass
class Utterance:
    pcm: bytes
    text: str


def load_speech() -> tuple[list[Utterance], str]:
    """Human read speech (Debian's pocketsphinx-testdata); fails loudly when it is missing,
    never falls back to synthetic speech (tests/human_speech.py)."""
    from tests.human_speech import DESCRIPTION, librivox

    gap = b"\0\0" * int(GAP_S * RATE)
    return [Utterance(u.samples.tobytes() + gap, u.text) for u in librivox()], DESCRIPTION


class ServerProcess:
    """`python -m scribe_desktop server --port 0`, its ready line, and its CPU time."""

    def __init__(self, extra_args: list[str] | None = None) -> None:
        env = {**os.environ, "SCRIBE_DESKTOP_SERVER_SECRET": "bench-secret"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scribe_desktop", "server", "--port", "0",
             *(extra_args or [])],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, cwd=ROOT)
        assert self.proc.stdout is not None
        self.ready: dict[str, Any] = {}
        for raw in self.proc.stdout:
            event = json.loads(raw) if raw.startswith(b"{") else {}
            if event.get("event") == "ready":
                self.ready = event
                self.base_url = str(event["base_url"])
                self.secret = str(event["secret"])
                break
        else:
            raise RuntimeError("the server exited before it was ready")

    @property
    def ws_url(self) -> str:
        return ("ws" + self.base_url[len("http"):] + "/v1/speech-to-text/realtime"
                "?model_id=scribe_v2_realtime&audio_format=pcm_16000&commit_strategy=manual")

    def cpu_s(self) -> float:
        """utime + stime of the server and its live child processes (engine workers)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat.parent.name) == self.proc.pid or int(fields[1]) == self.proc.pid:
                total += int(fields[11]) + int(fields[12])
        return total / ticks

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@dataclass
class SessionStats:
    partial_ms: list[float] = field(default_factory=list)
    turnaround_ms: list[float] = field(default_factory=list)
    commit_ms: list[float] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


async def stream_session(server: ServerProcess, speech: list[Utterance],
                         start_at: float) -> SessionStats:
    from websockets.asyncio.client import connect

    from scribe_desktop.protocol.codec import decode_server_message, encode_client_message
    from scribe_desktop.protocol.messages import (
        CommittedTranscript,
        InputAudioChunk,
        PartialTranscript,
        SessionStarted,
    )

    stats = SessionStats()
    step = int(CHUNK_S * RATE) * 2
    sent_at: list[float] = []  # send time of each audio chunk
    pongs = 0  # chunks known to be processed
    partial_seen: set[int] = set()
    commit_sent_at: list[float] = []
    done = asyncio.Event()
    n_commits = len(speech)

    async with connect(server.ws_url, additional_headers={"xi-api-key": server.secret},
                       max_size=None) as ws:
        first = decode_server_message(await ws.recv())
        assert isinstance(first, SessionStarted), first

        async def reader() -> None:
            async for frame in ws:
                now = time.perf_counter()
                msg = decode_server_message(frame)
                if isinstance(msg, PartialTranscript):
                    k = pongs  # the oldest chunk whose pong is outstanding produced it
                    if k < len(sent_at) and k not in partial_seen:
                        partial_seen.add(k)
                        stats.partial_ms.append(1000 * (now - sent_at[k]))
                elif isinstance(msg, CommittedTranscript):
                    i = len(stats.text)
                    stats.commit_ms.append(1000 * (now - commit_sent_at[i]))
                    stats.text.append(msg.text)
                    if len(stats.text) == n_commits:
                        done.set()

        def on_pong(k: int, t_sent: float) -> Any:
            def record(_: asyncio.Future[float]) -> None:
                nonlocal pongs
                pongs = k + 1
                stats.turnaround_ms.append(1000 * (time.perf_counter() - t_sent))
            return record

        read_task = asyncio.create_task(reader())
        stream_t = start_at
        for utt in speech:
            for off in range(0, len(utt.pcm), step):
                delay = stream_t - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)  # real-time pace
                chunk = utt.pcm[off:off + step]
                sent_at.append(time.perf_counter())
                await ws.send(encode_client_message(InputAudioChunk(chunk, sample_rate_hz=RATE)))
                waiter = asyncio.ensure_future(await ws.ping())
                waiter.add_done_callback(on_pong(len(sent_at) - 1, sent_at[-1]))
                stream_t += len(chunk) / 2 / RATE
            commit_sent_at.append(time.perf_counter())
            await ws.send(encode_client_message(InputAudioChunk(b"", commit=True,
                                                                sample_rate_hz=RATE)))
        await asyncio.wait_for(done.wait(), 60)
        read_task.cancel()
    return stats


async def run_config(server: ServerProcess, speech: list[Utterance],
                     sessions: int) -> dict[str, Any]:
    from tests.speech import wer

    audio_s = sum(len(u.pcm) for u in speech) / 2 / RATE
    cpu0 = server.cpu_s()
    start = time.perf_counter() + 0.2
    # stagger the sessions across one chunk so they do not all send in the same instant
    results = await asyncio.gather(*(
        stream_session(server, speech, start + i * CHUNK_S / sessions) for i in range(sessions)))
    cpu = server.cpu_s() - cpu0
    partial = [x for r in results for x in r.partial_ms]
    turnaround = [x for r in results for x in r.turnaround_ms]
    commit = [x for r in results for x in r.commit_ms]
    reference = " ".join(u.text for u in speech)
    wers = [wer(reference, " ".join(r.text)) for r in results]
    return {
        "sessions": sessions,
        "audio_s": round(audio_s, 1),
        "rtf": round(cpu / (audio_s * sessions), 3),
        "partials": len(partial),
        "partial_p50_ms": round(percentile(partial, 50), 1),
        "partial_p99_ms": round(percentile(partial, 99), 1),
        "turnaround_p50_ms": round(percentile(turnaround, 50), 1),
        "turnaround_p99_ms": round(percentile(turnaround, 99), 1),
        "commit_p50_ms": round(percentile(commit, 50), 1),
        "commit_p99_ms": round(percentile(commit, 99), 1),
        "wer": round(float(np.mean(wers)), 3),
    }


async def run(session_counts: list[int]) -> tuple[list[dict[str, Any]], str]:
    speech, description = load_speech()
    server = ServerProcess()
    try:
        results = [await run_config(server, speech, n) for n in session_counts]
    finally:
        server.stop()
    return results, description


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| sessions | audio/session | server RTF (CPU) | server CPU | "
        "partial latency p50 / p99 | chunk turnaround p50 / p99 | commit -> final p50 / p99 "
        "| WER |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['sessions']} | {r['audio_s']} s | {r['rtf']:.3f} | "
            f"{r['rtf'] * r['sessions']:.2f} cores | "
            f"{r['partial_p50_ms']:.0f} / {r['partial_p99_ms']:.0f} ms ({r['partials']}) | "
            f"{r['turnaround_p50_ms']:.0f} / {r['turnaround_p99_ms']:.0f} ms | "
            f"{r['commit_p50_ms']:.0f} / {r['commit_p99_ms']:.0f} ms | {r['wer']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.server_latency", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    results, description = asyncio.run(run(args.sessions))
    if args.json:
        print(json.dumps({"benchmark": "server_latency", "speech": description,
                          "results": results}))
    else:
        print(f"speech: {description}\n")
        print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
