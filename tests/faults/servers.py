"""`GrammarServer`: the fault scenarios' server process (tests/faults/grammar_server.py), which
a scenario may SIGKILL and start again on the same port, as a crashed service comes back."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import secrets
import signal
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


class GrammarServer:
    """`start()` launches it (port 0 the first time, the same port after); `kill()` is
    SIGKILL; `restart()` is both. `.port`, `.base_url`, `.secret` stay the same."""

    def __init__(self, *, auto_commit_s: float = 90.0) -> None:
        self.secret = secrets.token_urlsafe(24)
        self.auto_commit_s = auto_commit_s
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.stderr_tail: deque[str] = deque(maxlen=100)
        self.starts = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """What a client of this server needs in its environment (the secret)."""
        return {"SCRIBE_DESKTOP_SERVER_SECRET": self.secret}

    def start(self) -> GrammarServer:
        env = {**os.environ, "SCRIBE_DESKTOP_SERVER_SECRET": self.secret,
               "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT),
                                                         os.environ.get("PYTHONPATH")) if p)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.grammar_server", "--port", str(self.port),
             "--auto-commit-seconds", str(self.auto_commit_s)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            cwd=ROOT)
        assert proc.stdout is not None and proc.stderr is not None
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_pump, args=(proc.stdout, lines.put), daemon=True).start()
        threading.Thread(target=_pump, args=(proc.stderr, self.stderr_tail.append),
                         daemon=True).start()
        self.process = proc
        ready = _read_ready(proc, lines, self.stderr_tail)
        self.port = int(ready["port"])
        self.starts += 1
        return self

    def kill(self) -> None:
        """SIGKILL: no goodbye to any client, every session lost."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT_S)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        proc = self.process
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()

    def __enter__(self) -> GrammarServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _pump(stream: IO[bytes], sink: Any) -> None:
    with contextlib.suppress(ValueError, OSError):
        for raw in iter(stream.readline, b""):
            sink(raw.decode("utf-8", "replace"))
    sink("")


def _read_ready(proc: subprocess.Popen[bytes], lines: queue.Queue[str],
                tail: deque[str]) -> dict[str, Any]:
    try:
        while True:
            line = lines.get(timeout=READY_TIMEOUT_S)
            if line == "":
                proc.wait(STOP_TIMEOUT_S)
                raise RuntimeError(f"the grammar server exited with {proc.returncode}:\n"
                                   + "".join(tail))
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict) and event.get("event") == "ready":
                    return event
    except queue.Empty:
        proc.kill()
        raise RuntimeError("the grammar server was not ready in time:\n"
                           + "".join(tail)) from None
