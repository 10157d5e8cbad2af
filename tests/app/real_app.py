"""`RealApp`: the `scribe-desktop` process itself (`python -m scribe_desktop`, no subcommand)
on an X11 desktop, isolated from the real user, driven and read the way a user would.

Isolation: its own HOME and XDG config/data/state/cache/runtime directories (so QSettings,
the log and the history live in a temporary directory), a keyring that stores nothing
(`keyring.backends.null.Keyring`: the local backend needs no key), and a private
single-instance name (`SCRIBE_DESKTOP_INSTANCE`). Audio comes from the isolated PulseAudio
rig (`pulse_rig.client_env()`); its ALSA config (the named `scribe_vmic` device) is copied
into the app's own XDG_CONFIG_HOME.

Driving: `remote("start")` runs `python -m scribe_desktop --start` (what a desktop shortcut
runs), `key(...)` presses keys in the activated main window (xdotool).
Reading:
- what the window shows: `copy_all()` presses Ctrl+Shift+C (Edit → Copy all: the committed
  pane as plain text) and reads the X11 clipboard, which the app owns, with xclip;
- when something has happened: `wait_log(...)` polls the app's own log file (its state
  transitions and backend status are logged at INFO), bounded by a deadline.
"""

from __future__ import annotations

import collections
import contextlib
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from tests.inject.x11_rig import X11Desktop, wait_until
from tests.rig.pulse import PulseRig

from .ui_screenshots import Rect, client_rect

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 30.0
QUIT_TIMEOUT_S = 30.0
CLIPBOARD_SENTINEL = "scribe-e2e: nothing copied yet"


def _pump(stream: IO[bytes], sink: queue.Queue[str]) -> None:
    with contextlib.suppress(ValueError, OSError):
        for raw in iter(stream.readline, b""):
            sink.put(raw.decode("utf-8", "replace"))
    sink.put("")  # EOF


def process_tree(pid: int) -> set[int]:
    """`pid` and all its descendants now (from /proc)."""
    parents: dict[int, list[int]] = collections.defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])  # the name may hold spaces
            parents[ppid].append(int(entry.name))
    tree, todo = set(), [pid]
    while todo:
        current = todo.pop()
        tree.add(current)
        todo.extend(parents.get(current, ()))
    return tree


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class RealApp:
    """One launch of the app under `root` (a fresh temporary directory)."""

    def __init__(self, desktop: X11Desktop, rig: PulseRig, root: Path, *,
                 first_run: bool = False, settings: dict[str, str] | None = None) -> None:
        """`first_run`: a user who has never started the app (the welcome opens); else the
        welcome counts as shown, so it does not cover the window under test. `settings`:
        stored settings by field name (e.g. {"commit_strategy": "manual"})."""
        self.desktop = desktop
        self.root = root
        dirs = {name: root / name for name in ("home", "config", "data", "state", "cache",
                                                "run")}
        for path in dirs.values():
            path.mkdir(parents=True, exist_ok=True)
        dirs["run"].chmod(0o700)
        (dirs["config"] / "alsa").mkdir(exist_ok=True)
        shutil.copy(rig.config_home / "alsa" / "asoundrc", dirs["config"] / "alsa" / "asoundrc")
        if not first_run:  # QSettings' native file on Linux: $XDG_CONFIG_HOME/<org>/<app>.conf
            conf = dirs["config"] / "scribe-desktop" / "scribe-desktop.conf"
            conf.parent.mkdir(exist_ok=True)
            stored = {"welcome_done": "true", **(settings or {})}
            conf.write_text("[General]\n" + "".join(f"{k}={v}\n" for k, v in stored.items()))
        self.env = {**rig.client_env(), "DISPLAY": desktop.display, "QT_QPA_PLATFORM": "xcb",
                    "HOME": str(dirs["home"]), "XDG_CONFIG_HOME": str(dirs["config"]),
                    "XDG_DATA_HOME": str(dirs["data"]), "XDG_STATE_HOME": str(dirs["state"]),
                    "XDG_CACHE_HOME": str(dirs["cache"]), "XDG_RUNTIME_DIR": str(dirs["run"]),
                    "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
                    "SCRIBE_DESKTOP_INSTANCE": f"scribe-e2e-{os.getpid()}-{time.monotonic_ns()}"}
        for name in ("WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "ELEVENLABS_API_KEY"):
            self.env.pop(name, None)
        self.log_path = dirs["state"] / "scribe-desktop" / "log" / "scribe-desktop.log"
        # the session history: platformdirs' user data dir under XDG_DATA_HOME
        self.history_path = dirs["data"] / "scribe-desktop" / "history.sqlite3"
        self.stderr_path = root / "app.stderr"
        self.proc: subprocess.Popen[bytes] | None = None
        self.window = 0
        self.tree: set[int] = set()

    # -- lifecycle -------------------------------------------------------------------------------

    def launch(self) -> str:
        """Start the app; returns its ready line once the main window is shown."""
        with self.stderr_path.open("wb") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "scribe_desktop", "--print-ready"], cwd=self.root,
                env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr,
                start_new_session=True)  # its own process group: a fallback to end it all
        assert self.proc.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_pump, args=(self.proc.stdout, lines), daemon=True).start()
        try:
            ready = lines.get(timeout=READY_TIMEOUT_S)
        except queue.Empty:
            raise AssertionError(f"the app did not start: {self.tail()}") from None
        assert '"window_shown": true' in ready, f"{ready!r} {self.tail()}"
        self._find_window()
        return ready

    def _find_window(self) -> None:
        assert self.proc is not None
        found = self.desktop.xdotool("search", "--sync", "--onlyvisible", "--pid",
                                     str(self.proc.pid))
        self.window = int(found.split()[0])  # only the main window is up at this point

    def quit(self) -> int:
        """SIGTERM (what a session logout sends), as File → Quit does; the exit code. Then
        every process the app started (the server child and its engine workers) must be gone."""
        proc = self.proc
        if proc is None:
            return 0
        self.tree = process_tree(proc.pid)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(QUIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the app did not quit on SIGTERM: {self.tail()}") from None
        try:
            wait_until(lambda: not any(alive(p) for p in self.tree), 15, "children to exit")
        except AssertionError:
            orphans = sorted(p for p in self.tree if alive(p))
            self.kill()
            raise AssertionError(f"orphans left behind: {orphans}") from None
        return code

    def kill(self) -> None:
        """The last resort: end the app's process group and anything left of its tree."""
        if self.proc is None:
            return
        pids = self.tree | (process_tree(self.proc.pid) if self.proc.poll() is None else set())
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)

    def tail(self) -> str:
        parts = []
        for path in (self.stderr_path, self.log_path):
            with contextlib.suppress(OSError):
                parts.append(f"--- {path.name}:\n" + path.read_text(errors="replace")[-3000:])
        return "\n".join(parts)

    # -- driving ---------------------------------------------------------------------------------

    def remote(self, command: str, *flags: str) -> str:
        """`scribe-desktop --<command>` with the same instance: its reply (the state)."""
        done = subprocess.run([sys.executable, "-m", "scribe_desktop", f"--{command}",
                               *flags],
                              cwd=self.root, env=self.env, capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 0, (done.stdout, done.stderr)
        return done.stdout.strip()

    def activate(self) -> None:
        self.desktop.xdotool("windowactivate", "--sync", str(self.window))

    def key(self, *keys: str) -> None:
        """Keys pressed in the main window (activated first, as a user clicks into it)."""
        self.activate()
        self.desktop.xdotool("key", "--clearmodifiers", *keys)

    def move(self, x: int, y: int) -> None:
        self.desktop.xdotool("windowmove", "--sync", str(self.window), str(x), str(y))

    def config(self, *args: str) -> str:
        """`scribe-desktop config ...` for this app's settings (before or while it runs)."""
        done = subprocess.run([sys.executable, "-m", "scribe_desktop", "config", *args],
                              cwd=self.root, env=self.env, capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 0, (done.stdout, done.stderr)
        return done.stdout.strip()

    # -- reading ---------------------------------------------------------------------------------

    def log_text(self) -> str:
        with contextlib.suppress(FileNotFoundError):
            return self.log_path.read_text(errors="replace")
        return ""

    def log_mark(self) -> int:
        return len(self.log_text())

    def wait_log(self, pattern: str, timeout_s: float, since: int = 0) -> str:
        """The first log line after offset `since` matching `pattern` (a regex)."""
        found: list[str] = []

        def seen() -> bool:
            match = re.search(pattern, self.log_text()[since:])
            if match:
                found.append(match.group(0))
            return bool(match)
        try:
            wait_until(seen, timeout_s, f"log line {pattern!r}", poll_s=0.05)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.tail()}") from None
        return found[0]

    def copy_all(self) -> str:
        """Edit → Copy all (Ctrl+Shift+C), then the clipboard: the committed pane's text."""
        self.desktop.set_clipboard(CLIPBOARD_SENTINEL)
        self.key("ctrl+shift+c")
        wait_until(lambda: self.desktop.clipboard() not in (CLIPBOARD_SENTINEL, None), 10,
                   "the copied transcript on the clipboard", poll_s=0.05)
        return self.desktop.clipboard() or ""

    def wait_committed(self, predicate: Callable[[str], bool], timeout_s: float,
                       what: str) -> str:
        """Copy all until `predicate(text)` holds; the text. A copy whose text never reached
        the clipboard is tried again, not taken for an empty window (each try is bounded by
        copy_all's own wait, the whole by `timeout_s`)."""
        texts = ["(nothing copied yet)"]

        def check() -> bool:
            try:
                texts[0] = self.copy_all()
            except AssertionError as exc:
                texts[0] = f"(not copied: {exc})"
                return False
            return bool(predicate(texts[0]))
        try:
            wait_until(check, timeout_s, what, poll_s=0.3)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the window shows {texts[0]!r}\n{self.tail()}"
                                 ) from None
        return texts[0]

    def frame(self, window: int | None = None) -> Rect:
        """The window's rectangle on screen with the window manager's frame (title bar)."""
        wid = window or self.window
        inside = client_rect(self.desktop.display, wid)
        extents = self.desktop.run("xprop", "-id", str(wid), "_NET_FRAME_EXTENTS").stdout
        numbers = re.findall(rb"\d+", extents.split(b"=", 1)[-1]) if b"=" in extents else []
        left, right, top, bottom = (int(n) for n in numbers) if len(numbers) == 4 else (0,) * 4
        return Rect(inside.x - left, inside.y - top, inside.width + left + right,
                    inside.height + top + bottom)

    def find_window(self, title: str, timeout_s: float = 20) -> int:
        """A visible window of the app titled exactly `title` (e.g. an error dialog)."""
        assert self.proc is not None
        pid = str(self.proc.pid)
        found: list[int] = []

        def search() -> bool:
            done = self.desktop.run("xdotool", "search", "--all", "--onlyvisible", "--pid",
                                    pid, "--name",
                                    f"^{re.escape(title)}$")  # --all: both must match
            found[:] = [int(w) for w in done.stdout.split()]
            return bool(found)
        def framed() -> bool:  # the window manager has put its frame around it
            return b"=" in self.desktop.run("xprop", "-id", str(found[0]),
                                            "_NET_FRAME_EXTENTS").stdout
        try:
            wait_until(search, timeout_s, f"a window titled {title!r}", poll_s=0.1)
            wait_until(framed, timeout_s, f"the window manager to frame {title!r}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.tail()}") from None
        return found[0]
