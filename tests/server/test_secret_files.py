"""The secret stays private: --ready-file written safely, --secret-file, --secret warned."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from scribe_desktop.paths.secret_files import (
    PrivateFileError,
    read_secret_file,
    write_private_file,
)
from tests.conftest import launch_server
from tests.server.abuse import start_server


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_write_replaces_a_planted_symlink_and_leaves_its_target_untouched(tmp_path):
    """A symlink at the target is replaced by a 0600 file; the file it pointed to is intact."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    victim.chmod(0o644)
    link = tmp_path / "ready.json"
    link.symlink_to(victim)
    write_private_file(link, "secret line\n")
    assert not link.is_symlink()
    assert link.read_text() == "secret line\n"
    assert mode(link) == 0o600
    assert victim.read_text() == "precious\n" and mode(victim) == 0o644


def test_write_replaces_an_existing_file_atomically(tmp_path):
    """An existing file is replaced by a new inode; an open reader keeps the old content."""
    target = tmp_path / "ready.json"
    target.write_text("old\n")
    target.chmod(0o644)
    with target.open() as already_open:
        old_inode = os.fstat(already_open.fileno()).st_ino
        write_private_file(target, "new\n")
        assert already_open.read() == "old\n"  # never sees the secret
    assert target.stat().st_ino != old_inode
    assert target.read_text() == "new\n" and mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["ready.json"]  # no temporary left


def test_write_refuses_a_world_writable_directory_without_sticky_bit(tmp_path):
    """A directory anyone may write to (not sticky) is refused; a sticky one is accepted."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(PrivateFileError, match="writable by every user and not sticky"):
        write_private_file(shared / "ready.json", "x")
    assert list(shared.iterdir()) == []
    shared.chmod(0o1777)
    write_private_file(shared / "ready.json", "x")
    assert mode(shared / "ready.json") == 0o600


def test_read_secret_file_refuses_a_file_others_can_read(tmp_path):
    """A group- or world-readable secret file is refused with the chmod that fixes it."""
    path = tmp_path / "secret"
    path.write_text("  s3cret\n")
    path.chmod(0o640)
    with pytest.raises(PrivateFileError, match=r"accessible to other users \(mode 0640\).*"
                                               r"chmod 600"):
        read_secret_file(path, option="--secret-file")
    path.chmod(0o600)
    assert read_secret_file(path, option="--secret-file") == "s3cret"
    path.write_text("\n")
    with pytest.raises(PrivateFileError, match="empty"):
        read_secret_file(path, option="--secret-file")


@pytest.mark.slow
def test_server_ready_file_through_a_planted_symlink(tmp_path):
    """The server replaces a symlink planted at --ready-file; the link's target is untouched."""
    victim = tmp_path / "someone-elses.txt"
    victim.write_text("keep me\n")
    ready = tmp_path / "ready.json"
    ready.symlink_to(victim)
    server = launch_server("--engine-workers", "0", "--ready-file", str(ready))
    try:
        assert json.loads(ready.read_text()) == server.ready
        assert not ready.is_symlink() and mode(ready) == 0o600
        assert victim.read_text() == "keep me\n"
    finally:
        server.stop()


@pytest.mark.slow
def test_server_refuses_a_ready_file_in_a_world_writable_directory(tmp_path):
    """--ready-file in a world-writable non-sticky directory fails with a clear error."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    proc = subprocess.run([sys.executable, "-m", "scribe_desktop", "server", "--port", "0",
                           "--engine-workers", "0", "--ready-file", str(shared / "r.json")],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 1
    assert "writable by every user and not sticky" in proc.stderr
    assert list(shared.iterdir()) == []


@pytest.mark.slow
def test_server_reads_its_secret_from_a_private_file(tmp_path):
    """--secret-file sets the secret; nothing of it is on the command line."""
    path = tmp_path / "secret"
    path.write_text("from-file\n")
    path.chmod(0o600)
    server = start_server("--engine-workers", "0", "--secret-file", str(path))
    try:
        assert server.ready["secret"] == "from-file"
        cmdline = Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
        assert b"from-file" not in cmdline
        assert server.wait_for_line("listening on") is not None  # logged after the warning
        assert not any("--secret puts" in line for line in server.lines)
    finally:
        server.stop()


@pytest.mark.slow
def test_server_refuses_a_readable_secret_file(tmp_path):
    """A --secret-file readable by others stops the server with exit code 2."""
    path = tmp_path / "secret"
    path.write_text("x\n")
    path.chmod(0o644)
    proc = subprocess.run([sys.executable, "-m", "scribe_desktop", "server", "--port", "0",
                           "--secret-file", str(path)], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert "accessible to other users (mode 0644)" in proc.stderr
    assert f"chmod 600 {path}" in proc.stderr


@pytest.mark.slow
def test_secret_on_the_command_line_is_warned_about():
    """--secret still works, and the server logs that other users can read it."""
    server = start_server("--engine-workers", "0", "--secret", "on-the-cmdline")
    try:
        assert server.ready["secret"] == "on-the-cmdline"
        assert server.wait_for_line("other users of this machine can read it") is not None
    finally:
        server.stop()


def test_server_help_names_the_safe_routes():
    """`server --help` names --secret-file and the environment variable as the safe routes."""
    out = subprocess.run([sys.executable, "-m", "scribe_desktop", "server", "--help"],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    flat = " ".join(out.split())
    assert "--secret-file PATH" in flat
    assert "The safe routes are this and the environment variable " \
           "SCRIBE_DESKTOP_SERVER_SECRET" in flat
    assert "OTHER USERS CAN SEE IT" in flat
