"""Benchmark the capture path: PortAudio callback -> chunk handed to the client.

Runs the real PortAudio against the virtual microphone (tests/rig: an isolated PulseAudio
daemon), plays speech into it in real time, and measures for every live 50 ms chunk the time
from the PortAudio callback that completed it to the moment the consumer (where the client's
`send_audio` would be called) receives it: p50/p99/max. CPU is this process's CPU time
(PortAudio thread + loop) over wall time while capturing, with and without WebRTC filters.

Then the cost of closing the microphone while idle: dictations started (without pre-roll)
from an idle microphone, open at idle blocks or closed, while faint room noise plays (a real
microphone always delivers; an idle null sink of the rig renders in long blocks and would
wake late). For each: the wait for the first chunk, and for the closed microphone the audio
missed at the start (the first delivered sample's time - the start call; that time is its
chunk's callback time - the chunk's length, late by at most one 20 ms live block). An open
microphone misses nothing: the dictation starts at the ring's sample of the start call.

    python -m bench.capture_latency [--seconds 10] [--json]
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


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def _measure(rig: Any, wav: Path, seconds: float, options: Any) -> dict[str, Any]:
    import sounddevice

    from scribe_desktop.audio.capture import Microphone
    from scribe_desktop.audio.mic_source import MicChunk
    from tests.rig.pulse import DEVICE_NAME

    latencies: list[float] = []
    async with Microphone(sounddevice, device=DEVICE_NAME, options=options) as mic:
        source = mic.start(preroll=False)
        player = rig.play_async(wav)

        async def consume() -> None:
            async for chunk in source:
                now = time.perf_counter()
                if isinstance(chunk, MicChunk) and chunk.captured_at is not None:
                    latencies.append(now - chunk.captured_at)

        consumer = asyncio.ensure_future(consume())
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.to_thread(player.wait, seconds + 60)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        source.stop()
        await asyncio.wait_for(consumer, 10)
        dropped = mic.dropped_frames
    ms = [x * 1000 for x in latencies]
    return {"chunks": len(ms), "p50_ms": round(_percentile(ms, 50), 3),
            "p99_ms": round(_percentile(ms, 99), 3), "max_ms": round(max(ms), 3),
            "cpu_percent": round(100 * cpu / wall, 2), "audio_s": round(wall, 2),
            "dropped_frames": dropped}


async def _start_cost(close_when_idle: bool, repeats: int) -> dict[str, Any]:
    """Dictations started from idle: audio missed before the first sample, first-chunk wait."""
    import sounddevice

    from scribe_desktop.audio.capture import Microphone
    from scribe_desktop.audio.mic_source import MicChunk
    from tests.rig.pulse import DEVICE_NAME

    missed: list[float] = []
    first: list[float] = []
    async with Microphone(sounddevice, device=DEVICE_NAME, close_when_idle=close_when_idle,
                          linger_s=0.0) as mic:
        for _ in range(repeats):
            await asyncio.sleep(1.0)  # back to idle: idle blocks, or the stream closed
            started = time.perf_counter()
            source = mic.start(preroll=False)
            async for chunk in source:
                if isinstance(chunk, MicChunk) and chunk.captured_at is not None:
                    first.append(time.perf_counter() - started)
                    missed.append(chunk.captured_at - chunk.duration_s - started)
                    break
            source.stop()
            async for _chunk in source:  # drain what it still delivers, then it ends
                pass
    ms = [x * 1000 for x in missed]
    wait = [x * 1000 for x in first]
    if not close_when_idle:
        ms = [0.0]  # by construction (see the module's docstring); the callback time of an
        # idle block is up to a block later than its first sample, so it cannot show this
    return {"starts": len(wait), "missed_p50_ms": round(_percentile(ms, 50), 1),
            "missed_max_ms": round(max(ms), 1), "first_chunk_p50_ms": round(
                _percentile(wait, 50), 1), "first_chunk_max_ms": round(max(wait), 1)}


def _speech(seconds: float) -> Path:
    import subprocess
    import tempfile

    from tests.speech import SENTENCES, synth

    parts = [str(synth(s, tail_silence_s=0.3)) for s in SENTENCES]
    out = Path(tempfile.gettempdir()) / f"scribe-bench-speech-{seconds:g}.wav"
    repeats = [p for _ in range(max(1, int(seconds // 12) + 1)) for p in parts]
    subprocess.run(["sox", *repeats, str(out), "trim", "0", str(seconds)], check=True,
                   capture_output=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.capture_latency", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="audio per run")
    parser.add_argument("--starts", type=int, default=10, help="dictations started per mode")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)

    from scribe_desktop.audio.processing import AudioOptions
    from tests.rig.pulse import PulseRig
    from tests.rig.room import Room

    wav = _speech(args.seconds)
    results: dict[str, Any] = {}
    with PulseRig() as rig:
        rig.apply_to_process()
        for name, options in (("plain", AudioOptions()),
                              ("ns+agc", AudioOptions.from_switches(noise_suppression=True,
                                                                    auto_gain=True))):
            results[name] = asyncio.run(_measure(rig, wav, args.seconds, options))
        with Room(rig, volume=0.01):
            starts = {name: asyncio.run(_start_cost(closed, args.starts))
                      for name, closed in (("open while idle", False),
                                           ("closed while idle", True))}
    if args.json:
        print(json.dumps({"benchmark": "capture_latency", "results": results,
                          "starts": starts}))
    else:
        print("capture path: PortAudio callback -> chunk at the client (50 ms chunks, 16 kHz)")
        for name, r in results.items():
            print(f"  {name:7s} chunks={r['chunks']:4d} p50={r['p50_ms']:.2f} ms "
                  f"p99={r['p99_ms']:.2f} ms max={r['max_ms']:.2f} ms "
                  f"cpu={r['cpu_percent']:.1f}% dropped={r['dropped_frames']} frames")
        print("dictation started from idle (no pre-roll): audio missed, first chunk")
        for name, r in starts.items():
            print(f"  {name:17s} missed p50={r['missed_p50_ms']:.0f} ms "
                  f"max={r['missed_max_ms']:.0f} ms  first chunk "
                  f"p50={r['first_chunk_p50_ms']:.0f} ms max={r['first_chunk_max_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
