"""The PyInstaller bundle builds, passes its self-check and opens its window under Xvfb.

Building takes a minute or two on 2 cores, so the build is reused when dist/ was made from
the same sources (packaging/build.py --if-stale, keyed by a hash of every source file).
The bundle size is printed and written to bench/results/bundle-test.json.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import bundle_bench
from tests.rig.pulse import PulseRig

# the first test also builds the bundle (its module fixture): several minutes on a busy
# 2-core machine, so the per-test timeout covers the build as well
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 1000
SIZE_REPORT = ROOT / "bench" / "results" / "bundle-test.json"


@pytest.fixture(scope="module")
def bundle() -> Path:
    """The one-folder bundle's binary, built (or reused) through the build script."""
    proc = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--if-stale"],
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-4000:]
    binary = Path(proc.stdout.strip().splitlines()[-1])
    assert binary.is_file() and os.access(binary, os.X_OK)
    return binary


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A private Xvfb display (-displayfd picks a free number)."""
    if shutil.which("Xvfb") is None:
        pytest.fail("Xvfb is not installed (scripts/bootstrap.sh test installs it)")
    with bundle_bench.xvfb() as name:
        assert name is not None, "Xvfb did not start"
        yield name


def bundle_processes(binary: Path) -> set[int]:
    """Pids of every running process whose executable is the bundle's binary."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "exe").readlink() == binary.resolve():
                    pids.add(int(entry.name))
            except OSError:
                continue
    return pids


def wait_until(predicate: object, timeout_s: float) -> bool:
    """Poll `predicate` (no event exists for another process appearing or exiting)."""
    assert callable(predicate)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return bool(predicate())


def test_bundle_reports_its_size(bundle: Path) -> None:
    """The bundle's size is printed and recorded; it stays within a sane bound."""
    size, files = bundle_bench.folder_size(bundle.parent)
    report = {"bundle": str(bundle.parent), "size_mb": round(size / bundle_bench.MB, 1),
              "files": files, "build": json.loads((bundle.parent / "BUILD-INFO.json").read_text())}
    SIZE_REPORT.parent.mkdir(parents=True, exist_ok=True)
    SIZE_REPORT.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nbundle size: {report['size_mb']} MB in {files} files ({bundle.parent})")
    assert 50 < report["size_mb"] < 600


def test_bundle_version_matches_the_package(bundle: Path) -> None:
    """The bundle's --version is the package's one version."""
    import scribe_desktop

    proc = subprocess.run([str(bundle), "--version"], capture_output=True, text=True,
                          timeout=60, check=True)
    assert proc.stdout.strip() == f"scribe-desktop {scribe_desktop.__version__}"


def test_bundle_runs_every_subcommand(bundle: Path, tmp_path: Path) -> None:
    """`server`, `listen` and `transcribe` work from the same binary; transcribe prints text."""
    for command in ("server", "listen", "transcribe"):
        helped = subprocess.run([str(bundle), command, "--help"], capture_output=True,
                                text=True, timeout=60)
        assert helped.returncode == 0 and command in helped.stdout, helped.stderr
    sample = ROOT / "resources" / "samples" / "dictation-16k.wav"
    proc = subprocess.run([str(bundle), "transcribe", str(sample), "--no-progress"],
                          capture_output=True, text=True, timeout=180,
                          env=bundle_bench.app_env(tmp_path, None, "unused"))
    assert proc.returncode == 0, proc.stderr
    assert "kitchen lights" in proc.stdout.lower()


def test_bundle_transcribes_with_an_imported_whisper_model(bundle: Path,
                                                           tmp_path: Path) -> None:
    """The bundled Whisper stack (CTranslate2, stripped; tokenizers; the Silero VAD on
    onnxruntime) works frozen: `models import` installs tiny.en, and `transcribe --engine
    whisper` writes the sample with capitals and punctuation."""
    from tests.speech import wer
    from tests.whisper_model import tiny_en_dir

    # its own model store: the suite's (conftest) must stay without a model
    env = {**bundle_bench.app_env(tmp_path, None, "unused"),
           "SCRIBE_DESKTOP_MODELS_DIR": str(tmp_path / "models")}
    imported = subprocess.run([str(bundle), "models", "import", tiny_en_dir(), "--name",
                               "tiny.en"], capture_output=True, text=True, timeout=120, env=env)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    sample = ROOT / "resources" / "samples" / "dictation-16k.wav"
    proc = subprocess.run([str(bundle), "transcribe", str(sample), "--engine", "whisper",
                           "--no-progress"], capture_output=True, text=True, timeout=300,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    said = (ROOT / "resources" / "samples" / "dictation-16k.txt").read_text()
    assert wer(said, proc.stdout) <= 0.15, proc.stdout
    assert proc.stdout.strip()[0].isupper() and "." in proc.stdout


def test_bundle_passes_its_self_check(bundle: Path, display: str, tmp_path: Path,
                                      pulse_rig: PulseRig) -> None:
    """Inside the bundle every backend loads, PortAudio and the model come from the bundle,
    the virtual microphone is listed, the hotkey backend works on X11 and the sample is
    transcribed by a server the bundle started from itself."""
    env = {**bundle_bench.app_env(tmp_path, display, f"scribe-bundle-check-{os.getpid()}"),
           **pulse_rig.env}  # the bundled libasound reaches PulseAudio through ALSA's plugin
    proc = subprocess.run([str(bundle), "--self-check", "--json"], capture_output=True,
                          text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert report["frozen"] is True
    failed = [c for c in report["checks"] if c["level"] == "FAIL"]
    assert not failed
    internal = str(bundle.parent)
    assert internal in checks["portaudio"]["detail"], checks["portaudio"]
    assert internal in checks["pocketsphinx"]["detail"], checks["pocketsphinx"]
    assert internal in checks["resources"]["detail"], checks["resources"]
    assert checks["qt"]["level"] == "OK" and "libqxcb.so" in checks["qt"]["detail"]
    assert checks["engine"]["level"] == "OK", checks["engine"]
    assert "kitchen lights" in checks["engine"]["detail"]
    assert checks["audio-devices"]["level"] == "OK", checks["audio-devices"]
    assert checks["hotkeys"]["level"] in ("OK", "WARN")
    if checks["hotkeys"]["detail"] != "hotkeys: not built yet":
        assert checks["hotkeys"]["level"] == "OK", checks["hotkeys"]  # pynput's X11 backend


def test_bundle_opens_its_window_and_server_then_quits_cleanly(bundle: Path, display: str,
                                                               tmp_path: Path) -> None:
    """The GUI maps a window titled scribe-desktop, starts its server from the bundle binary,
    and on SIGTERM exits 0 leaving no bundle process behind."""
    xdotool = shutil.which("xdotool")
    assert xdotool is not None, "xdotool is not installed (scripts/bootstrap.sh test)"
    env = bundle_bench.app_env(tmp_path, display, f"scribe-bundle-gui-{os.getpid()}")
    before = bundle_processes(bundle)
    seconds, event, proc = bundle_bench.launch_to_ready(bundle, env, timeout_s=120)
    try:
        assert event["window_shown"] is True, event
        found = subprocess.run([xdotool, "search", "--sync", "--onlyvisible", "--name",
                                "scribe-desktop"], capture_output=True, text=True,
                               timeout=30, env={**os.environ, "DISPLAY": display})
        assert found.returncode == 0 and found.stdout.split(), found.stderr
        # the local server (and its engine workers) run from the same binary
        assert wait_until(lambda: len(bundle_processes(bundle) - before - {proc.pid}) >= 1,
                          60), "the app started no server from the bundle"
    finally:
        code = bundle_bench.stop(proc)
    print(f"\nbundle GUI ready in {seconds:.2f} s")
    assert code == 0
    assert wait_until(lambda: not bundle_processes(bundle) - before, 30), \
        f"left behind: {bundle_processes(bundle) - before}"
