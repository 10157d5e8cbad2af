"""Benchmark the two VAD classifiers of server/vad.py on human speech: segmentation and CPU.

The five LibriVox utterances, 1 s apart from the stream start and separated by 2.5 s pauses,
go through `VadSegmenter` with the protocol's default parameters (§4: 1.5 s of silence ends a
segment, threshold 0.4, 100 ms minimum speech and silence) in 100 ms chunks, as the server
feeds it. Conditions: a faint noise floor (-60 dBFS, a quiet room), white noise at 20 dB and
10 dB below the speech level, and 20 s of the 10 dB noise alone (no speech at all).

* a commit is **right** when it falls between the end of an utterance and 2.5 s after it
  (the 1.5 s silence plus 1 s of slack) and is the first one there;
* **missed**: utterances with no right commit; **extra**: every other commit (a segment
  split inside speech, or noise taken for speech);
* **delay**: utterance end -> its commit (1.5 s of it is the required silence);
* **CPU**: classifier + segmenter time per second of audio.

    python -m bench.vad_quality [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.human_speech import DESCRIPTION, RATE, librivox  # noqa: E402

LEAD_S = 1.0
GAP_S = 2.5
SLACK_S = 1.0
CHUNK = RATE // 10


def build(noise_db: float | None, speech: bool = True, seed: int = 7
          ) -> tuple[npt.NDArray[np.int16], list[float]]:
    """The stream and the end times of its utterances. `noise_db`: white noise this many dB
    below the speech RMS (None: a -60 dBFS floor)."""
    utterances = librivox()
    parts: list[npt.NDArray[np.float64]] = [np.zeros(int(LEAD_S * RATE))]
    ends: list[float] = []
    t = LEAD_S
    speech_rms = float(np.sqrt(np.mean(np.concatenate(
        [u.samples.astype(np.float64) for u in utterances]) ** 2)))
    if speech:
        for u in utterances:
            parts.append(u.samples.astype(np.float64))
            t += u.seconds
            ends.append(t)
            parts.append(np.zeros(int(GAP_S * RATE)))
            t += GAP_S
    else:
        parts.append(np.zeros(20 * RATE))
    signal = np.concatenate(parts)
    level = 32768 * 10 ** (-60 / 20) if noise_db is None else speech_rms * 10 ** (-noise_db / 20)
    noisy = signal + np.random.default_rng(seed).normal(0.0, level, signal.size)
    return np.clip(noisy, -32768, 32767).astype(np.int16), ends


def segment(kind: str, audio: npt.NDArray[np.int16]) -> tuple[list[float], float]:
    """Commit times (s) and CPU seconds of one classifier over `audio`."""
    from scribe_desktop.server.vad import (
        DEFAULTS,
        SileroFrames,
        VadSegmenter,
        VadSettings,
        WebRtcFrames,
    )

    settings = VadSettings(float(DEFAULTS["vad_silence_threshold_secs"]),
                           float(DEFAULTS["vad_threshold"]),
                           int(DEFAULTS["min_speech_duration_ms"]),
                           int(DEFAULTS["min_silence_duration_ms"]))
    classifier = (SileroFrames(settings.threshold) if kind == "silero"
                  else WebRtcFrames(settings.threshold))
    segmenter = VadSegmenter(settings, classifier=classifier)
    commits: list[float] = []
    cpu0 = time.process_time()
    for off in range(0, audio.size, CHUNK):
        for end in segmenter.feed(audio[off:off + CHUNK]):
            commits.append((off + end) / RATE)
    return commits, time.process_time() - cpu0


def score(commits: list[float], ends: list[float]) -> dict[str, Any]:
    right: list[float] = []
    used: set[int] = set()
    for end in ends:
        hits = [i for i, c in enumerate(commits)
                if i not in used and end <= c <= end + 1.5 + SLACK_S]
        if hits:
            used.add(hits[0])
            right.append(commits[hits[0]] - end)
    return {"expected": len(ends), "commits": len(commits), "right": len(right),
            "missed": len(ends) - len(right), "extra": len(commits) - len(right),
            "delay_median_s": round(statistics.median(right), 2) if right else None}


def run() -> list[dict[str, Any]]:
    conditions: list[tuple[str, float | None, bool]] = [
        ("quiet room (-60 dBFS floor)", None, True), ("white noise, 20 dB SNR", 20.0, True),
        ("white noise, 10 dB SNR", 10.0, True), ("white noise, 5 dB SNR", 5.0, True),
        ("10 dB noise alone, 20 s", 10.0, False), ("5 dB noise alone, 20 s", 5.0, False)]
    rows = []
    for label, noise_db, speech in conditions:
        audio, ends = build(noise_db, speech)
        for kind in ("silero", "webrtc"):
            commits, cpu = segment(kind, audio)
            rows.append({"condition": label, "vad": kind, **score(commits, ends),
                         "cpu_ms_per_s": round(1000 * cpu / (audio.size / RATE), 2)})
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| condition | VAD | utterances | commits | right | missed | extra | "
             "delay (median) | CPU per s of audio |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        delay = "n/a" if r["delay_median_s"] is None else f"{r['delay_median_s']:.2f} s"
        lines.append(f"| {r['condition']} | {r['vad']} | {r['expected']} | {r['commits']} | "
                     f"{r['right']} | {r['missed']} | {r['extra']} | {delay} | "
                     f"{r['cpu_ms_per_s']:.2f} ms |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.vad_quality", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    rows = run()
    if args.json:
        print(json.dumps({"benchmark": "vad_quality", "speech": DESCRIPTION, "results": rows}))
    else:
        print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
