"""`scribe-desktop --self-check`: does this install (or PyInstaller bundle) have what it needs?

Composition layer. Each check imports what it checks by name at run time (a missing backend
must become a FAIL line, not an ImportError at startup), then reports one line: OK, WARN (the
app works, with less: no keyring, no microphone, no global hotkeys) or FAIL (something
required is missing). The exit code is 1 when any check FAILs, so a packaging job can gate
on it. The engine check starts a real local server the way the app does (from the same
binary inside a bundle: `local_server.server_command`) and transcribes the bundled sample.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import platform
import secrets
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.accuracy import word_error_rate

# resources/ sits beside the package in the source tree and in the bundle (packaging/).
RESOURCES_DIR = Path(__file__).resolve().parents[2] / "resources"
SAMPLE_WAV = RESOURCES_DIR / "samples" / "dictation-16k.wav"
SAMPLE_TEXT = RESOURCES_DIR / "samples" / "dictation-16k.txt"
KEYRING_SERVICE = "scribe-desktop-self-check"  # never the real service: nothing is touched
KEYRING_TIMEOUT_S = 15.0  # a locked keyring may wait on a password dialog forever
SERVER_TIMEOUT_S = 120.0  # spawn + model load of every engine worker on a loaded machine
MAX_SAMPLE_WER = 0.5  # the sample decodes at ~0-15 % WER; far worse means a broken model


class Level(StrEnum):
    OK = "OK"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    level: Level
    detail: str
    seconds: float = 0.0


class CheckWarning(Exception):
    """Raised by a check: the app works without this (reported as WARN)."""


Check = Callable[[], str]  # returns the OK detail; raises CheckWarning or anything (FAIL)


def _import(name: str) -> Any:
    return importlib.import_module(name)


def check_version() -> str:
    where = f"bundle {Path(sys.executable).parent}" if is_frozen() else "Python install"
    return (f"scribe-desktop {__version__}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.machine()} ({where})")


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def check_qt() -> str:
    qtcore = _import("PySide6.QtCore")
    for name in ("PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtNetwork", "qasync"):
        _import(name)
    info = qtcore.QLibraryInfo
    plugins = Path(info.path(info.LibraryPath.PluginsPath)) / "platforms"
    wanted = {"linux": "libqxcb.so", "win32": "qwindows.dll", "darwin": "libqcocoa.dylib"}
    found = sorted(p.name for p in plugins.glob("*")) if plugins.is_dir() else []
    need = wanted.get(sys.platform)
    if need is not None and need not in found:
        raise RuntimeError(f"Qt platform plugin {need} missing in {plugins} (found: "
                           f"{', '.join(found) or 'nothing'})")
    # the app and tray icons are SVG: without these plugins they are silently blank
    root = plugins.parent
    for kind, stem in (("iconengines", "qsvgicon"), ("imageformats", "qsvg")):
        if not any(p.name.startswith((stem + ".", "lib" + stem + "."))
                   for p in (root / kind).glob("*")):
            raise RuntimeError(f"Qt SVG plugin {stem} missing in {root / kind}")
    return f"PySide6 {qtcore.qVersion()}, platform plugins: {', '.join(found)}"


def check_resources() -> str:
    """The icons read as images through Qt's SVG plugin, and the sample is there."""
    qtgui = _import("PySide6.QtGui")
    icons = sorted((RESOURCES_DIR / "icons").glob("*.svg"))
    if not any(p.name == "app.svg" for p in icons):
        raise RuntimeError(f"the app icon is missing in {RESOURCES_DIR / 'icons'}")
    unreadable = [p.name for p in icons if qtgui.QImageReader(str(p)).read().isNull()]
    if unreadable:
        raise RuntimeError(f"Qt cannot read {', '.join(unreadable)} (SVG plugin missing?)")
    missing = [p.name for p in (SAMPLE_WAV, SAMPLE_TEXT) if not p.is_file()]
    if missing:
        raise RuntimeError(f"the sample is missing: {', '.join(missing)} in {SAMPLE_WAV.parent}")
    return f"{len(icons)} SVG icons and the sample in {RESOURCES_DIR}"


def check_portaudio() -> str:
    sd = _import("sounddevice")  # OSError when PortAudio is not found (test-rig.md)
    return f"sounddevice {sd.__version__}, {sd.get_portaudio_version()[1]} ({sd._libname})"


def check_pocketsphinx() -> str:
    ps = _import("pocketsphinx")
    model = Path(ps.get_model_path()) / "en-us"
    missing = [p for p in ("en-us", "en-us.lm.bin", "cmudict-en-us.dict")
               if not (model / p).exists()]
    if missing:
        raise RuntimeError(f"the en-us model is incomplete in {model}: missing {missing}")
    return f"model {model}"


def check_soundfile() -> str:
    sf = _import("soundfile")
    return f"soundfile {sf.__version__}, {sf.__libsndfile_version__}"


def _version_check(module: str, label: str | None = None) -> Check:
    def check() -> str:
        mod = _import(module)
        version = getattr(mod, "__version__", None)
        return f"{label or module} {version}" if version else f"{label or module} imported"
    return check


def check_webrtc() -> str:
    mod = _import("webrtc_noise_gain")
    mod.AudioProcessor(3, 2)  # auto gain 3 dbFS, noise suppression level 2: the C++ loads
    return "AudioProcessor created"


def _with_timeout(fn: Callable[[], str], timeout_s: float, what: str) -> str:
    """Run `fn` in a daemon thread; a hang becomes a CheckWarning instead of a stuck check."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, name=f"self-check-{what}", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        raise CheckWarning(f"{what} did not answer within {timeout_s:g} s (locked?)")
    if "error" in box:
        raise box["error"]
    return str(box["value"])


def check_keyring() -> str:
    def round_trip() -> str:
        keyring = _import("keyring")
        errors = _import("keyring.errors")
        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        user, value = f"probe-{secrets.token_hex(4)}", secrets.token_urlsafe(12)
        try:
            backend.set_password(KEYRING_SERVICE, user, value)
            read = backend.get_password(KEYRING_SERVICE, user)
            backend.delete_password(KEYRING_SERVICE, user)
        except errors.NoKeyringError as exc:
            raise CheckWarning(f"no OS keyring ({exc}); the API key can be used for one run "
                               "only (the local engine needs none)") from None
        except errors.KeyringError as exc:
            raise CheckWarning(f"{name} failed: {exc}") from None
        if read != value:
            raise CheckWarning(f"{name} did not return the value just stored")
        return f"{name}: stored, read back and deleted a throwaway entry"
    return _with_timeout(round_trip, KEYRING_TIMEOUT_S, "the keyring")


def check_audio_devices() -> str:
    from ..audio.devices import default_input_device, list_input_devices

    sd = _import("sounddevice")
    devices = list_input_devices(sd)
    if not devices:
        raise CheckWarning("no input device: plug in a microphone (files still transcribe)")
    default = default_input_device(sd)
    return (f"{len(devices)} input device(s); default: "
            f"{default.label if default else 'none'}")


def check_hotkeys() -> str:
    from ..hotkey.backends import detect

    status = detect()
    if not status.available:
        raise CheckWarning(status.message)
    return status.message


async def _transcribe_sample() -> tuple[str, float, float, float, str]:
    from ..audio.file_source import open_file_source
    from ..client import ApiKeyAuth, Endpoint
    from ..connect import FixedBackend
    from ..connect.server_process import LocalServerProcess
    from ..core.backend_kind import BackendKind
    from ..session.file_transcription import transcribe_file

    source = open_file_source(SAMPLE_WAV, quiet_decoder=True)
    started = time.monotonic()
    async with LocalServerProcess(startup_timeout_s=SERVER_TIMEOUT_S) as server:
        ready_s = time.monotonic() - started
        backend = FixedBackend(Endpoint(base_url=server.base_url), ApiKeyAuth(server.secret))
        result = await transcribe_file(source, backend=backend, kind=BackendKind.LOCAL)
        engine = " ".join(str(server.ready.get(k) or "") for k in ("engine", "model")).strip()
    return result.text, result.duration_s, result.elapsed_s, ready_s, engine


def check_engine() -> str:
    if not SAMPLE_WAV.is_file():
        raise RuntimeError(f"the bundled sample is missing: {SAMPLE_WAV}")
    text, audio_s, elapsed_s, ready_s, engine = asyncio.run(_transcribe_sample())
    reference = SAMPLE_TEXT.read_text(encoding="utf-8").strip() if SAMPLE_TEXT.is_file() else ""
    if not text.strip():
        raise RuntimeError("the local server returned an empty transcript of the sample")
    timing = (f"{engine or 'engine'} ready in {ready_s:.1f} s, {audio_s:.1f} s of audio in "
              f"{elapsed_s:.1f} s")
    if not reference:
        return f"{text!r} ({timing})"
    wer = word_error_rate(reference, text)
    if wer > MAX_SAMPLE_WER:
        raise CheckWarning(f"transcribed badly (WER {wer:.0%}): {text!r} ({timing})")
    return f"{text!r} (WER {wer:.0%}, {timing})"


def check_whisper() -> str:
    """faster-whisper and CTranslate2 import (the accurate engine's runtime)."""
    fw = _import("faster_whisper")
    ct2 = _import("ctranslate2")
    return f"faster-whisper {getattr(fw, '__version__', '?')}, CTranslate2 {ct2.__version__}"


def check_models() -> str:
    """Which Whisper models are installed, and which one the local server will run."""
    from ..models import ModelStore

    store = ModelStore()
    installed = [m.name for m in store.list_installed()]
    best = store.best_installed("en")
    if best is None:
        raise CheckWarning(
            f"no Whisper model installed in {store.root}: the local server runs pocketsphinx "
            "(far less accurate). Install one: scribe-desktop models download base.en")
    return f"{', '.join(installed)} in {store.root}; the local server runs {best.name}"


CHECKS: tuple[tuple[str, Check], ...] = (
    ("version", check_version),
    ("qt", check_qt),
    ("resources", check_resources),
    ("portaudio", check_portaudio),
    ("pocketsphinx", check_pocketsphinx),
    ("whisper", check_whisper),
    ("models", check_models),
    ("keyring-import", _version_check("keyring")),
    ("websockets", _version_check("websockets")),
    ("aiohttp", _version_check("aiohttp")),
    ("httpx", _version_check("httpx")),
    ("numpy", _version_check("numpy")),
    ("soundfile", check_soundfile),
    ("soxr", _version_check("soxr")),
    ("webrtc-noise-gain", check_webrtc),
    ("keyring", check_keyring),
    ("audio-devices", check_audio_devices),
    ("hotkeys", check_hotkeys),
    ("engine", check_engine),
)


def run_check(name: str, check: Check) -> CheckResult:
    started = time.monotonic()
    try:
        detail, level = check(), Level.OK
    except CheckWarning as exc:
        detail, level = str(exc), Level.WARN
    except Exception as exc:  # any failure of a required part is a FAIL line, not a crash
        detail, level = f"{type(exc).__name__}: {exc}".strip(), Level.FAIL
    return CheckResult(name, level, " ".join(detail.split()), time.monotonic() - started)


def run_checks(checks: Sequence[tuple[str, Check]] = CHECKS,
               on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
    results = []
    for name, check in checks:
        result = run_check(name, check)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


def format_result(result: CheckResult, width: int = 18) -> str:
    return f"{result.level.value:<5} {result.name:<{width}} {result.detail}"


def summary(results: Sequence[CheckResult]) -> str:
    counts = {level: sum(r.level is level for r in results) for level in Level}
    verdict = "FAILED" if counts[Level.FAIL] else "passed"
    return (f"self-check {verdict}: {counts[Level.OK]} OK, {counts[Level.WARN]} WARN, "
            f"{counts[Level.FAIL]} FAIL")


def exit_code(results: Sequence[CheckResult]) -> int:
    return 1 if any(r.level is Level.FAIL for r in results) else 0


def main(*, as_json: bool = False, checks: Sequence[tuple[str, Check]] = CHECKS) -> int:
    """Run every check, print the report (lines as they finish, or one JSON document)."""
    if as_json:
        results = run_checks(checks)
        print(json.dumps({"version": __version__, "frozen": is_frozen(),
                          "ok": exit_code(results) == 0,
                          "checks": [{**asdict(r), "seconds": round(r.seconds, 3)}
                                     for r in results]}, indent=2), flush=True)
        return exit_code(results)
    print(f"scribe-desktop {__version__} self-check", flush=True)
    results = run_checks(checks, on_result=lambda r: print(format_result(r), flush=True))
    print(summary(results), flush=True)
    return exit_code(results)
