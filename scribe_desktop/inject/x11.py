"""The X11 side of insertion, through command-line tools run as asyncio
subprocesses: xdotool (active window, activation, keys, typing), xprop (WM_CLASS) and xclip
(the CLIPBOARD). Checked on Xvfb + openbox (test-rig.md "Hotkeys and typing on X11").

Clipboard ownership is per process on X11: content vanishes with its owner. A paste offer is
an `xclip -l 1 -quiet` process that owns the CLIPBOARD until ONE selection request (the
target's paste) has been served, then exits: that exit is how we know the paste happened,
so the previous clipboard is restored after it, never after a blind fixed delay (Handy #502).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from dataclasses import dataclass

TOOL_TIMEOUT_S = 5.0
OFFER_READY_TIMEOUT_S = 3.0
# Text targets in order of preference; then anything else worth keeping.
_TEXT_TARGETS = ("UTF8_STRING", "text/plain;charset=utf-8", "STRING", "TEXT")
_OTHER_TARGETS = ("image/png", "text/html", "text/uri-list")
_BACKSPACE_BATCH = 100


class X11ToolError(RuntimeError):
    """An X11 tool failed or is missing; the message names it."""


@dataclass(frozen=True, slots=True)
class InjectionStatus:
    available: bool
    message: str


def injection_status(env: dict[str, str] | None = None) -> InjectionStatus:
    """Can we insert text here (X11 display and the tools present)?"""
    env = dict(os.environ) if env is None else env
    if env.get("XDG_SESSION_TYPE") == "wayland" or env.get("WAYLAND_DISPLAY"):
        return InjectionStatus(False, "Inserting text into other apps is not supported on "
                               "Wayland yet; the text is copied to the clipboard instead.")
    if not env.get("DISPLAY"):
        return InjectionStatus(False, "No X11 display: text cannot be inserted.")
    missing = [t for t in ("xdotool", "xclip") if shutil.which(t) is None]
    if missing:
        return InjectionStatus(False, "Missing tools for inserting text: " + ", ".join(missing)
                               + f" (install with: sudo apt-get install {' '.join(missing)})")
    return InjectionStatus(True, "Text insertion: xdotool + xclip")


async def run_tool(*args: str, stdin: bytes | None = None,
                   timeout_s: float = TOOL_TIMEOUT_S) -> tuple[int, bytes, bytes]:
    """Run a tool; (returncode, stdout, stderr). Raises X11ToolError if missing or hung."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *args, stdin=asyncio.subprocess.PIPE if stdin is not None else
            asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
    except FileNotFoundError:
        raise X11ToolError(f"{args[0]} is not installed") from None
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), timeout_s)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        raise X11ToolError(f"{args[0]} did not finish within {timeout_s:g} s") from None
    return proc.returncode or 0, out, err


class X11Desktop:
    """Windows and keys through xdotool and xprop."""

    async def active_window(self) -> int | None:
        """The focused top-level window (needs a window manager), else the focus window."""
        for cmd in ("getactivewindow", "getwindowfocus"):
            rc, out, _ = await run_tool("xdotool", cmd)
            if rc == 0 and out.strip().isdigit():
                return int(out.strip())
        return None

    async def window_class(self, window: int) -> str:
        """WM_CLASS of `window` ("" when unknown): `"xterm", "XTerm"`."""
        with contextlib.suppress(X11ToolError):
            rc, out, _ = await run_tool("xprop", "-id", str(window), "WM_CLASS")
            text = out.decode("utf-8", "replace")
            if rc == 0 and "=" in text:
                return text.split("=", 1)[1].strip()
        return ""

    async def window_pid(self, window: int) -> int | None:
        rc, out, _ = await run_tool("xdotool", "getwindowpid", str(window))
        return int(out.strip()) if rc == 0 and out.strip().isdigit() else None

    async def activate(self, window: int) -> bool:
        """Give `window` the focus again (if something else has it); True when it has it."""
        if await self.active_window() == window:
            return True
        rc, _, _ = await run_tool("xdotool", "windowactivate", "--sync", str(window),
                                  timeout_s=3.0)
        if rc != 0:
            rc, _, _ = await run_tool("xdotool", "windowfocus", "--sync", str(window),
                                      timeout_s=3.0)
        return rc == 0

    async def key(self, *keys: str) -> None:
        """Send key chords ("ctrl+v") to the focused window. --clearmodifiers lifts modifiers
        the user still holds (the hotkey's Ctrl+Alt) so they do not combine with ours."""
        rc, _, err = await run_tool("xdotool", "key", "--clearmodifiers", *keys)
        if rc != 0:
            raise X11ToolError(f"xdotool key failed: {err.decode(errors='replace').strip()}")

    async def type_text(self, text: str) -> None:
        rc, _, err = await run_tool("xdotool", "type", "--clearmodifiers", "--delay", "4",
                                    "--", text, timeout_s=5.0 + len(text) * 0.05)
        if rc != 0:
            raise X11ToolError(f"xdotool type failed: {err.decode(errors='replace').strip()}")

    async def backspace(self, count: int) -> None:
        for done in range(0, count, _BACKSPACE_BATCH):
            await self.key(*["BackSpace"] * min(_BACKSPACE_BATCH, count - done))


@dataclass(frozen=True, slots=True)
class ClipboardContent:
    """One format of what the CLIPBOARD held (xclip serves one target per owner)."""

    target: str
    data: bytes

    @property
    def text(self) -> str | None:
        if self.target in _TEXT_TARGETS:
            return self.data.decode("utf-8", "replace")
        return None


class PasteOffer:
    """Our text on the CLIPBOARD until one paste fetched it (`served`) or `withdraw()`."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self._proc = proc

    async def served(self, timeout_s: float) -> bool:
        """Wait until the target fetched the text (xclip exits after serving it)."""
        try:
            await asyncio.wait_for(asyncio.shield(self._proc.wait()), timeout_s)
        except TimeoutError:
            return False
        return self._proc.returncode == 0

    async def withdraw(self) -> None:
        if self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.terminate()
            await self._proc.wait()


class XclipClipboard:
    """The CLIPBOARD selection through xclip."""

    selection = "clipboard"

    async def read(self) -> ClipboardContent | None:
        """What the clipboard holds now (its best format), or None if it is empty."""
        rc, out, _ = await run_tool("xclip", "-selection", self.selection, "-o", "-t",
                                    "TARGETS", timeout_s=2.0)
        if rc != 0:
            return None
        targets = out.decode("utf-8", "replace").split()
        for target in (*_TEXT_TARGETS, *_OTHER_TARGETS):
            if target in targets:
                rc, data, _ = await run_tool("xclip", "-selection", self.selection, "-o",
                                             "-t", target, timeout_s=2.0)
                if rc == 0:
                    return ClipboardContent(target, data)
        return None

    async def read_text(self) -> str | None:
        content = await self.read()
        return None if content is None else content.text

    async def offer(self, text: str) -> PasteOffer:
        """Own the clipboard with `text` for exactly one paste (see module doc)."""
        proc = await asyncio.create_subprocess_exec(
            "xclip", "-selection", self.selection, "-t", "UTF8_STRING", "-i", "-l", "1",
            "-quiet", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)
        assert proc.stdin is not None and proc.stderr is not None
        proc.stdin.write(text.encode("utf-8"))
        await proc.stdin.drain()
        proc.stdin.close()
        try:
            # xclip reports waiting once it owns the selection (its event loop flushes the
            # ownership request before blocking)
            async with asyncio.timeout(OFFER_READY_TIMEOUT_S):
                while b"Waiting for a selection request" not in await proc.stderr.readline():
                    if proc.stderr.at_eof():
                        raise X11ToolError("xclip exited before owning the clipboard")
        except TimeoutError:
            await PasteOffer(proc).withdraw()
            raise X11ToolError("xclip did not take the clipboard") from None
        return PasteOffer(proc)

    async def write(self, content: ClipboardContent) -> None:
        """Put `content` on the clipboard for good (xclip keeps serving it in the
        background until another program takes the clipboard)."""
        proc = await asyncio.create_subprocess_exec(
            "xclip", "-selection", self.selection, "-t", content.target, "-i",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL)
        await asyncio.wait_for(proc.communicate(content.data), TOOL_TIMEOUT_S)

    async def write_text(self, text: str) -> None:
        await self.write(ClipboardContent("UTF8_STRING", text.encode("utf-8")))
