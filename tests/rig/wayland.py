"""A headless Wayland desktop for push-to-talk tests: sway on the headless wlroots backend
(software rendering), XWayland, one idle virtual keyboard, the tools of the app (wtype,
wl-clipboard) and of the tests (swaymsg). test-rig.md "Headless Wayland desktop (sway)",
turned into a context manager like tests/inject/x11_rig.py.

sway refuses to run as root, so as root it runs as nobody (setpriv) in a nobody-owned
directory; root clients reach it through that directory. Clients get absolute paths in
WAYLAND_DISPLAY and SWAYSOCK (`env`), so they may keep their own XDG_RUNTIME_DIR.

The keeper (`wtype -s 3600000 -m shift`) is one idle virtual keyboard for the whole session:
without it every wtype call is the seat's first keyboard and the focused client
intermittently loses the first key (test-rig.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

STARTUP_TIMEOUT_S = 30.0
NOBODY = 65534
TOOLS = ("sway", "swaymsg", "wtype", "wl-copy", "wl-paste", "xhost")


def _poll(predicate: Callable[[], bool], timeout_s: float, what: str, log: Path | None = None,
          poll_s: float = 0.02) -> None:
    """Poll a condition with no event to wait on (a socket appearing, IPC answering)."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}\n{tail}")
        time.sleep(poll_s)


class SwaySession:
    """A running sway; `env` is what a client needs to use it."""

    def __init__(self, root: Path, run: Path, sway: subprocess.Popen[bytes]) -> None:
        self.root = root
        self.run = run
        self.sway = sway
        self.log = root / "sway.log"
        self.env: dict[str, str] = {}
        self.keeper: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> str:
        return self.env["SWAYSOCK"]

    def client_env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ if base is None else base)
        env.pop("DISPLAY", None)
        return {**env, **self.env}

    def tool(self, *args: str, stdin: bytes | None = None, timeout_s: float = 10.0,
             check: bool = True) -> subprocess.CompletedProcess[bytes]:
        done = subprocess.run(args, input=stdin, capture_output=True, env=self.client_env(),
                              timeout=timeout_s, check=False)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed: {done.stderr.decode()}")
        return done

    def swaymsg(self, *args: str) -> Any:
        """swaymsg with JSON output, parsed."""
        return json.loads(self.tool("swaymsg", "-r", *args).stdout or b"null")

    def wtype(self, *args: str) -> None:
        self.tool("wtype", *args)

    def clipboard(self) -> str | None:
        done = self.tool("wl-paste", "--no-newline", check=False)
        return done.stdout.decode() if done.returncode == 0 else None

    def set_clipboard(self, text: str) -> None:
        """Owned by a background wl-copy (it forks and keeps serving, with our pipes: so
        none are given to it)."""
        subprocess.run(["wl-copy"], input=text.encode(), env=self.client_env(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)

    def focused(self) -> dict[str, Any] | None:
        def find(node: dict[str, Any]) -> dict[str, Any] | None:
            if node.get("focused") and node.get("type") in ("con", "floating_con"):
                return node
            for child in (*node.get("nodes", ()), *node.get("floating_nodes", ())):
                found = find(child)
                if found is not None:
                    return found
            return None
        return find(self.swaymsg("-t", "get_tree"))


def _start(session: SwaySession, display_file: Path) -> None:
    run = session.run
    _poll(lambda: session.sway.poll() is not None or bool(list(run.glob("sway-ipc.*.sock"))),
          STARTUP_TIMEOUT_S, "sway's IPC socket", session.log)
    if session.sway.poll() is not None:
        raise AssertionError("sway exited:\n" + session.log.read_text(errors="replace"))
    session.env["SWAYSOCK"] = str(next(run.glob("sway-ipc.*.sock")))

    def outputs() -> bool:
        done = subprocess.run(["swaymsg", "-s", session.socket, "-t", "get_outputs"],
                              capture_output=True, timeout=5, check=False)
        return b"HEADLESS-1" in done.stdout and display_file.exists() and \
            bool(display_file.read_text().strip())
    _poll(outputs, STARTUP_TIMEOUT_S, "sway's output and XWayland's DISPLAY", session.log)
    wayland = next(p for p in run.iterdir() if p.name.startswith("wayland-")
                   and not p.name.endswith(".lock"))
    session.env.update(WAYLAND_DISPLAY=str(wayland), DISPLAY=display_file.read_text().strip(),
                       XDG_SESSION_TYPE="wayland", XDG_CURRENT_DESKTOP="sway")
    session.keeper = subprocess.Popen(["wtype", "-s", "3600000", "-m", "shift"],
                                      env=session.client_env(), stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
    _poll(lambda: any(s.get("capabilities", 0) for s in session.swaymsg("-t", "get_seats")),
          STARTUP_TIMEOUT_S, "the seat's keyboard", session.log)
    if os.getuid() == 0:  # XWayland runs as nobody: admit root's X clients
        out = run / "xhost.out"
        session.tool("swaymsg", "exec", f"xhost +si:localuser:root > {out}")
        _poll(lambda: out.exists() and out.stat().st_size > 0, STARTUP_TIMEOUT_S,
              "xhost", session.log)


@contextlib.contextmanager
def sway_desktop(extra_config: str = "") -> Iterator[SwaySession]:
    """sway running headless until the block ends (see the module doc)."""
    for tool in TOOLS:
        assert shutil.which(tool), f"{tool} is missing: run scripts/test (it installs it)"
    root = Path(tempfile.mkdtemp(prefix="scribe-sway-"))
    run = root / "run"
    run.mkdir(mode=0o700)
    display_file = run / "display"
    (root / "sway.conf").write_text("\n".join([
        "output HEADLESS-1 resolution 1280x720 bg #335577 solid_color",
        "xwayland enable", f"exec printenv DISPLAY > {display_file}", extra_config]) + "\n")
    as_nobody: list[str] = []
    if os.getuid() == 0:  # sway 1.7 refuses to run as root
        for path in (root, run):
            os.chown(path, NOBODY, NOBODY)
        os.chown(root / "sway.conf", NOBODY, NOBODY)
        as_nobody = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SWAYSOCK")}
    env.update(HOME=str(root), XDG_RUNTIME_DIR=str(run), WLR_BACKENDS="headless",
               WLR_LIBINPUT_NO_DEVICES="1", WLR_RENDERER="pixman")
    log = (root / "sway.log").open("wb")
    sway = subprocess.Popen([*as_nobody, "sway", "-c", str(root / "sway.conf")], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    session = SwaySession(root, run, sway)
    try:
        _start(session, display_file)
        yield session
    finally:
        for proc in (session.keeper, sway):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        log.close()
        shutil.rmtree(root, ignore_errors=True)
