"""Benchmark every client path through network faults: words lost and duplicated.

The rig of tests/faults: the real server app with pocketsphinx held to a closed vocabulary
(every word recognised, so every word can be counted), committing on its own like the cloud
(C5), behind a proxy that resets both sides mid-sentence and delays the downlink, or
SIGKILLed mid-sentence and restarted on the same port. Each path is driven as a user does:

* transcribe: `scribe-desktop transcribe FILE --server-url` (a subprocess);
* listen: `scribe-desktop listen --json` on the virtual microphone, then Ctrl+C;
* window: the window's `DictationWorker` on the virtual microphone, start -> speech -> stop;
* ptt: push-to-talk on X11, the chord held over a Tk field in another process while the
  script is spoken, released at its end; what the user got is the field's text.

For each path x scenario x script (a new shuffle of 30 distinct words per script), the words
the user ended up with are compared with the words spoken. Then both ends of the wire are
fuzzed with seeded hostile frames (tests/faults/fuzzing.py): the real server process's
memory and a real session's WER afterwards, and the real client's heap.

    python -m bench.faults [--scripts 2] [--paths transcribe,listen,window,ptt]
                           [--fuzz-frames 10000] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.faults.clients import (  # noqa: E402
    run_listen,
    run_ptt,
    run_transcribe,
    run_window,
    transcribe_baseline,
)
from tests.faults.scenarios import BASELINE, SCENARIOS, Outcome, Scenario, fault_rig  # noqa: E402
from tests.faults.script import Script  # noqa: E402
from tests.inject.x11_rig import x11_desktop  # noqa: E402

PATHS = ("transcribe", "listen", "window", "ptt")


async def run_one(path: str, script: Script, scenario: Scenario, seed: int, wav: Path,
                  uplink_total: int, pulse: Any, sd: Any, desktop: Any) -> Outcome:
    if path == "transcribe":
        with fault_rig(script, scenario, seed, uplink_total=uplink_total) as rig:
            return await asyncio.to_thread(run_transcribe, rig, wav)
    with fault_rig(script, scenario, seed) as rig:
        if path == "listen":
            return await run_listen(rig, pulse, wav)
        if path == "ptt":
            return await run_ptt(rig, pulse, sd, wav, desktop)
        return await run_window(rig, pulse, sd, wav)


async def run(scripts: int, paths: list[str]) -> list[dict[str, Any]]:
    from tests.rig.pulse import PulseRig

    rows: dict[tuple[str, str], dict[str, Any]] = {}
    with PulseRig() as pulse, tempfile.TemporaryDirectory() as tmp, \
            contextlib.ExitStack() as stack:
        pulse.apply_to_process()
        import sounddevice as sd

        desktop = stack.enter_context(x11_desktop()) if "ptt" in paths else None

        for seed in range(scripts):
            script = Script.shuffled(1000 + seed)
            wav = script.write_wav(Path(tmp) / f"script{seed}.wav")
            _, uplink_total = await asyncio.to_thread(transcribe_baseline, script, wav)
            for path in paths:
                for scenario in (BASELINE, *SCENARIOS):
                    started = time.monotonic()
                    outcome = await run_one(path, script, scenario, 1000 + seed, wav,
                                            uplink_total, pulse, sd, desktop)
                    tally = outcome.tally(script)
                    row = rows.setdefault((path, scenario.name), {
                        "path": path, "scenario": scenario.name, "runs": 0, "words": 0,
                        "lost": 0, "duplicated": 0, "unexpected": 0, "failed_runs": 0,
                        "faults": 0, "faults_planned": 0, "wall_s": 0.0})
                    row["runs"] += 1
                    row["words"] += len(script.words)
                    row["lost"] += len(tally.lost)
                    row["duplicated"] += len(tally.duplicated)
                    row["unexpected"] += len(tally.unexpected)
                    row["failed_runs"] += int(outcome.exit_code != 0)
                    row["faults"] += outcome.faults_done
                    row["faults_planned"] += scenario.faults
                    row["wall_s"] += time.monotonic() - started
                    print(f"{path:10} {scenario.name:26} seed {1000 + seed}: lost "
                          f"{tally.lost} duplicated {tally.duplicated} unexpected "
                          f"{tally.unexpected} exit {outcome.exit_code}", file=sys.stderr,
                          flush=True)
    return list(rows.values())


async def fuzz(frames: int, seed: int = 20261207) -> dict[str, Any]:
    """Both ends of the wire under `frames` hostile frames each (0: skipped)."""
    if frames <= 0:
        return {}
    from tests.conftest import launch_server
    from tests.faults.fuzzing import fuzz_client, fuzz_server

    server = launch_server("--max-sessions", "4")
    try:
        to_server = await fuzz_server(server, server.process.pid, seed, frames)
        to_server["server_alive"] = server.process.poll() is None
    finally:
        server.stop()
    return {"server": to_server, "client": await fuzz_client(seed, frames)}


def fuzz_markdown(r: dict[str, Any]) -> str:
    if not r:
        return "Fuzzing not run (`--fuzz-frames 0`)."
    s, c = r["server"], r["client"]
    return "\n".join([
        "| end | hostile frames | outcome | memory | afterwards |",
        "|---|---:|---|---|---|",
        f"| server (process) | {s['frames']:,} in {s['sessions']:,} sessions | "
        f"{s['sessions_ended_by_error']:,} ended with their error, {s['sessions_kept']:,} kept "
        f"open; {'alive' if s['server_alive'] else 'DEAD'} | RSS {s['rss_before_mib']} -> "
        f"{s['rss_after_mib']} MiB | a real session: WER {s['wer_after']:.0%} |",
        f"| client (session) | {c['frames']:,} | {c['decode_errors']:,} undecodable, "
        f"session {'ended' if c['session_failed'] else 'kept'} | heap {c['heap_growth_kb']:+} KB "
        f"| last real commit {'arrived' if c['last_commit'] else 'MISSING'} |"])


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| path | scenario | runs | words spoken | lost | duplicated | misheard "
             "| runs failed | faults injected | wall per run |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['path']} | {r['scenario']} | {r['runs']} | {r['words']} | "
                     f"{r['lost']} | {r['duplicated']} | {r['unexpected']} | "
                     f"{r['failed_runs']} | {r['faults']} of {r['faults_planned']} | "
                     f"{r['wall_s'] / r['runs']:.1f} s |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.faults", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scripts", type=int, default=2)
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--fuzz-frames", type=int, default=10_000,
                        help="hostile frames sent to each end (0: skip)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    paths = [p for p in args.paths.split(",") if p]
    unknown = set(paths) - set(PATHS)
    if unknown:
        parser.error(f"unknown paths: {', '.join(sorted(unknown))}")
    rows = asyncio.run(run(args.scripts, paths)) if paths else []
    fuzzed = asyncio.run(fuzz(args.fuzz_frames))
    if args.json:
        print(json.dumps({"benchmark": "faults", "scripts": args.scripts, "results": rows,
                          "fuzz": fuzzed}))
    else:
        print(markdown(rows))
        print()
        print(fuzz_markdown(fuzzed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
