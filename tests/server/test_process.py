"""The `server` command line and `LocalServerProcess`."""

from __future__ import annotations

import json
import os
import select
import stat
import subprocess
import sys

import pytest

from scribe_desktop.connect.server_process import LocalServerError, LocalServerProcess
from tests.conftest import launch_server
from tests.server.wire import connect

pytestmark = pytest.mark.slow


async def test_local_server_process_starts_serves_and_stops():
    """LocalServerProcess starts a server that accepts its secret, and stops it on exit."""
    async with LocalServerProcess() as server:
        assert server.base_url == f"http://127.0.0.1:{server.port}"
        assert server.host == "127.0.0.1"
        async with connect(server, key=server.secret) as conn:
            assert (await conn.recv())["message_type"] == "session_started"
    assert server.returncode is not None


async def test_local_server_process_reports_a_bad_flag():
    """A bad flag fails start() with an error quoting the server's stderr."""
    with pytest.raises(LocalServerError) as info:
        async with LocalServerProcess("--no-such-flag"):
            pass
    assert "exited with code 2" in str(info.value)
    assert "--no-such-flag" in str(info.value)


async def test_local_server_process_reports_remote_host_without_allow_remote():
    """A non-loopback --host without --allow-remote fails with a clear message."""
    with pytest.raises(LocalServerError) as info:
        async with LocalServerProcess("--host", "0.0.0.0"):
            pass
    assert "--allow-remote" in str(info.value)


def test_ready_line_and_ready_file(tmp_path):
    """The ready line is one JSON object on stdout, also written to a 0600 --ready-file."""
    ready_file = tmp_path / "ready.json"
    server = launch_server("--ready-file", str(ready_file), secret="s3cret")
    try:
        assert set(server.ready) == {"event", "host", "port", "base_url", "secret", "engine",
                                     "model", "languages", "features"}
        assert server.ready["secret"] == "s3cret"
        assert (server.ready["engine"], server.ready["languages"]) == ("pocketsphinx", ["en"])
        assert json.loads(ready_file.read_text()) == server.ready
        assert stat.S_IMODE(ready_file.stat().st_mode) == 0o600
    finally:
        server.stop()
    assert server.process.returncode == 0  # SIGTERM is a clean shutdown


def test_secret_flag_overrides_environment():
    """--secret wins over the environment variable."""
    server = launch_server("--secret", "from-flag", secret="from-env")
    try:
        assert server.ready["secret"] == "from-flag"
    finally:
        server.stop()


def test_server_help_lists_flags():
    """`server --help` documents the agreed flags."""
    out = subprocess.run([sys.executable, "-m", "scribe_desktop", "server", "--help"],
                         capture_output=True, text=True, check=True,
                         env={**os.environ}).stdout
    for flag in ("--port", "--host", "--ready-file", "--no-auth", "--allow-origin",
                 "--idle-timeout", "--max-chunk-seconds", "--secret", "--allow-remote",
                 "--lenient-commits", "--log-level", "--max-sessions", "--auto-commit-seconds",
                 "--engine-workers"):
        assert flag in out


PARENT_SCRIPT = """
import asyncio, sys
from scribe_desktop.connect.server_process import LocalServerProcess

async def main():
    async with LocalServerProcess("--engine-workers", "0") as server:
        print(server.pid, flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""


@pytest.mark.slow
def test_server_exits_when_its_parent_is_killed() -> None:
    """A LocalServerProcess child shuts down when its parent dies by SIGKILL (no orphans)."""
    parent = subprocess.Popen([sys.executable, "-c", PARENT_SCRIPT], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        assert parent.stdout is not None
        server_pid = int(parent.stdout.readline())
        pidfd = os.pidfd_open(server_pid)
    finally:
        parent.kill()
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()
    try:
        # The pid file descriptor becomes readable when the process exits: a wait, not a poll.
        readable, _, _ = select.select([pidfd], [], [], 30)
        assert readable, f"server {server_pid} still runs 30 s after its parent was killed"
    finally:
        os.close(pidfd)
