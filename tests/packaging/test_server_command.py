"""The app starts its local server from the same binary inside a bundle (local_server.py)."""

from __future__ import annotations

import sys

import pytest

from scribe_desktop.connect.server_process import LocalServerProcess, server_command


def test_bundle_runs_its_server_as_a_subcommand_of_itself() -> None:
    """Frozen, the command is `<bundle binary> server` (the binary has no -m)."""
    assert server_command(frozen=True) == [sys.executable, "server"]


def test_interpreter_runs_the_server_module() -> None:
    """Unfrozen, the command is `python -m scribe_desktop server`."""
    assert server_command(frozen=False) == [sys.executable, "-m", "scribe_desktop", "server"]


def test_explicit_interpreter_wins_even_when_frozen() -> None:
    """An explicit interpreter is always run with -m."""
    assert server_command("/opt/py", frozen=True) == ["/opt/py", "-m", "scribe_desktop",
                                                      "server"]


def test_process_uses_the_frozen_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """LocalServerProcess asks sys.frozen at construction and passes its extra flags on."""
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    proc = LocalServerProcess("--no-auth")
    assert list(proc._args) == [sys.executable, "server", "--port", "0", "--exit-with-parent",
                                "--no-auth"]
