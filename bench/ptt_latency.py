"""Benchmark push-to-talk: key release -> the text in the target field, p50/p95, on X11 and
on Wayland (headless sway), idle and with every CPU loaded by stress-ng; and the server's
share (commit sent -> committed transcript received), so what remains is ours.

X11: Xvfb + openbox, a Tk field in another process, `xdotool keydown/keyup` of the chord
(pynput + the X11 keyboard service), paste through xclip + XTEST. Wayland: sway, a Qt
Wayland-native field, the chord held by `wtype` and reported by sway's IPC, paste through
wl-copy + wtype. Both: the real `DictationWorker` on the virtual microphone and the real
local server, put together by the app's own `build_push_to_talk`; each scenario with each
engine: pocketsphinx and Whisper tiny.en (the default whisper server: two decode lanes, greedy
finals).

    python -m bench.ptt_latency [--runs 8] [--scenarios x11,x11-load,wayland,wayland-load]
                                [--engines pocketsphinx,whisper] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.server_latency import engine_flags  # noqa: E402
from bench.stats import percentile  # noqa: E402

SCENARIOS = ("x11", "x11-load", "wayland", "wayland-load")
ENGINES = ("pocketsphinx", "whisper")


@contextlib.contextmanager
def cpu_load(on: bool) -> Iterator[None]:
    """stress-ng on every CPU while the block runs (when `on`)."""
    if not on:
        yield
        return
    proc = subprocess.Popen(["stress-ng", "--cpu", "0", "--timeout", "3600s"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(10)


@contextlib.contextmanager
def environment(values: dict[str, str], drop: tuple[str, ...] = ()) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    for name in drop:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _wait_text(read: Callable[[], str], before: str, timeout_s: float = 30.0) -> float:
    deadline = time.monotonic() + timeout_s
    while read() == before:
        if time.monotonic() > deadline:
            raise TimeoutError("no text arrived in the target")
        time.sleep(0.002)  # polling a file the target rewrites: 2 ms resolution
    return time.monotonic()


def _duration_s(wav: Path) -> float:
    with wave.open(str(wav)) as w:
        return float(w.getnframes()) / float(w.getframerate())


async def _x11_run(stack: Any, desktop: Any, rig: Any, wav: Path, target: Any) -> float:
    chord = ("Control_L", "Shift_L", "space")
    before = target.text
    await asyncio.to_thread(desktop.xdotool, "keydown", *chord)
    await asyncio.to_thread(rig.play, wav)
    released = time.monotonic()
    await asyncio.to_thread(desktop.xdotool, "keyup", *reversed(chord))
    arrived = await asyncio.to_thread(_wait_text, lambda: target.text, before)
    return arrived - released


async def _wayland_run(stack: Any, sway: Any, rig: Any, wav: Path, target: Any) -> float:
    hold_ms = int((_duration_s(wav) + 0.2) * 1000)
    before = target.text
    releases: list[float] = []
    listener = stack.parts.listener
    deliver = listener._on_event

    def heard(event: Any) -> None:  # sway's release binding: the moment of the release
        if not event.down:
            releases.append(event.t)
        deliver(event)

    listener._on_event = heard
    keys = await asyncio.create_subprocess_exec(
        "wtype", "-M", "ctrl", "-M", "shift", "-P", "space", "-s", str(hold_ms), "-p", "space",
        "-m", "shift", "-m", "ctrl", env=sway.client_env())
    try:
        await asyncio.to_thread(rig.play, wav)
        await asyncio.wait_for(keys.wait(), 30)
        arrived = await asyncio.to_thread(_wait_text, lambda: target.text, before)
    finally:
        listener._on_event = deliver
    return arrived - releases[0]


async def _scenario(name: str, engine: str, runs: int, server: Any, rig: Any
                    ) -> dict[str, Any]:
    import sounddevice

    from tests.inject.ptt_harness import make_stack
    from tests.inject.x11_rig import TargetApp, x11_desktop
    from tests.rig.wayland import sway_desktop
    from tests.rig.wayland_fixtures import WlTarget
    from tests.speech import SENTENCES, synth

    wayland = name.startswith("wayland")
    target: Any = None
    totals: list[float] = []
    servers: list[float] = []
    misses = 0
    desktop_cm: Any = sway_desktop() if wayland else x11_desktop()
    with desktop_cm as desktop:
        env = desktop.client_env()
        drop = ("DISPLAY",) if wayland else ("WAYLAND_DISPLAY", "SWAYSOCK")
        make_target: Any = WlTarget if wayland else TargetApp
        with environment(env, drop):
            target = await asyncio.to_thread(make_target, desktop, "bench")
            stack = await make_stack(sounddevice, server, sounds=False)
            try:
                with cpu_load(name.endswith("-load")):
                    for i in range(runs):
                        wav = synth(SENTENCES[i % len(SENTENCES)], lead_silence_s=0.2,
                                    tail_silence_s=0.3)
                        run = _wayland_run if wayland else _x11_run
                        try:
                            totals.append(await run(stack, desktop, rig, wav, target))
                            servers.append(stack.timings.committed[-1]
                                           - stack.timings.commit_sent[-1])
                        except TimeoutError:
                            misses += 1
                        await stack.wait(stack.idle, 30, "idle")
            finally:
                await stack.close()
                await asyncio.to_thread(target.close)
    ours = [t - s for t, s in zip(totals, servers, strict=True)]
    out: dict[str, Any] = {"scenario": name, "engine": engine, "runs": runs, "misses": misses}
    for key, values in (("total_ms", totals), ("server_commit_ms", servers),
                        ("ours_ms", ours)):
        ms = [v * 1000 for v in values]
        out[key] = {"p50": round(percentile(ms, 50), 1) if ms else None,
                    "p95": round(percentile(ms, 95), 1) if ms else None}
    return out


async def _bench(runs: int, scenarios: list[str], engines: list[str]) -> dict[str, Any]:
    from tests.conftest import launch_server
    from tests.rig.pulse import PulseRig

    rig = PulseRig()
    rig.start()
    rig.apply_to_process()
    results = []
    try:
        for engine in engines:
            server = launch_server(*engine_flags(engine))
            try:
                results += [await _scenario(name, engine, runs, server, rig)
                            for name in scenarios]
            finally:
                server.stop()
    finally:
        rig.stop()
    return {"runs": runs, "results": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help="comma-separated: " + ", ".join(SCENARIOS))
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help="comma-separated: " + ", ".join(ENGINES))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    scenarios = [s for s in args.scenarios.split(",") if s]
    engines = [e for e in args.engines.split(",") if e]
    unknown = (set(scenarios) - set(SCENARIOS)) | (set(engines) - set(ENGINES))
    if unknown:
        parser.error(f"unknown scenarios or engines: {', '.join(sorted(unknown))}")
    summary = asyncio.run(_bench(args.runs, scenarios, engines))
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"push-to-talk, {summary['runs']} runs each (key release -> text in the target)")
    for r in summary["results"]:
        print(f"  {r['engine']:13} {r['scenario']:13} misses {r['misses']}"
              + "".join(f"  {k} p50 {r[k]['p50']} p95 {r[k]['p95']}"
                        for k in ("total_ms", "server_commit_ms", "ours_ms")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
