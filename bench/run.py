"""Run every benchmark of the realtime path, print one Markdown report, write docs/benchmarks.md.

    python -m bench            (or: .venv/bin/python bench/run.py)   [--no-write]

Measures (about two minutes on 2 cores):
1. the local server: RTF and per-chunk partial latency for 1, 2 and 4 concurrent sessions of
   real speech at real-time pace (bench/server_latency.py);
2. the client: chunk handed to `send_audio` -> frame written on the socket
   (bench/client_latency.py);
3. file transcription: `scribe-desktop transcribe` on the same speech as a FLAC file, end to
   end (server start included).

Speed is measured here and never asserted in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import client_latency, server_latency  # noqa: E402

OUTPUT = ROOT / "docs" / "benchmarks.md"


def machine() -> str:
    cpu = "unknown CPU"
    with_path = Path("/proc/cpuinfo")
    if with_path.exists():
        for line in with_path.read_text().splitlines():
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


def file_transcription(speech: list[server_latency.Utterance]) -> tuple[float, float, float]:
    """(audio seconds, wall seconds, WER) of `scribe-desktop transcribe` on a FLAC file."""
    import numpy as np
    import soundfile

    from tests.speech import wer

    pcm = b"".join(u.pcm for u in speech)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "speech.flac"
        soundfile.write(str(path), np.frombuffer(pcm, dtype="<i2"), server_latency.RATE)
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "scribe_desktop", "transcribe", str(path),
                               "--no-progress"], capture_output=True, text=True, cwd=ROOT,
                              check=True, timeout=300)
        wall = time.perf_counter() - started
    audio_s = len(pcm) / 2 / server_latency.RATE
    return audio_s, wall, wer(" ".join(u.text for u in speech), proc.stdout)


def report() -> str:
    load = os.getloadavg()[0]  # other work on the machine skews the latency columns
    started = time.perf_counter()
    server_results, speech_description = asyncio.run(server_latency.run([1, 2, 4]))
    client_result = client_latency.run()
    speech, _ = server_latency.load_speech()
    audio_s, wall_s, file_wer = file_transcription(speech)
    took = time.perf_counter() - started
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    return f"""# Benchmarks

Produced by `python -m bench` (bench/run.py) on {today}; the run took {took:.0f} s.
Machine: {machine()}; 1-minute load average {load:.2f} when the run started. Numbers move
with machine load; compare runs on the same machine.

## Local server under concurrent sessions

{speech_description}, {server_results[0]['audio_s']} s per session, streamed at real-time
pace in 100 ms chunks over raw WebSockets, a commit after each utterance
(bench/server_latency.py).

{server_latency.markdown(server_results)}

* **server RTF (CPU)**: CPU seconds of the server process / seconds of audio, per session;
  **server CPU** = sessions x RTF, the cores the server needed to keep up. When that nears
  the cores the server can actually use in parallel, latency grows without bound (the
  queue of unprocessed chunks grows for the whole run).
* **partial latency**: chunk sent -> the `partial_transcript` it produced received (the count
  in brackets: chunks that changed the partial text; the others produce none).
* **chunk turnaround**: chunk sent -> the server has processed it (a WebSocket ping after each
  chunk; the server answers it only after the chunk).
* **commit -> final**: commit sent -> `committed_transcript` received.
* **WER**: word error rate of the committed text against the reference transcript.

## Client send path

Chunk handed to `ScribeSession.send_audio()` -> its frame written to the socket (transport
`write()`), against a sink server in another process (bench/client_latency.py).

{client_latency.markdown(client_result)}

## File transcription end to end

`scribe-desktop transcribe` on the same speech as one FLAC file ({audio_s:.1f} s), local
backend, including starting and stopping the server: {wall_s:.1f} s wall
({audio_s / wall_s:.1f}x real time), WER {file_wer:.2f}.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-write", action="store_true",
                        help=f"print only; do not write {OUTPUT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    text = report()
    print(text)
    if not args.no_write:
        OUTPUT.write_text(text)
        print(f"wrote {OUTPUT.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
