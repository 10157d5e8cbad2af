"""A real X11 desktop for insertion and hotkey tests: Xvfb on a free display (-displayfd)
plus openbox (bare Xvfb has no _NET_ACTIVE_WINDOW: test-rig.md), and a Tk target app in
another process whose text field content is read back from a file it rewrites on change."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

STARTUP_TIMEOUT_S = 30.0  # Xvfb + openbox on a loaded 2-core machine


class X11Desktop:
    def __init__(self, display: str, root: Path) -> None:
        self.display = display
        self.root = root
        self.env = {**os.environ, "DISPLAY": display}

    def client_env(self) -> dict[str, str]:
        return dict(self.env)

    def run(self, *args: str, stdin: bytes | None = None, timeout_s: float = 10.0
            ) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(args, input=stdin, capture_output=True, env=self.env,
                              timeout=timeout_s, check=False)

    def xdotool(self, *args: str) -> str:
        done = self.run("xdotool", *args)
        assert done.returncode == 0, done.stderr
        return done.stdout.decode().strip()

    def set_clipboard(self, text: str) -> None:
        """Owned by a background xclip that stays alive (X11 content dies with its owner)."""
        subprocess.run(["xclip", "-selection", "clipboard", "-i"], input=text.encode(),
                       env=self.env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=10)

    def clipboard(self) -> str | None:
        done = self.run("xclip", "-selection", "clipboard", "-o", "-t", "UTF8_STRING")
        return done.stdout.decode() if done.returncode == 0 else None


def wait_until(predicate: Callable[[], bool], timeout_s: float, what: str,
               poll_s: float = 0.02) -> None:
    """Poll `predicate` (a file or an X property: nothing to wait on) until a deadline."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(poll_s)  # polling interval of a condition with a deadline, not a wait


class TargetApp:
    """The Tk text field in its own process; `text` is its current content."""

    def __init__(self, desktop: X11Desktop, name: str = "target") -> None:
        self.out = desktop.root / f"{name}.txt"
        self.title = f"scribe-target-{name}-{time.monotonic_ns()}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.inject.target_app", str(self.out),
             "--title", self.title],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=desktop.env,
            cwd=Path(__file__).resolve().parents[2])
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode()
        assert line.startswith("ready"), f"target app did not start: {line!r}"
        self.desktop = desktop
        wait_until(lambda: self.active, STARTUP_TIMEOUT_S, "the target window to be active")

    @property
    def window(self) -> int:
        return int(self.desktop.xdotool("search", "--name", f"^{self.title}$").split()[-1])

    @property
    def active(self) -> bool:
        done = self.desktop.run("xdotool", "getactivewindow", "getwindowname")
        return done.returncode == 0 and done.stdout.decode().strip() == self.title

    @property
    def text(self) -> str:
        with contextlib.suppress(FileNotFoundError):
            return self.out.read_text(encoding="utf-8")
        return ""

    def wait_text(self, predicate: Callable[[str], bool], timeout_s: float, what: str) -> str:
        wait_until(lambda: predicate(self.text), timeout_s, what)
        return self.text

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@contextlib.contextmanager
def x11_desktop() -> Iterator[X11Desktop]:
    """Xvfb + openbox on a free display; DISPLAY set in this process meanwhile."""
    for tool in ("Xvfb", "openbox", "xdotool", "xclip"):
        assert shutil.which(tool), f"{tool} is missing: run scripts/test (it installs it)"
    root = Path(tempfile.mkdtemp(prefix="scribe-x11-"))
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                             "1280x800x24", "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    wm: subprocess.Popen[bytes] | None = None
    old_display = os.environ.get("DISPLAY")
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not report a display"
        desktop = X11Desktop(f":{number}", root)
        with (root / "openbox.log").open("wb") as wm_log:
            wm = subprocess.Popen(["openbox", "--sm-disable"], env=desktop.env,
                                  stdout=wm_log, stderr=subprocess.STDOUT)
        # openbox is up once it has set _NET_SUPPORTING_WM_CHECK on the root window
        wait_until(lambda: b"window id" in desktop.run(
            "xprop", "-root", "_NET_SUPPORTING_WM_CHECK").stdout, STARTUP_TIMEOUT_S,
            "openbox: " + (root / "openbox.log").read_text(errors="replace"))
        os.environ["DISPLAY"] = desktop.display
        yield desktop
    finally:
        if old_display is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = old_display
        for proc in (wm, xvfb):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        shutil.rmtree(root, ignore_errors=True)
