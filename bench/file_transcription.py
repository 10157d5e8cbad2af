"""Benchmark file transcription end to end: `scribe-desktop transcribe` on one FLAC file.

The same read speech as bench/server_latency.py, written as one FLAC file and transcribed by
`python -m scribe_desktop transcribe FILE --no-progress` (local backend), timed from spawn to
exit, so starting and stopping the local server is included. WER is the command's output
against the reference transcript.

    python -m bench.file_transcription [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import server_latency  # noqa: E402


def run(timeout_s: float = 300.0) -> dict[str, Any]:
    """audio_s, wall_s, realtime_x and WER of `scribe-desktop transcribe` on a FLAC file."""
    import numpy as np
    import soundfile

    from tests.speech import wer

    speech, description = server_latency.load_speech()
    pcm = b"".join(u.pcm for u in speech)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "speech.flac"
        soundfile.write(str(path), np.frombuffer(pcm, dtype="<i2"), server_latency.RATE)
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "scribe_desktop", "transcribe", str(path),
                               "--no-progress"], capture_output=True, text=True, cwd=ROOT,
                              check=True, timeout=timeout_s)
        wall = time.perf_counter() - started
    audio_s = len(pcm) / 2 / server_latency.RATE
    return {"speech": description, "audio_s": round(audio_s, 1), "wall_s": round(wall, 2),
            "realtime_x": round(audio_s / wall, 1),
            "wer": round(wer(" ".join(u.text for u in speech), proc.stdout), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.file_transcription", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    result = run()
    if args.json:
        print(json.dumps({"benchmark": "file_transcription", "result": result}))
    else:
        print(f"{result['speech']}: {result['audio_s']} s of audio transcribed in "
              f"{result['wall_s']} s wall ({result['realtime_x']}x real time), "
              f"WER {result['wer']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
