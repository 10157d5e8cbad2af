"""Fixtures of the Wayland tests (registered in tests/conftest.py): `sway`, one headless sway
per test module, and `wl_target`, a Wayland-native Qt text field in another process on it."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.rig.wayland import SwaySession, _poll, sway_desktop

ROOT = Path(__file__).resolve().parents[2]


class WlTarget:
    """The Qt field; `text` is its current content, `app_id` its Wayland app id."""

    def __init__(self, sway: SwaySession, name: str = "target") -> None:
        self.app_id = f"scribe-target-{name}-{time.monotonic_ns()}"
        self.out = sway.root / f"{self.app_id}.txt"
        self.sway = sway
        env = {**sway.client_env(), "QT_QPA_PLATFORM": "wayland"}
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.inject.wl_target_app",
                                      str(self.out), "--app-id", self.app_id], env=env,
                                     cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode()
        assert line.startswith("ready"), f"the Wayland target did not start: {line!r}"
        _poll(lambda: (sway.focused() or {}).get("app_id") == self.app_id, 20,
              "the target window to have the focus")
        self.con_id = int((sway.focused() or {})["id"])

    @property
    def text(self) -> str:
        with contextlib.suppress(FileNotFoundError):
            return self.out.read_text(encoding="utf-8")
        return ""

    def key_log(self) -> list[str]:
        path = self.out.with_suffix(".keys")
        return path.read_text().splitlines() if path.exists() else []

    def wait_text(self, predicate: Callable[[str], bool], timeout_s: float, what: str) -> str:
        _poll(lambda: predicate(self.text), timeout_s, f"{what} (the field has {self.text!r})")
        return self.text

    def focus(self) -> None:
        self.sway.tool("swaymsg", f"[app_id={self.app_id}]", "focus")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture(scope="module")
def sway() -> Iterator[SwaySession]:
    with sway_desktop() as session:
        yield session


@pytest.fixture
def wl_target(sway: SwaySession) -> Iterator[WlTarget]:
    target = WlTarget(sway)
    yield target
    target.close()
