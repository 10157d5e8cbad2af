"""The single-instance remote across real processes: a second launch forwards to the first,
and `--toggle/--start/--stop` drive the running app (or fail clearly when none runs)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = 60


def app_env(tmp_path: Path, name: str) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SCRIBE_DESKTOP_INSTANCE": name,
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    env.pop("PULSE_SERVER", None)
    return env


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scribe_desktop", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=TIMEOUT_S)


@pytest.fixture
def running_app(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    env = app_env(tmp_path, f"scribe-test-{uuid.uuid4().hex[:8]}")
    proc = subprocess.Popen([sys.executable, "-m", "scribe_desktop", "--print-ready"], env=env,
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    stdout = proc.stdout

    def pump() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        ready = json.loads(lines.get(timeout=TIMEOUT_S))
        assert ready["event"] == "ready" and ready["window_shown"] is True
        yield proc, env
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_remote_commands_drive_the_running_app(
        running_app: tuple[subprocess.Popen[str], dict[str, str]], tmp_path: Path) -> None:
    """A second launch exits at once; --toggle starts and --stop stops the first instance."""
    proc, env = running_app
    second = cli(env)
    assert second.returncode == 0 and "already running" in second.stderr
    toggled = cli(env, "--toggle")
    assert toggled.returncode == 0, toggled.stderr
    assert toggled.stdout.strip() == "connecting"
    stopped = cli(env, "--stop")
    assert stopped.returncode == 0 and stopped.stdout.strip() in ("committing", "idle")
    again = cli(env, "--start")
    assert again.returncode == 0 and again.stdout.strip() in ("connecting", "committing",
                                                                "idle")
    proc.terminate()
    assert proc.wait(30) == 0
    log = next((tmp_path / "state").rglob("scribe-desktop.log")).read_text()
    assert "idle --toggle--> connecting" in log
    assert "backend Local: stopped" in log  # the server child went with the app


def test_a_remote_command_without_a_running_app_fails(tmp_path: Path) -> None:
    """--toggle with no running instance prints why and exits non-zero."""
    result = cli(app_env(tmp_path, f"scribe-test-none-{uuid.uuid4().hex[:8]}"), "--toggle")
    assert result.returncode == 1
    assert "not running" in result.stderr


def test_remote_flags_are_exclusive(tmp_path: Path) -> None:
    """Two remote flags at once are a usage error."""
    result = cli(app_env(tmp_path, "x"), "--start", "--stop")
    assert result.returncode == 2 and "not allowed with" in result.stderr
