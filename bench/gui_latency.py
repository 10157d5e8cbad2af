"""Benchmark the desktop app's core: message -> signal latency, CPU, RSS, cold start.

* latency: the real `DictationWorker` on the app's qasync loop (offscreen QApplication, with
  the real `MainWindow` connected when the widgets are importable, so delivery includes the
  panes' slots), the real local server as a child process, and the real microphone through
  the virtual-microphone rig. For every partial / committed transcript: the time from the
  client decoding the frame to the moment `partial_changed` / `segment_committed` returns
  from the window's slots (p50/p99).
* CPU: this process's CPU time over wall time, idle (microphone open, no dictation) and while
  streaming speech; the server child is not included.
* RSS: VmRSS and VmHWM of this process after streaming.
* cold start: `python -m scribe_desktop --print-ready` spawn -> its ready line (window shown),
  median of 3 launches in isolated HOMEs.

    python -m bench.gui_latency [--seconds 8] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.stats import percentile  # noqa: E402


def _proc_status(field: str) -> float:
    """A /proc/self/status field in MiB (NaN where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _speech(seconds: float) -> Path:
    from tests.speech import SENTENCES, synth

    text = " ".join(SENTENCES * max(1, round(seconds / 3)))[:400]
    return synth(text, lead_silence_s=0.3, tail_silence_s=0.8)


async def _cpu_over(seconds: float) -> float:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.sleep(seconds)  # a measurement window, not a wait for an event
    return 100 * (time.process_time() - cpu0) / (time.perf_counter() - wall0)


async def _measure(rig: Any, wav: Path, idle_s: float) -> dict[str, Any]:
    import sounddevice

    from scribe_desktop.audio.capture import Microphone
    from scribe_desktop.client import session as client_session
    from scribe_desktop.connect import ApiKeys, LocalBackend
    from scribe_desktop.connect.keyring_store import ApiKeyStore
    from scribe_desktop.core.lifecycle import DictationState
    from scribe_desktop.core.transcript import Segment
    from scribe_desktop.protocol.connection import Commit, Partial
    from scribe_desktop.protocol.options import CommitStrategy
    from scribe_desktop.qt.settings import Settings
    from scribe_desktop.qt.worker.worker import DictationWorker
    from tests.app.fakes import MemoryKeyring
    from tests.rig.pulse import DEVICE_NAME

    received: dict[str, float] = {}  # text -> when its frame was decoded
    original_accept = client_session.ScribeSession._accept

    def stamped_accept(self: Any, event: Any) -> None:
        if isinstance(event, Partial | Commit):
            received[event.text] = time.perf_counter()
        original_accept(self, event)

    client_session.ScribeSession._accept = stamped_accept  # type: ignore[method-assign]
    backend = LocalBackend()
    settings = Settings(commit_strategy=CommitStrategy.VAD, device_name=DEVICE_NAME)
    worker = DictationWorker(
        settings, backend_factory=lambda s: backend,
        microphone_factory=lambda s: Microphone(sounddevice, device=s.device_name,
                                                chunk_s=s.chunk_ms / 1000,
                                                preroll_s=s.preroll_ms / 1000),
        api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())))
    window = None
    try:
        from scribe_desktop.ui.main_window import MainWindow

        window = MainWindow(worker, settings)
        window.show()
    except ImportError:
        pass
    partial_ms: list[float] = []
    commit_ms: list[float] = []

    def on_partial(text: str) -> None:
        if text in received:
            partial_ms.append(1000 * (time.perf_counter() - received.pop(text)))

    def on_segment(segment: object) -> None:
        if isinstance(segment, Segment) and segment.text in received:
            commit_ms.append(1000 * (time.perf_counter() - received.pop(segment.text)))

    # connected after the window's slots: the stamp is taken once the panes have updated
    worker.partial_changed.connect(on_partial)
    worker.segment_committed.connect(on_segment)
    listening = asyncio.Event()
    worker.state_changed.connect(
        lambda s: listening.set() if s == DictationState.LISTENING else None)
    try:
        await backend.start()
        await worker.open_microphone()
        cpu_idle = await _cpu_over(idle_s)
        worker.start()
        await asyncio.wait_for(listening.wait(), 30)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.to_thread(rig.play, wav)
        cpu_streaming = 100 * (time.process_time() - cpu0) / (time.perf_counter() - wall0)
        stop = worker.stop()
        if stop is not None:
            await asyncio.wait_for(stop, 30)
        rss, hwm = _proc_status("VmRSS"), _proc_status("VmHWM")
    finally:
        await asyncio.wait_for(worker.shutdown(), 20)
        client_session.ScribeSession._accept = original_accept  # type: ignore[method-assign]
        if window is not None:
            window.hide()
    return {
        "window": window is not None,
        "partials": len(partial_ms), "commits": len(commit_ms),
        "partial_p50_ms": percentile(partial_ms, 50), "partial_p99_ms": percentile(partial_ms, 99),
        "commit_p50_ms": percentile(commit_ms, 50), "commit_p99_ms": percentile(commit_ms, 99),
        "cpu_idle_percent": cpu_idle, "cpu_streaming_percent": cpu_streaming,
        "rss_mib": rss, "peak_rss_mib": hwm,
    }


def _cold_start(runs: int = 3, timeout_s: float = 60.0) -> list[float]:
    """Seconds from spawning the app to its ready line (window shown), per launch."""
    times: list[float] = []
    for i in range(runs):
        with tempfile.TemporaryDirectory(prefix="scribe-bench-home-") as home:
            env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": home,
                   "XDG_CONFIG_HOME": f"{home}/config", "XDG_STATE_HOME": f"{home}/state",
                   "SCRIBE_DESKTOP_INSTANCE": f"scribe-bench-{os.getpid()}-{i}",
                   "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
            started = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "scribe_desktop", "--print-ready"],
                                    env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True)
            try:
                assert proc.stdout is not None
                line = proc.stdout.readline()
                elapsed = time.perf_counter() - started
                if line and json.loads(line).get("window_shown"):
                    times.append(elapsed)
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout_s)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.gui_latency", description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0, help="speech played while "
                        "streaming (approximate)")
    parser.add_argument("--idle", type=float, default=3.0, help="idle CPU window (s)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from tests.rig.pulse import PulseRig

    wav = _speech(args.seconds)
    with PulseRig() as rig:
        rig.apply_to_process()
        app = QApplication.instance() or QApplication([])
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            result = loop.run_until_complete(_measure(rig, wav, args.idle))
    starts = _cold_start()
    result["cold_start_median_s"] = statistics.median(starts) if starts else float("nan")
    result["cold_start_runs"] = len(starts)
    if args.json:
        print(json.dumps({"benchmark": "gui_latency", "results": result}))
    else:
        print("desktop app core (qasync loop, real worker, local server, virtual microphone"
              + (", main window" if result["window"] else ", no window") + ")")
        print(f"  message -> partial_changed delivered: p50={result['partial_p50_ms']:.2f} ms "
              f"p99={result['partial_p99_ms']:.2f} ms (n={result['partials']})")
        print(f"  message -> segment_committed delivered: p50={result['commit_p50_ms']:.2f} ms "
              f"p99={result['commit_p99_ms']:.2f} ms (n={result['commits']})")
        print(f"  CPU idle {result['cpu_idle_percent']:.1f}%  streaming "
              f"{result['cpu_streaming_percent']:.1f}% (this process; server excluded)")
        print(f"  RSS {result['rss_mib']:.0f} MiB (peak {result['peak_rss_mib']:.0f} MiB)")
        print(f"  cold start to window shown: median {result['cold_start_median_s']:.2f} s "
              f"({result['cold_start_runs']} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
