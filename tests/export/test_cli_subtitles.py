"""`scribe-desktop transcribe --format srt|vtt` writes subtitles real consumers accept."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import srt
import webvtt

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "dictation-16k.wav"


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_transcribe_writes_subtitles(tmp_path: Path, fmt: str) -> None:
    """The sample transcribes to SRT/VTT cues within the limits that ffmpeg converts."""
    out = tmp_path / f"out.{fmt}"
    proc = subprocess.run([sys.executable, "-m", "scribe_desktop", "transcribe", str(SAMPLE),
                           "--format", fmt, "-o", str(out), "--no-progress"], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # word timings: no approximate-timing warning
    text = out.read_text(encoding="utf-8")
    if fmt == "srt":
        cues = [(s.start.total_seconds(), s.end.total_seconds(), s.content)
                for s in srt.parse(text)]
    else:
        cues = [(c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000,
                 c.text)
                for c in webvtt.from_string(text).captions]
    assert len(cues) >= 2
    prev_end = 0.0
    for start, end, content in cues:
        assert prev_end <= start <= end <= start + 7.0
        lines = content.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines)
        prev_end = end
    if shutil.which("ffmpeg"):
        ass = tmp_path / "out.ass"
        conv = subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(out),
                               str(ass)], capture_output=True, text=True, timeout=60,
                              check=False)
        assert conv.returncode == 0, conv.stderr
