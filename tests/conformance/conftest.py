"""Helpers for the conformance tests: real speech, and a runner for the node scripts.

The server is a real `python -m scribe_desktop server --port 0` subprocess, once per engine:
`local_server` here overrides tests/conftest.py's, parametrized by engine (pocketsphinx, and
whisper with tiny.en), so every official-client test runs against both. The official JS
clients run as node subprocesses (tests/conformance/*.mjs) that print one JSON line per
event; `run_node` parses them into a `NodeRun`. The node packages come from
`npm ci --prefix tests/conformance` (pinned in package-lock.json); without them every JS test
fails with that instruction instead of skipping.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest

from tests.conftest import RunningServer, launch_server
from tests.speech import synth
from tests.whisper_model import launch_whisper_server

HERE = Path(__file__).resolve().parent
NODE_PACKAGES = ("@elevenlabs/client", "@elevenlabs/elevenlabs-js", "ws")


class ServerInfo(Protocol):
    """What the tests use of tests/conftest.py's `local_server`."""

    @property
    def base_url(self) -> str: ...

    @property
    def secret(self) -> str: ...

    @property
    def port(self) -> int: ...


def server_log(server: ServerInfo) -> str:
    """The tail of the server's stderr, when the fixture keeps one (for failure messages)."""
    tail = getattr(server, "stderr_tail", None)
    return "server stderr:\n" + "".join(tail or [])[-3000:]


@dataclass(frozen=True)
class Speech:
    """A sentence, its WAV file (16 kHz mono s16le) and its duration."""

    text: str
    wav: Path
    seconds: float


@dataclass
class NodeRun:
    """What one node script did: its exit code, the client's events in order, the harness's own
    lines (what the script sent) and stderr."""

    argv: list[str]
    returncode: int
    events: list[tuple[str, Any]] = field(default_factory=list)
    harness: list[tuple[str, Any]] = field(default_factory=list)
    stderr: str = ""
    server: ServerInfo | None = None

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def describe(self) -> str:
        lines = [f"$ {' '.join(self.argv)}", f"exit code {self.returncode}"]
        lines += [f"  client  {n}: {json.dumps(d)[:300]}" for n, d in self.events]
        lines += [f"  harness {n}: {json.dumps(d)[:300]}" for n, d in self.harness]
        lines.append("node stderr:\n" + self.stderr[-3000:])
        if self.server is not None:
            lines.append(server_log(self.server))
        return "\n".join(lines)


@pytest.fixture(scope="session", params=["pocketsphinx", "whisper"])
def local_server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    """A default server (auth on) per engine, shared by the conformance tests."""
    server = launch_whisper_server() if request.param == "whisper" else launch_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def node_bin() -> str:
    """The node binary, with the pinned packages installed next to the scripts."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the conformance tests need Node >= 20.10")
    modules = HERE / "node_modules"
    missing = [p for p in NODE_PACKAGES if not (modules / p / "package.json").exists()]
    if missing:
        pytest.fail(f"node packages missing ({', '.join(missing)}): run "
                    "`npm ci --prefix tests/conformance` (CI does this before pytest)")
    return node


def run_node(node: str, script: str, server: ServerInfo, *args: str,
             node_flags: tuple[str, ...] = (), timeout_s: float = 45.0) -> NodeRun:
    """Run tests/conformance/<script> and parse its JSON lines (see harness.mjs)."""
    argv = [node, *node_flags, str(HERE / script), "--base-url", server.base_url, *args,
            "--timeout-s", str(timeout_s)]
    proc = subprocess.run(argv, cwd=HERE, capture_output=True, text=True, timeout=timeout_s + 15)
    run = NodeRun(argv=argv, returncode=proc.returncode, stderr=proc.stderr, server=server)
    for line in proc.stdout.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            pytest.fail(f"{script} printed a non-JSON line on stdout: {line!r}\n{run.describe()}")
        target = run.events if record["source"] == "client" else run.harness
        target.append((record["event"], record["data"]))
    return run


def make_speech(text: str) -> Speech:
    wav = synth(text, lead_silence_s=0.2, tail_silence_s=0.5)
    import soundfile

    info = soundfile.info(str(wav))
    return Speech(text=text, wav=wav, seconds=float(info.frames) / float(info.samplerate))
