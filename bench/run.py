"""Run every benchmark, print one Markdown report, write docs/benchmarks.md.

    python -m bench                        (or: .venv/bin/python bench/run.py)
    python -m bench --only server,client   run a subset (names below)
    python -m bench --skip bundle,ptt      run all but these
    python -m bench --no-write             print only; leave docs/benchmarks.md as it is

Areas, in order (the whole run takes several minutes on 2 cores):
  server   the local server under 1, 2, 4 and 8 sessions, admission (bench/server_latency.py)
  engines  pocketsphinx and whisper side by side on human speech (bench/engine_compare.py)
  vad      the Silero and WebRTC VADs on speech and noise (bench/vad_quality.py)
  client   chunk handed to `send_audio` -> frame on the socket (bench/client_latency.py)
  file     `scribe-desktop transcribe` on a FLAC file end to end (bench/file_transcription.py)
  capture  PortAudio callback -> chunk at the client, CPU, the cost of a closed microphone
           at the start of a dictation (bench/capture_latency.py)
  gui      desktop app: message -> Qt signal, CPU, RSS, cold start (bench/gui_latency.py)
  appcpu   the real app idle (pre-roll on, off, microphone closed) and streaming: CPU and
           wake-ups per second of the app and its server child (bench/app_cpu.py)
  ptt      push-to-talk: key release -> text in the field, X11 and Wayland, idle and loaded
           (bench/ptt_latency.py)
  ptt_undo push-to-talk: undo over random sequences never deletes a user's character
           (bench/ptt_undo.py)
  export   3.4 h and 10 h session exports, history of 1,000 and 10,000 (bench/export_bench.py)
  bundle   PyInstaller bundle size and cold start; rebuilds it if stale (bench/bundle_bench.py)

Each area runs as `python -m bench.<module> --json` in a child process with a timeout; its
JSON becomes the area's table. A failing area is reported in its section with the tail of its
output, the others still run, and the exit code is 1. A subset run keeps the other areas'
sections (and their rows of the summary) from the previous report, marked with the date
they were measured; --no-write leaves the previous report as it is.

Speed is measured here and never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.areas import AREAS, Area  # noqa: E402

OUTPUT = ROOT / "docs" / "benchmarks.md"
TAIL_LINES = 25


@dataclass
class Outcome:
    area: Area
    status: str  # "ok", "failed" or "not run"
    seconds: float = 0.0
    load: float = 0.0  # 1-minute load average when the area started
    text: str = ""  # the rendered section body, or why it failed
    row: str = ""  # a kept summary row (areas not run, from the previous report)


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    distro = ""
    os_release = Path("/etc/os-release")
    if os_release.exists():
        for line in os_release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                distro = line.split("=", 1)[1].strip('"')
    return (f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GB RAM, "
            f"{distro or platform.system()} ({platform.release()}), "
            f"Python {platform.python_version()}")


def parse_json(stdout: str) -> dict[str, Any]:
    """The JSON object a benchmark printed last (one line, or indented over several)."""
    lines = stdout.splitlines()
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("{"):
            try:
                value = json.loads("\n".join(lines[i:]))
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    raise ValueError("no JSON object on stdout")


def tail(text: str, lines: int = TAIL_LINES) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def run_child(area: Area) -> tuple[int | None, str, str]:
    """(exit code or None on timeout, stdout, stderr) of `python -m bench.<module> --json`.
    The child gets its own process group: on timeout SIGINT lets its rigs and servers clean
    up, then whatever is left of the group is killed."""
    proc = subprocess.Popen([sys.executable, "-m", f"bench.{area.module}", *area.args, "--json"],
                            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=area.timeout_s)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        return None, out, err


def run_area(area: Area) -> Outcome:
    load = os.getloadavg()[0]
    started = time.perf_counter()
    code, out, err = run_child(area)
    outcome = Outcome(area, "failed", time.perf_counter() - started, load)
    if code is None:
        reason = f"timed out after {area.timeout_s:.0f} s"
    elif code != 0:
        reason = f"exited with code {code}"
    else:
        try:
            outcome.text = area.render(parse_json(out))
            outcome.status = "ok"
            return outcome
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            reason = f"its output could not be read ({type(exc).__name__}: {exc})"
    output = "\n".join(part for part in (tail(out, 5), tail(err)) if part)
    outcome.text = (f"**Failed**: `python -m bench.{area.module} --json` {reason}. "
                    f"The other benchmarks still ran. Last lines of its output:\n\n"
                    f"```text\n{output or '(no output)'}\n```\n")
    return outcome


def previous_report(text: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """(date, summary rows by area name, section bodies by title) of an earlier report."""
    date = re.search(r"on (\d{4}-\d{2}-\d{2});", text)
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\|.*\| `([a-z_]+)` \|.*$", text,
                                                        re.MULTILINE)}
    bodies: dict[str, str] = {}
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        bodies[title.strip()] = body.strip("\n") + "\n"
    return (date.group(1) if date else "an earlier run"), rows, bodies


def keep_previous(outcome: Outcome, previous: tuple[str, dict[str, str], dict[str, str]]
                  ) -> Outcome:
    """An area not run keeps its section and summary row from the previous report."""
    date, rows, bodies = previous
    body = bodies.get(outcome.area.title, "")
    if not body or body.startswith("Not run"):
        return outcome
    kept = body if body.startswith("*Kept from") else \
        f"*Kept from the report of {date} (not run this time).*\n\n{body}"
    row = rows.get(outcome.area.name, "")
    return Outcome(outcome.area, "kept", text=kept,
                   row=row.replace("| ok |", f"| ok ({date}) |", 1) if "| ok |" in row else row)


def section(outcome: Outcome) -> str:
    head = f"## {outcome.area.title}\n\n"
    if outcome.status == "kept":
        return head + outcome.text
    if outcome.status == "not run":
        return head + "Not run in this run (`--only` / `--skip`).\n"
    return (head + f"*{outcome.status}; took {outcome.seconds:.0f} s; 1-minute load average "
            f"{outcome.load:.2f} when it started.*\n\n" + outcome.text)


def report(outcomes: list[Outcome], took: float, load_start: float, load_end: float) -> str:
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    summary = "\n".join(
        o.row if o.status == "kept" and o.row else
        f"| [{o.area.title}](#{o.area.title.lower().replace(' ', '-')}) | `{o.area.name}` | "
        f"{o.status} | " + (f"{o.seconds:.0f} s | {o.load:.2f} |" if o.status != "not run"
                            else "- | - |")
        for o in outcomes)
    failed = [o.area.name for o in outcomes if o.status == "failed"]
    verdict = (f"**Failed: {', '.join(failed)}** (see their sections)." if failed
               else "Every benchmark that ran succeeded.")
    return f"""# Benchmarks

Produced by `python -m bench` (bench/run.py) on {today}; the run took {took:.0f} s.
Machine: {machine()}. 1-minute load average {load_start:.2f} when the run started and
{load_end:.2f} when it ended; other work on the machine skews the latency and CPU columns, so
compare runs on the same machine at a similar load. {verdict}

| area | name | status | took | load average at its start |
|---|---|---|---:|---:|
{summary}

""" + "\n".join(section(o) for o in outcomes)


def _names(value: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    known = {a.name for a in AREAS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown benchmark {', '.join(unknown)} (choose from {', '.join(sorted(known))})")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", type=_names, default=None, metavar="NAME[,NAME]",
                        help="run only these areas")
    parser.add_argument("--skip", type=_names, default=[], metavar="NAME[,NAME]",
                        help="do not run these areas")
    parser.add_argument("--no-write", action="store_true",
                        help=f"print only; do not write {OUTPUT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    selected = [a for a in AREAS
                if (args.only is None or a.name in args.only) and a.name not in args.skip]
    load_start = os.getloadavg()[0]
    started = time.perf_counter()
    outcomes: list[Outcome] = []
    previous = previous_report(OUTPUT.read_text() if OUTPUT.exists() else "")
    for area in AREAS:
        if area not in selected:
            outcomes.append(keep_previous(Outcome(area, "not run"), previous))
            continue
        print(f"[{len(outcomes) + 1}/{len(AREAS)}] {area.name}: bench.{area.module} ...",
              file=sys.stderr, flush=True)
        outcome = run_area(area)
        print(f"    {outcome.status} in {outcome.seconds:.0f} s", file=sys.stderr, flush=True)
        outcomes.append(outcome)
    text = report(outcomes, time.perf_counter() - started, load_start, os.getloadavg()[0])
    print(text)
    if not args.no_write:
        OUTPUT.write_text(text)
        print(f"wrote {OUTPUT.relative_to(ROOT)}", file=sys.stderr)
    return 1 if any(o.status == "failed" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
