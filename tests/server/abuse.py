"""Abusive local clients for the server (tests and bench/server_abuse.py share them).

Idle connection floods, slowloris headers and a legitimate session measured beside them,
against a real `scribe-desktop server` subprocess whose open-file limit can be lowered.
Every loop here is bounded in count and time and targets 127.0.0.x only.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import resource
import secrets
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

READY_TIMEOUT_S = 60.0
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LoggedServer:
    """A server subprocess with every stderr line kept in `lines` (appended by a thread)."""

    process: subprocess.Popen[bytes]
    ready: dict[str, Any]
    secret: str
    lines: list[str] = field(default_factory=list)
    _new_line: threading.Condition = field(default_factory=threading.Condition)

    def add_line(self, line: str) -> None:
        with self._new_line:
            self.lines.append(line)
            self._new_line.notify_all()

    def wait_for_line(self, text: str, timeout_s: float = 10.0) -> str | None:
        """The first stderr line containing `text`, waiting for it up to `timeout_s`."""
        def found() -> str | None:
            return next((line for line in self.lines if text in line), None)
        with self._new_line:
            self._new_line.wait_for(lambda: found() is not None, timeout_s)
            return found()

    @property
    def base_url(self) -> str:
        return str(self.ready["base_url"])

    @property
    def port(self) -> int:
        return int(self.ready["port"])

    def open_files(self) -> int:
        """File descriptors the server process holds now."""
        return sum(1 for _ in Path(f"/proc/{self.process.pid}/fd").iterdir())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


def _limit_files(nofile: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    return apply


def start_server(*args: str, nofile: int | None = None) -> LoggedServer:
    """`scribe-desktop server --port 0 ARGS`, with soft and hard RLIMIT_NOFILE = `nofile`."""
    secret = secrets.token_urlsafe(24)
    env = {**os.environ, "SCRIBE_DESKTOP_SERVER_SECRET": secret}
    proc = subprocess.Popen(
        [sys.executable, "-m", "scribe_desktop", "server", "--port", "0", "--exit-with-parent",
         *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, cwd=ROOT, preexec_fn=None if nofile is None else _limit_files(nofile))
    assert proc.stdout is not None and proc.stderr is not None
    ready_lines: queue.Queue[bytes] = queue.Queue()
    server = LoggedServer(proc, {}, secret)

    def pump_stdout() -> None:
        assert proc.stdout is not None
        for raw in iter(proc.stdout.readline, b""):
            ready_lines.put(raw)
        ready_lines.put(b"")

    def pump_stderr() -> None:
        assert proc.stderr is not None
        with contextlib.suppress(ValueError, OSError):
            for raw in iter(proc.stderr.readline, b""):
                server.add_line(raw.decode("utf-8", "replace"))

    threading.Thread(target=pump_stdout, daemon=True).start()
    threading.Thread(target=pump_stderr, daemon=True).start()
    try:
        while True:
            raw = ready_lines.get(timeout=READY_TIMEOUT_S)
            if not raw:
                proc.wait(5)
                raise RuntimeError(f"server exited with {proc.returncode}:\n"
                                   + "".join(server.lines))
            with contextlib.suppress(ValueError):
                event = json.loads(raw)
                if isinstance(event, dict) and event.get("event") == "ready":
                    server.ready = event
                    return server
    except BaseException:
        server.stop()
        raise


def open_idle(port: int, count: int, *, source: str = "127.0.0.1",
              connect_timeout_s: float = 3.0) -> tuple[list[socket.socket], int]:
    """`count` TCP connections that never send a byte; returns (open sockets, failures)."""
    held: list[socket.socket] = []
    failures = 0
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(connect_timeout_s)
        try:
            sock.bind((source, 0))
            sock.connect(("127.0.0.1", port))
        except OSError:
            failures += 1
            sock.close()
            continue
        sock.setblocking(False)
        held.append(sock)
    return held, failures


def is_cut(sock: socket.socket) -> bool:
    """True if the server closed or reset `sock` (it never sends anything else to an idle
    client); never blocks."""
    if not _readable(sock, 0):
        return False
    try:
        return sock.recv(4096) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except BlockingIOError:
        return False


def _readable(sock: socket.socket, timeout_s: float) -> bool:
    """Wait up to `timeout_s` for `sock` to be readable (poll: fds past 1,024 are fine)."""
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLHUP | select.POLLERR)
    return bool(poller.poll(max(0, int(timeout_s * 1000))))


def wait_cut(sock: socket.socket, timeout_s: float) -> float | None:
    """Seconds until the server closes `sock`, or None if it is still open at `timeout_s`."""
    start = time.monotonic()
    deadline = start + timeout_s
    while (left := deadline - time.monotonic()) > 0:
        if _readable(sock, left) and is_cut(sock):
            return time.monotonic() - start
    return None


def slowloris(port: int, *, byte_every_s: float, timeout_s: float) -> tuple[float | None, int]:
    """Send a WebSocket upgrade request one byte per `byte_every_s`, never finishing it.

    Between bytes it waits on the socket (the server's close is the awaited event). Returns
    (seconds until the server cut the connection or None, bytes sent)."""
    request = (f"GET /v1/speech-to-text/realtime?model_id=scribe_v2_realtime HTTP/1.1\r\n"
               f"Host: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Version: 13\r\nX-Padding: " + "a" * 4096).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sent = 0
    start = time.monotonic()
    try:
        sock.setblocking(False)
        for byte in request:
            if time.monotonic() - start > timeout_s:
                return None, sent
            try:
                sock.send(bytes([byte]))
                sent += 1
            except (BrokenPipeError, ConnectionResetError):
                return time.monotonic() - start, sent
            if _readable(sock, byte_every_s) and is_cut(sock):
                return time.monotonic() - start, sent
        return None, sent
    finally:
        sock.close()


@contextlib.contextmanager
def held(sockets: list[socket.socket]) -> Iterator[list[socket.socket]]:
    try:
        yield sockets
    finally:
        for sock in sockets:
            sock.close()
