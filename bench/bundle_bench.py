"""Benchmark the PyInstaller bundle: size on disk, compressed size, cold start to window shown.

* size: every file under dist/scribe-desktop/ (MB = 10^6 bytes), and the same folder as a
  gzip-compressed tar (level 6, what a release archive would be);
* cold start: spawning `dist/scribe-desktop/scribe-desktop --print-ready` -> its ready line,
  printed once the main window is shown (median of N launches, each in a fresh HOME; on a
  private Xvfb display when Xvfb is installed, else offscreen). The first launch after a
  build also pays for a cold page cache; it is reported separately.

    python -m bench.bundle_bench [--runs 5] [--json] [--no-build]

Builds the bundle first if it is missing or stale (packaging/build.py --if-stale). Writes
bench/results/bundle.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist" / "scribe-desktop"
BINARY = DIST / "scribe-desktop"
RESULTS = ROOT / "bench" / "results" / "bundle.json"
MB = 1_000_000


def build_bundle(timeout_s: float = 900.0) -> Path:
    """Build dist/scribe-desktop unless it is up to date; returns the binary."""
    subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--if-stale"],
                   check=True, timeout=timeout_s, cwd=ROOT, stdout=subprocess.DEVNULL)
    return BINARY


def folder_size(folder: Path) -> tuple[int, int]:
    """(bytes, files) of every regular file under `folder` (symlinks not followed)."""
    total = count = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            count += 1
    return total, count


def compressed_size(folder: Path) -> int:
    """Bytes of `folder` as a .tar.gz (gzip level 6)."""
    with tempfile.TemporaryDirectory(prefix="scribe-bundle-tar-") as tmp:
        archive = Path(tmp) / "bundle.tar.gz"
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            tar.add(folder, arcname=folder.name)
        return archive.stat().st_size


@contextlib.contextmanager
def xvfb() -> Iterator[str | None]:
    """A private Xvfb display (":N"), or None when Xvfb is not installed."""
    if shutil.which("Xvfb") is None:
        yield None
        return
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                             "1280x800x24", "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as reader:
            number = reader.readline().strip()  # written once Xvfb accepts clients
        yield f":{number}" if number.isdigit() else None
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def app_env(home: Path, display: str | None, instance: str) -> dict[str, str]:
    """An isolated environment for one GUI launch: own HOME, settings, instance name."""
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_STATE_HOME": str(home / "state"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CACHE_HOME": str(home / "cache"), "SCRIBE_DESKTOP_INSTANCE": instance}
    if display is not None:
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def stop(proc: subprocess.Popen[Any], timeout_s: float = 30.0) -> int:
    """SIGTERM (the app quits cleanly and stops its server), SIGKILL if it lingers."""
    if proc.poll() is None:
        proc.terminate()
    try:
        return proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def launch_to_ready(binary: Path, env: dict[str, str], timeout_s: float = 60.0,
                    ) -> tuple[float, dict[str, Any], subprocess.Popen[str]]:
    """Spawn the GUI with --print-ready; (seconds to its ready line, the line, the process).
    The caller stops the process."""
    started = time.perf_counter()
    proc = subprocess.Popen([str(binary), "--print-ready"], env=env, text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    deadline = threading_deadline(proc, timeout_s)
    try:
        for line in proc.stdout:
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict) and event.get("event") == "ready":
                    return time.perf_counter() - started, event, proc
    finally:
        deadline.cancel()
    stop(proc)
    raise RuntimeError(f"{binary} exited (code {proc.returncode}) without a ready line")


def threading_deadline(proc: subprocess.Popen[Any], timeout_s: float) -> threading.Timer:
    """Kill `proc` after `timeout_s` unless cancelled (bounds a blocking readline)."""
    def kill() -> None:
        if proc.poll() is None:
            proc.kill()

    timer = threading.Timer(timeout_s, kill)
    timer.daemon = True
    timer.start()
    return timer


def cold_starts(binary: Path, runs: int, display: str | None) -> list[float]:
    times: list[float] = []
    for i in range(runs):
        with tempfile.TemporaryDirectory(prefix="scribe-bundle-home-") as home:
            env = app_env(Path(home), display, f"scribe-bundle-bench-{os.getpid()}-{i}")
            seconds, event, proc = launch_to_ready(binary, env)
            stop(proc)
            if event.get("window_shown"):
                times.append(seconds)
    return times


def measure(binary: Path = BINARY, runs: int = 5) -> dict[str, Any]:
    folder = binary.parent
    size, files = folder_size(folder)
    result: dict[str, Any] = {
        "bundle": str(folder.relative_to(ROOT)) if folder.is_relative_to(ROOT) else str(folder),
        "size_mb": round(size / MB, 1), "files": files,
        "tar_gz_mb": round(compressed_size(folder) / MB, 1)}
    with xvfb() as display:
        result["display"] = "Xvfb (xcb)" if display else "offscreen"
        starts = cold_starts(binary, runs + 1, display)
    if starts:
        result["first_start_s"] = round(starts[0], 3)
        rest = starts[1:] or starts
        result["cold_start_median_s"] = round(statistics.median(rest), 3)
        result["cold_start_max_s"] = round(max(rest), 3)
        result["cold_start_runs"] = len(rest)
    info = folder / "BUILD-INFO.json"
    if info.is_file():
        result["build"] = json.loads(info.read_text())
    return result


def write_results(result: dict[str, Any], path: Path = RESULTS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.bundle_bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="timed launches (after a warm-up)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--no-build", action="store_true",
                        help="measure dist/ as it is (fails if there is none)")
    args = parser.parse_args(argv)
    binary = BINARY if args.no_build else build_bundle()
    if not binary.is_file():
        print(f"no bundle at {binary}: run packaging/build.py", file=sys.stderr)
        return 1
    result = measure(binary, args.runs)
    write_results(result)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"bundle {result['bundle']}: {result['size_mb']} MB in {result['files']} files, "
          f"{result['tar_gz_mb']} MB as tar.gz")
    if "cold_start_median_s" in result:
        print(f"cold start to window shown ({result['display']}): median "
              f"{result['cold_start_median_s']:.2f} s, max {result['cold_start_max_s']:.2f} s "
              f"over {result['cold_start_runs']} runs (first launch "
              f"{result['first_start_s']:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
