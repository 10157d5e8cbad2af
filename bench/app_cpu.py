"""Benchmark what the desktop app costs all day: CPU and wake-ups, idle and while dictating.

The real app (`python -m scribe_desktop`, offscreen Qt, main window shown) runs in an isolated
HOME with its local server child (pocketsphinx) and captures the virtual microphone of the
PulseAudio rig (tests/rig), into which faint pink noise plays the whole time (a real microphone
is never digitally silent, and a silent one would hide a level meter that keeps animating).
For each configuration it is launched afresh, left to settle, then measured from /proc
(bench/proc_sampler.py) over an idle window: CPU time / wall time of the app process, and of
the server child with its engine workers, separately; wake-ups per second (voluntary context
switches) of each, and of the app's threads by name. Then, in the first configuration, a
dictation is started with `scribe-desktop --start` and speech is played into the microphone:
the app's CPU while streaming 50 ms chunks.

    python -m bench.app_cpu [--idle 20] [--json] [--threads]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.proc_sampler import Usage, children, snapshot  # noqa: E402

READY_TIMEOUT_S = 60.0
SETTLE_S = 5.0
# pink noise around -50 dBFS RMS: a quiet room through a desk microphone (tests/rig/room.py)
NOISE_VOLUME = 0.01

# (name, settings written before launch) — the first one also measures streaming
CONFIGS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("pre-roll on", {"preroll_ms": 500}),
    ("pre-roll off", {"preroll_ms": 0}),
    ("microphone closed while idle", {"preroll_ms": 500, "close_mic_when_idle": True}),
)
# goals of the issue: <= 1 % of a core idle with the pre-roll on, ~0 with it off
GOALS = {"pre-roll on": 1.0, "pre-roll off": 0.2, "microphone closed while idle": 0.2}
STREAMING_GOAL = 5.0


def _wait(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.05)  # polling a log file and /proc, bounded by the deadline


class App:
    """One launch of the real app with `settings`, isolated under a temporary directory."""

    def __init__(self, rig: Any, settings: dict[str, Any], app_root: Path = ROOT) -> None:
        from tests.rig.pulse import DEVICE_NAME

        self.root = Path(tempfile.mkdtemp(prefix="scribe-bench-app-"))
        dirs = {n: self.root / n for n in ("home", "config", "data", "state", "cache", "run")}
        for path in dirs.values():
            path.mkdir(parents=True)
        dirs["run"].chmod(0o700)
        (dirs["config"] / "alsa").mkdir()
        shutil.copy(rig.config_home / "alsa" / "asoundrc", dirs["config"] / "alsa")
        self.env = {**rig.client_env(), "QT_QPA_PLATFORM": "offscreen",
                    "HOME": str(dirs["home"]), "XDG_CONFIG_HOME": str(dirs["config"]),
                    "XDG_DATA_HOME": str(dirs["data"]), "XDG_STATE_HOME": str(dirs["state"]),
                    "XDG_CACHE_HOME": str(dirs["cache"]), "XDG_RUNTIME_DIR": str(dirs["run"]),
                    "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
                    "SCRIBE_DESKTOP_INSTANCE": f"scribe-bench-cpu-{os.getpid()}-"
                                               f"{time.monotonic_ns()}"}
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):
            self.env.pop(name, None)
        conf = dirs["config"] / "scribe-desktop"
        conf.mkdir()
        lines = ["[General]", f"device_name={DEVICE_NAME}", "chunk_ms=50",
                 "welcome_done=true"]
        lines += [f"{k}={str(v).lower() if isinstance(v, bool) else v}"
                  for k, v in settings.items()]
        (conf / "scribe-desktop.conf").write_text("\n".join(lines) + "\n")
        self.log_path = dirs["state"] / "scribe-desktop" / "log" / "scribe-desktop.log"
        self.app_root = app_root
        self.env["PYTHONPATH"] = str(app_root)
        self.proc: subprocess.Popen[str] | None = None

    def launch(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scribe_desktop", "--print-ready"], cwd=self.app_root,
            env=self.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=(self.root / "stderr").open("wb"), text=True, start_new_session=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if '"ready"' not in line:
            raise RuntimeError(f"the app did not start: {line!r} {self.tail()}")
        self.wait_log(r"backend Local: ready", READY_TIMEOUT_S)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log_text(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")
        return ""

    def wait_log(self, pattern: str, timeout_s: float, since: int = 0) -> None:
        try:
            _wait(lambda: re.search(pattern, self.log_text()[since:]) is not None, timeout_s,
                  f"log line {pattern!r}")
        except TimeoutError as exc:
            raise RuntimeError(f"{exc}: {self.tail()}") from None

    def remote(self, command: str) -> None:
        subprocess.run([sys.executable, "-m", "scribe_desktop", f"--{command}"],
                       cwd=self.app_root,
                       env=self.env, capture_output=True, check=True, timeout=30)

    def tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.root / "stderr").read_text(errors="replace")[-2000:] + \
                self.log_text()[-2000:]
        return ""

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def thread_names(pid: int) -> dict[int, str]:
    """OS thread id -> Python thread name (py-spy dump), when py-spy is installed."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        return {}
    try:
        out = subprocess.run([spy, "dump", "--pid", str(pid), "--json", "--nonblocking"],
                             capture_output=True, text=True, timeout=30).stdout
        return {int(t["os_thread_id"]): str(t["thread_name"] or "?")
                for t in json.loads(out) if t.get("os_thread_id")}
    except (ValueError, KeyError, TypeError, subprocess.TimeoutExpired):
        return {}


def _measure(app: App, seconds: float) -> tuple[Usage, Usage]:
    server = children(app.pid)
    names = thread_names(app.pid)
    before_app, before_server = snapshot([app.pid]), snapshot(server)
    time.sleep(seconds)  # the measurement window itself
    return (Usage.between(before_app, snapshot([app.pid]), names),
            Usage.between(before_server, snapshot(server)))


def _row(name: str, app: Usage, server: Usage) -> dict[str, Any]:
    return {"config": name, "seconds": round(app.wall_s, 1),
            "app_cpu_percent": round(app.cpu_percent, 2),
            "app_wakeups_per_s": round(app.wakeups_per_s, 1),
            "server_cpu_percent": round(server.cpu_percent, 2),
            "server_wakeups_per_s": round(server.wakeups_per_s, 1),
            "app_threads": {k: [round(v[0], 2), round(v[1], 1)]
                            for k, v in app.by_thread.items() if v[1] >= 0.05 or v[0] >= 0.05},
            "server_threads": {k: [round(v[0], 2), round(v[1], 1)]
                               for k, v in server.by_thread.items()
                               if v[1] >= 0.05 or v[0] >= 0.05}}


def run(idle_s: float, speech_s: float, app_root: Path = ROOT) -> dict[str, Any]:
    from tests.rig.pulse import PulseRig
    from tests.rig.room import Room
    from tests.speech import SENTENCES, synth

    speech = synth(" ".join(SENTENCES * max(1, round(speech_s / 12)))[:600],
                   lead_silence_s=0.3, tail_silence_s=0.8)
    idle: list[dict[str, Any]] = []
    streaming: dict[str, Any] = {}
    with PulseRig() as rig, Room(rig, volume=NOISE_VOLUME):
        for index, (name, settings) in enumerate(CONFIGS):
            app = App(rig, settings, app_root)
            try:
                app.launch()
                time.sleep(SETTLE_S)  # start-up work (server workers, first rescans) ends
                row = _row(name, *_measure(app, idle_s))
                row["goal_percent"] = GOALS[name]
                idle.append(row)
                if index == 0:
                    mark = len(app.log_text())
                    app.remote("start")
                    app.wait_log(r"--> listening", 30, mark)
                    server = children(app.pid)
                    names = thread_names(app.pid)
                    b_app, b_server = snapshot([app.pid]), snapshot(server)
                    rig.play(speech)
                    streaming = _row("streaming", Usage.between(b_app, snapshot([app.pid]),
                                                                names),
                                     Usage.between(b_server, snapshot(server)))
                    streaming["goal_percent"] = STREAMING_GOAL
                    mark = len(app.log_text())
                    app.remote("stop")
                    app.wait_log(r"--> idle", 30, mark)
            finally:
                app.close()
    return {"idle": idle, "streaming": streaming, "noise_volume": NOISE_VOLUME,
            "chunk_ms": 50}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.app_cpu", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--idle", type=float, default=20.0, help="idle window (s)")
    parser.add_argument("--speech", type=float, default=15.0, help="speech played (s, approx.)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--threads", action="store_true", help="print the busiest threads")
    parser.add_argument("--app-root", type=Path, default=ROOT,
                        help="the checkout whose app is measured (e.g. another branch's)")
    args = parser.parse_args(argv)
    result = run(args.idle, args.speech, args.app_root.resolve())
    if args.json:
        print(json.dumps({"benchmark": "app_cpu", "results": result}))
        return 0
    print("desktop app process, real local server child, virtual microphone with noise")
    for row in [*result["idle"], result["streaming"]]:
        print(f"  {row['config']:36s} app {row['app_cpu_percent']:5.2f} % "
              f"({row['app_wakeups_per_s']:6.1f} wake-ups/s)  server "
              f"{row['server_cpu_percent']:5.2f} % ({row['server_wakeups_per_s']:6.1f}/s)  "
              f"goal <= {row['goal_percent']} %")
        if args.threads:
            for name, (cpu, wakes) in list(row["app_threads"].items())[:8]:
                print(f"      app    {name[:30]:30s} {cpu:5.2f} % {wakes:7.1f}/s")
            for name, (cpu, wakes) in list(row["server_threads"].items())[:5]:
                print(f"      server {name[:30]:30s} {cpu:5.2f} % {wakes:7.1f}/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
