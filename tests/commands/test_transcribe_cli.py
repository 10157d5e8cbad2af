"""`python -m scribe_desktop transcribe` run as a user would: a subprocess, real files."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.conftest import RunningServer
from tests.speech import SENTENCES, synth, wer

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "dictation-16k.wav"
TEXT = f"{SENTENCES[2]}. {SENTENCES[3]}."  # robust to the lossy codecs
FORMATS = {"wav": ("WAV", "PCM_16"), "flac": ("FLAC", "PCM_16"), "ogg": ("OGG", "VORBIS"),
           "mp3": ("MP3", None)}
RUN_TIMEOUT_S = 90


def cli(*args: str, env: dict[str, str] | None = None,
        timeout_s: float = RUN_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scribe_desktop", "transcribe", *args],
                          capture_output=True, text=True, timeout=timeout_s, cwd=REPO,
                          env={**os.environ, **(env or {})})


def speech_file(tmp_path: Path, ext: str) -> Path:
    data, rate = soundfile.read(str(synth(TEXT, lead_silence_s=0.3, tail_silence_s=0.5)))
    fmt, subtype = FORMATS[ext]
    path = tmp_path / f"speech.{ext}"
    soundfile.write(str(path), data, rate, format=fmt, subtype=subtype)
    return path


def assert_one_clear_line(stderr: str, *needles: str) -> None:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.slow
@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_each_format_is_transcribed(tmp_path: Path, ext: str) -> None:
    """WAV, FLAC, OGG and MP3 speech come out as the spoken text (WER <= 0.35)."""
    proc = cli(str(speech_file(tmp_path, ext)), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert wer(TEXT, proc.stdout) <= 0.35, proc.stdout
    assert proc.stderr == ""  # no bar and no chatter when stderr is not a terminal


@pytest.mark.slow
def test_json_output_file(tmp_path: Path) -> None:
    """`--format json -o out.json` writes timed segments and words plus the file facts."""
    out = tmp_path / "out.json"
    proc = cli(str(SAMPLE), "--format", "json", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    data = json.loads(out.read_text())
    assert data["schema"] == "scribe-desktop/transcript" and data["schema_version"] == 1
    session = data["session"]
    assert session["file"] == str(SAMPLE) and session["backend"] == "local"
    assert session["source"] == "file"
    assert session["duration_s"] == pytest.approx(soundfile.info(str(SAMPLE)).duration,
                                                  abs=0.01)
    assert wer((REPO / "resources/samples/dictation-16k.txt").read_text(), data["text"]) <= 0.35
    assert data["timing"] == "words" and data["segments"]
    for seg in data["segments"]:
        assert 0 <= seg["start_s"] < seg["end_s"] <= session["duration_s"]
        assert "".join(w["text"] for w in seg["words"]) == seg["text"]
        spoken = [w for w in seg["words"] if w["type"] == "word"]
        assert all(w["start_s"] <= w["end_s"] for w in spoken)
        assert [w["start_s"] for w in spoken] == sorted(w["start_s"] for w in spoken)


@pytest.mark.slow
def test_a_running_server_can_be_named(local_server: RunningServer) -> None:
    """`--server-url` and `--server-secret` use a running server instead of starting one."""
    proc = cli(str(SAMPLE), "--server-url", local_server.base_url, "--server-secret",
               local_server.secret)
    assert proc.returncode == 0, proc.stderr
    assert wer((REPO / "resources/samples/dictation-16k.txt").read_text(), proc.stdout) <= 0.35


@pytest.mark.slow
def test_a_wrong_server_secret_is_one_clear_error(local_server: RunningServer) -> None:
    """A rejected secret ends with one line about authentication and a non-zero exit."""
    proc = cli(str(SAMPLE), "--server-url", local_server.base_url,
               env={"SCRIBE_DESKTOP_SERVER_SECRET": "wrong"})
    assert proc.returncode == 1
    assert_one_clear_line(proc.stderr, "error:")
    assert any(word in proc.stderr.lower() for word in ("auth", "403", "401", "rejected"))


def test_a_non_audio_file_is_one_clear_error(tmp_path: Path) -> None:
    """A text file named .wav exits non-zero with one line naming it and the formats."""
    path = tmp_path / "notes.wav"
    path.write_text("not audio at all\n" * 20)
    proc = cli(str(path))
    assert proc.returncode != 0
    assert_one_clear_line(proc.stderr, str(path), "WAV, FLAC, OGG", "MP3")
    assert proc.stdout == ""


def test_a_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    """A missing file exits non-zero with one line naming it."""
    proc = cli(str(tmp_path / "gone.flac"))
    assert proc.returncode != 0
    assert_one_clear_line(proc.stderr, "gone.flac", "no such file")


@pytest.mark.parametrize("backend", ["keyring.backends.null.Keyring",
                                     "keyring.backends.fail.Keyring"])
def test_cloud_without_a_key_is_one_clear_error(backend: str) -> None:
    """The cloud backend with no key in the keyring (or no keyring) says how to give one."""
    env = {k: v for k, v in os.environ.items() if k != "ELEVENLABS_API_KEY"}
    env["PYTHON_KEYRING_BACKEND"] = backend
    proc = subprocess.run([sys.executable, "-m", "scribe_desktop", "transcribe", str(SAMPLE),
                           "--backend", "cloud"], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=RUN_TIMEOUT_S)
    assert proc.returncode == 2
    assert_one_clear_line(proc.stderr, "API key", "ELEVENLABS_API_KEY")


def test_a_bad_language_code_is_a_usage_error() -> None:
    """An invalid --language is refused before anything is started."""
    proc = cli(str(SAMPLE), "--language", "klingon")
    assert proc.returncode == 2
    assert_one_clear_line(proc.stderr, "klingon")


def test_an_unreachable_server_is_one_clear_error() -> None:
    """A --server-url nobody listens on exits non-zero with one line naming it."""
    import socket

    with socket.socket() as sock:  # a port that is free now, so nobody listens on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = cli(str(SAMPLE), "--server-url", f"http://127.0.0.1:{port}",
               env={"SCRIBE_DESKTOP_SERVER_SECRET": "x"})
    assert proc.returncode == 1
    assert_one_clear_line(proc.stderr, f"127.0.0.1:{port}")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_with_the_progress_bar_shown(tmp_path: Path) -> None:
    """SIGINT mid-stream exits 130 without a traceback and stops the server it started."""
    levels = np.concatenate([soundfile.read(str(synth(s)), dtype="int16")[0]
                             for s in SENTENCES * 3])
    path = tmp_path / "long.wav"
    soundfile.write(str(path), levels, 16000)
    master, slave = pty.openpty()  # stderr is a terminal: the progress bar is drawn
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "scribe_desktop", "transcribe", str(path),
                             "--realtime"], stdout=subprocess.PIPE, stderr=slave, cwd=REPO)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    try:
        while not any(float(n) > 0 for n in re.findall(rb"(\d+\.\d)/[\d.]+ s audio", seen)):
            ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, f"no progress bar within 60 s: {seen!r}"
            seen += os.read(master, 4096)
        servers = _children(proc.pid)
        assert servers, "the CLI started no server process"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        with contextlib.suppress(OSError):  # EIO once the child has closed the terminal
            while chunk := os.read(master, 4096):
                seen += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    text = seen.decode("utf-8", "replace")
    assert "Traceback" not in text
    assert "interrupted" in text
    assert not any(_alive(pid) for pid in servers)
