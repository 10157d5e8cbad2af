"""Client commands take the server secret from a private file, the environment or the flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunningServer

from .test_transcribe_cli import REPO, SAMPLE, cli

pytestmark = pytest.mark.slow

REFERENCE = (REPO / "resources/samples/dictation-16k.txt").read_text()


def secret_file(tmp_path: Path, secret: str, mode: int = 0o600) -> Path:
    path = tmp_path / "server-secret"
    path.write_text(secret + "\n")
    path.chmod(mode)
    return path


def test_transcribe_reads_the_secret_from_a_private_file(local_server: RunningServer,
                                                         tmp_path: Path) -> None:
    """--server-secret-file authenticates without the secret on the command line."""
    path = secret_file(tmp_path, local_server.secret)
    proc = cli(str(SAMPLE), "--server-url", local_server.base_url, "--server-secret-file",
               str(path), "--no-history", env={"SCRIBE_DESKTOP_SERVER_SECRET": ""})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    assert "warning" not in proc.stderr


def test_transcribe_refuses_a_secret_file_others_can_read(local_server: RunningServer,
                                                          tmp_path: Path) -> None:
    """A group-readable --server-secret-file is a usage error naming the fix."""
    path = secret_file(tmp_path, local_server.secret, 0o640)
    proc = cli(str(SAMPLE), "--server-url", local_server.base_url, "--server-secret-file",
               str(path), "--no-history")
    assert proc.returncode == 2
    assert "accessible to other users (mode 0640)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_transcribe_warns_about_the_secret_on_the_command_line(
        local_server: RunningServer) -> None:
    """--server-secret still works and warns that other users can see it."""
    proc = cli(str(SAMPLE), "--server-url", local_server.base_url, "--server-secret",
               local_server.secret, "--no-history")
    assert proc.returncode == 0, proc.stderr
    assert "warning: --server-secret is visible to other users" in proc.stderr


def test_listen_refuses_a_secret_file_others_can_read(tmp_path: Path) -> None:
    """`listen --server-secret-file` checks the file before it opens the microphone."""
    import subprocess
    import sys

    path = secret_file(tmp_path, "x", 0o604)
    proc = subprocess.run([sys.executable, "-m", "scribe_desktop", "listen", "--server-url",
                           "http://127.0.0.1:9", "--server-secret-file", str(path),
                           "--no-history"], capture_output=True, text=True, timeout=60,
                          cwd=REPO, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, proc.stderr
    assert "accessible to other users (mode 0604)" in proc.stderr


def test_client_help_names_the_safe_routes() -> None:
    """`transcribe --help` offers --server-secret-file and warns about --server-secret."""
    flat = " ".join(cli("--help").stdout.split())
    assert "--server-secret-file PATH" in flat
    assert "OTHER USERS CAN SEE IT" in flat
