"""Shared fixtures: local servers started as real subprocesses.

`local_server` is one server for the whole test session (auth on, default flags);
`start_server(*extra_args)` starts a dedicated server with special flags, stopped after the
test. Both are synchronous, so they work in sync and async tests alike.
"""

from __future__ import annotations

import os

# Qt widgets render offscreen unless a test starts Xvfb and asks for xcb itself.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The model store the tests see starts empty (whatever the user running them installed), so
# `--engine auto` means pocketsphinx unless a test installs a model into a store of its own.
if "SCRIBE_DESKTOP_MODELS_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    os.environ["SCRIBE_DESKTOP_MODELS_DIR"] = tempfile.mkdtemp(prefix="scribe-test-models-")
    atexit.register(shutil.rmtree, os.environ["SCRIBE_DESKTOP_MODELS_DIR"], True)

import collections
import contextlib
import json
import queue
import secrets
import subprocess
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import pytest

# The virtual-microphone rig: ONE session-scoped PulseAudio daemon for the whole run. (Fixtures
# re-exported from several conftests would each start their own daemon and point PortAudio at
# whichever started last.)
pytest_plugins = ["tests.rig.plugin", "tests.rig.x11_fixtures", "tests.rig.wayland_fixtures"]

READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0


class ServerStartError(RuntimeError):
    """A test server that never printed its ready line."""


@dataclass
class RunningServer:
    """A `scribe-desktop server` subprocess: `.base_url`, `.secret`, `.port`, `.host`."""

    process: subprocess.Popen[bytes]
    ready: dict[str, Any]
    secret: str
    stderr_tail: collections.deque[str] = field(default_factory=lambda: collections.deque(
        maxlen=200))

    @property
    def base_url(self) -> str:
        return str(self.ready["base_url"])

    @property
    def port(self) -> int:
        return int(self.ready["port"])

    @property
    def host(self) -> str:
        return str(self.ready["host"])

    @property
    def ws_url(self) -> str:
        """ws:// URL of the realtime endpoint (no query)."""
        return "ws" + self.base_url[len("http"):] + "/v1/speech-to-text/realtime"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


def _pump(stream: IO[bytes], sink: Callable[[str], None]) -> None:
    with contextlib.suppress(ValueError, OSError):
        for raw in iter(stream.readline, b""):
            sink(raw.decode("utf-8", "replace"))
    sink("")  # EOF marker


def launch_server(*extra_args: str, secret: str | None = None,
                  cpus: set[int] | None = None) -> RunningServer:
    """Start `python -m scribe_desktop server --port 0 ...` and wait for its ready line;
    `cpus`: the only CPUs it may run on (its affinity, as `taskset` sets it)."""
    secret = secret or secrets.token_urlsafe(24)
    env = {**os.environ, "SCRIBE_DESKTOP_SERVER_SECRET": secret}
    # --exit-with-parent + a stdin pipe: a killed test run leaves no orphaned server behind
    proc = subprocess.Popen([sys.executable, "-m", "scribe_desktop", "server", "--port", "0",
                             "--exit-with-parent", *extra_args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env,
                            preexec_fn=None if cpus is None else
                            lambda: os.sched_setaffinity(0, cpus))
    assert proc.stdout is not None and proc.stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    tail: collections.deque[str] = collections.deque(maxlen=200)
    threading.Thread(target=_pump, args=(proc.stdout, lines.put), daemon=True).start()
    threading.Thread(target=_pump, args=(proc.stderr, tail.append), daemon=True).start()
    try:
        while True:
            line = lines.get(timeout=READY_TIMEOUT_S)
            if line == "":
                proc.wait(STOP_TIMEOUT_S)
                raise ServerStartError(f"server exited with {proc.returncode} before ready:\n"
                                       + "".join(tail))
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict) and event.get("event") == "ready":
                    return RunningServer(proc, event, secret, tail)
    except queue.Empty:
        proc.kill()
        proc.wait()
        raise ServerStartError(f"server not ready within {READY_TIMEOUT_S:g} s:\n"
                               + "".join(tail)) from None
    except BaseException:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        raise


@pytest.fixture(scope="session")
def local_server() -> Iterator[RunningServer]:
    """One default server (auth on) shared by the whole test session."""
    server = launch_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def start_server() -> Iterator[Callable[..., RunningServer]]:
    """Factory: `start_server(*extra_args, secret=None, cpus=None)` -> a dedicated running
    server."""
    started: list[RunningServer] = []

    def start(*extra_args: str, secret: str | None = None,
              cpus: set[int] | None = None) -> RunningServer:
        server = launch_server(*extra_args, secret=secret, cpus=cpus)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session", autouse=True)
def isolated_user_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every app, CLI and worker run of the tests (and their subprocesses) records its
    history under a temporary XDG_DATA_HOME, never in the real user's."""
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    yield
    patch.undo()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None],
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing test that used a local server gets the server's log in its report: the
    shared server's side of a failure is otherwise lost with its process."""
    report = yield
    server = getattr(item, "funcargs", {}).get("local_server")
    if report.failed and isinstance(server, RunningServer):
        report.sections.append(("local_server log (last lines)",
                                "".join(list(server.stderr_tail)[-60:])))
    return report
