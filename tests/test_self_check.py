"""`scribe-desktop --self-check`: one line per check, exit 1 on any FAIL (see self_check.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scribe_desktop.app import self_check
from scribe_desktop.app.self_check import CheckWarning
from scribe_desktop.core.accuracy import word_error_rate

ROOT = Path(__file__).resolve().parents[1]
RUN_TIMEOUT_S = 180

MEMORY_KEYRING = '''
from keyring.backend import KeyringBackend

class MemoryKeyring(KeyringBackend):
    priority = 1
    store = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)
'''


def ok() -> str:
    return "fine"


def warn() -> str:
    raise CheckWarning("degraded")


def fail() -> str:
    raise OSError("PortAudio library not found")


def test_report_prints_one_line_per_check_and_fails_on_fail(capsys: pytest.CaptureFixture[str],
                                                            ) -> None:
    """A FAIL check makes the exit code 1; OK and WARN lines carry their detail."""
    code = self_check.main(checks=[("a", ok), ("b", warn), ("c", fail)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[1].split() == ["OK", "a", "fine"]
    assert out[2].split() == ["WARN", "b", "degraded"]
    assert out[3].split()[:3] == ["FAIL", "c", "OSError:"]
    assert "PortAudio library not found" in out[3]
    assert out[-1] == "self-check FAILED: 1 OK, 1 WARN, 1 FAIL"


def test_warnings_alone_pass(capsys: pytest.CaptureFixture[str]) -> None:
    """Warnings never make the self-check fail; the JSON report says ok."""
    code = self_check.main(as_json=True, checks=[("a", ok), ("b", warn)])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["ok"] is True
    assert [(c["name"], c["level"]) for c in report["checks"]] == [("a", "OK"), ("b", "WARN")]


def test_word_error_rate_ignores_case_and_punctuation() -> None:
    """The sample's WER compares words, not spelling of case or punctuation."""
    assert word_error_rate("Open the door.", "open the door") == 0.0
    assert word_error_rate("open the door", "open a door") == pytest.approx(1 / 3)
    assert word_error_rate("", "") == 0.0
    assert word_error_rate("", "noise") == 1.0


def test_unreadable_icon_fails_the_resources_check(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """An icon Qt cannot read (or a missing sample) is a FAIL naming the file."""
    (tmp_path / "icons").mkdir()
    (tmp_path / "icons" / "app.svg").write_text("not an svg")
    monkeypatch.setattr(self_check, "RESOURCES_DIR", tmp_path)
    result = self_check.run_check("resources", self_check.check_resources)
    assert result.level is self_check.Level.FAIL
    assert "app.svg" in result.detail


def test_json_needs_self_check() -> None:
    """--json alone is a usage error."""
    proc = subprocess.run([sys.executable, "-m", "scribe_desktop", "--json"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 2
    assert "--json goes with --self-check" in proc.stderr


def run_self_check(tmp_path: Path, *extra: str, env: dict[str, str] | None = None,
                   ) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
                "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run([sys.executable, "-m", "scribe_desktop", "--self-check", *extra],
                          capture_output=True, text=True, timeout=RUN_TIMEOUT_S, env=full_env,
                          cwd=tmp_path)


@pytest.mark.slow
def test_self_check_passes_and_transcribes_the_sample(tmp_path: Path) -> None:
    """With a keyring, every check is OK or WARN and the engine transcribes the sample."""
    (tmp_path / "memory_keyring.py").write_text(MEMORY_KEYRING)
    proc = run_self_check(tmp_path, "--json",
                          env={"PYTHON_KEYRING_BACKEND": "memory_keyring.MemoryKeyring"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert report["ok"] is True
    assert {c["level"] for c in checks.values()} <= {"OK", "WARN"}
    assert checks["keyring"]["level"] == "OK", checks["keyring"]
    assert "memory_keyring.MemoryKeyring" in checks["keyring"]["detail"]
    assert checks["engine"]["level"] == "OK", checks["engine"]
    assert "kitchen lights" in checks["engine"]["detail"]
    for name in ("qt", "resources", "portaudio", "pocketsphinx", "websockets", "aiohttp",
                 "soundfile", "soxr", "webrtc-noise-gain"):
        assert checks[name]["level"] == "OK", checks[name]


@pytest.mark.slow
def test_self_check_fails_on_a_missing_backend_and_warns_without_keyring(tmp_path: Path,
                                                                         ) -> None:
    """A backend that cannot be imported is a FAIL (exit 1); no keyring is only a WARN."""
    (tmp_path / "webrtc_noise_gain.py").write_text(
        "raise ImportError('simulated: not in this bundle')\n")
    proc = run_self_check(tmp_path,
                          env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    lines = {line.split()[1]: line for line in proc.stdout.splitlines()
             if line.split()[:1] in (["OK"], ["WARN"], ["FAIL"])}
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert lines["webrtc-noise-gain"].startswith("FAIL")
    assert "simulated: not in this bundle" in lines["webrtc-noise-gain"]
    assert lines["keyring"].startswith("WARN")
    assert "no OS keyring" in lines["keyring"]
    assert lines["engine"].startswith("OK")
    assert proc.stdout.splitlines()[-1].startswith("self-check FAILED")
