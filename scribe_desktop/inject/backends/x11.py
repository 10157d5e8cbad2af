"""Insertion on X11 through command-line tools run as subprocesses: xdotool (the active
window, activation, typing), xprop (WM_CLASS) and xclip (the CLIPBOARD), with the paste
shortcut and BackSpace sent through a `KeyGuard` (XTEST from the hotkey service, which first
releases held modifiers without ever pressing them again) when one is given. Checked on
Xvfb + openbox (test-rig.md "Hotkeys and typing on X11").

Clipboard ownership is per process on X11: content vanishes with its owner. A paste offer is
an `xclip -l 1 -quiet` process that owns the CLIPBOARD until ONE selection request (the
target's paste) has been served, then exits (`tools.OneShotOffer`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Mapping

from ..tools import OneShotOffer, ToolError, check_tool, run_tool
from .base import (
    ClipboardContent,
    InjectionKind,
    InjectionStatus,
    KeyboardBusyError,
    KeyGuard,
    Target,
)

OFFER_READY_TIMEOUT_S = 3.0
# Text targets in order of preference; then anything else worth keeping.
_TEXT_TARGETS = ("UTF8_STRING", "text/plain;charset=utf-8", "STRING", "TEXT")
_OTHER_TARGETS = ("image/png", "text/html", "text/uri-list")
_BACKSPACE_BATCH = 100


def x11_status(env: Mapping[str, str]) -> InjectionStatus:
    """Can we insert text here through X11 (a display and the tools present)?"""
    if not env.get("DISPLAY"):
        return InjectionStatus(False, InjectionKind.NONE, "No X11 display: text cannot be "
                               "inserted.")
    missing = [t for t in ("xdotool", "xclip") if shutil.which(t) is None]
    if missing:
        return InjectionStatus(False, InjectionKind.NONE, "Missing tools for inserting text: "
                               + ", ".join(missing) + " (install with: sudo apt-get install "
                               f"{' '.join(missing)})")
    return InjectionStatus(True, InjectionKind.X11, "Text insertion: X11 (xdotool + xclip)")


class X11Desktop:
    """Windows and keys through xdotool and xprop; keys through `guard` when given."""

    def __init__(self, guard: KeyGuard | None = None) -> None:
        self.guard = guard

    async def active_window(self) -> int | None:
        """The focused top-level window (needs a window manager), else the focus window."""
        for cmd in ("getactivewindow", "getwindowfocus"):
            rc, out, _ = await run_tool("xdotool", cmd)
            if rc == 0 and out.strip().isdigit():
                return int(out.strip())
        return None

    async def focused(self) -> Target:
        window = await self.active_window()
        if window is None:
            return Target(None)
        wm_class, pid = await asyncio.gather(self.window_class(window),
                                             self.window_pid(window))
        return Target(window, wm_class, pid)

    async def window_class(self, window: int) -> str:
        """WM_CLASS of `window` ("" when unknown): `"xterm", "XTerm"`."""
        try:
            rc, out, _ = await run_tool("xprop", "-id", str(window), "WM_CLASS")
        except ToolError:
            return ""
        text = out.decode("utf-8", "replace")
        return text.split("=", 1)[1].strip() if rc == 0 and "=" in text else ""

    async def window_pid(self, window: int) -> int | None:
        rc, out, _ = await run_tool("xdotool", "getwindowpid", str(window))
        return int(out.strip()) if rc == 0 and out.strip().isdigit() else None

    async def activate(self, target: Target) -> bool:
        """Give `target` the focus again (if something else has it); True when it has it."""
        if target.window is None:
            return True  # unknown: whatever has the focus gets the text
        if await self.active_window() == target.window:
            return True
        rc, _, _ = await run_tool("xdotool", "windowactivate", "--sync", str(target.window),
                                  timeout_s=3.0)
        if rc != 0:
            rc, _, _ = await run_tool("xdotool", "windowfocus", "--sync",
                                      str(target.window), timeout_s=3.0)
        return rc == 0

    async def _ready(self) -> None:
        if self.guard is not None and not await self.guard.before_keys():
            raise KeyboardBusyError()

    async def keys(self, *chords: str) -> None:
        """Tap chords ("ctrl+v", "backspace") in the focused window. Never xdotool's
        --clearmodifiers: it presses the modifiers it lifted again at the end, even when the
        user released them meanwhile, and leaves them stuck down."""
        if self.guard is not None:
            # readies the keyboard itself, in the same X request batch as the keys: a
            # held chord key's auto-repeat cannot slip in between (x11_grab module doc)
            if not await self.guard.send(chords):
                raise KeyboardBusyError()
            return
        await check_tool("xdotool", "key", *chords)

    async def paste(self, target: Target) -> None:
        await self.keys("ctrl+shift+v" if target.terminal else "ctrl+v")

    async def type_text(self, text: str) -> None:
        await self._ready()
        if self.guard is not None:
            self.guard.note_typed(text)
        await check_tool("xdotool", "type", "--delay", "4", "--", text,
                         timeout_s=5.0 + len(text) * 0.05)

    async def backspace(self, count: int) -> None:
        for done in range(0, count, _BACKSPACE_BATCH):
            await self.keys(*["backspace"] * min(_BACKSPACE_BATCH, count - done))


class XclipClipboard:
    """The CLIPBOARD selection through xclip; `guard` (when given) confirms an offer owns
    the selection before the paste key goes out."""

    selection = "clipboard"

    def __init__(self, guard: KeyGuard | None = None) -> None:
        self.guard = guard

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

    async def offer(self, text: str) -> OneShotOffer:
        """Own the clipboard with `text` for exactly one paste (see module doc)."""
        before = await self.guard.clipboard_owner() if self.guard is not None else 0
        proc = await asyncio.create_subprocess_exec(
            "xclip", "-selection", self.selection, "-t", "UTF8_STRING", "-i", "-l", "1",
            "-quiet", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE, env={**os.environ})
        assert proc.stdin is not None and proc.stderr is not None
        proc.stdin.write(text.encode("utf-8"))
        await proc.stdin.drain()
        proc.stdin.close()
        try:
            async with asyncio.timeout(OFFER_READY_TIMEOUT_S):
                while b"Waiting for a selection request" not in await proc.stderr.readline():
                    if proc.stderr.at_eof():
                        raise ToolError("xclip exited before owning the clipboard")
                # xclip says so BEFORE its ownership request reaches the server (Xlib
                # flushes it when xclip blocks for events): a paste key sent at once can
                # fetch the previous owner's text. The owner changing is the real signal.
                # polled: the server sends us no event for another client's ownership
                while self.guard is not None and \
                        await self.guard.clipboard_owner() in (before, 0):  # noqa: ASYNC110
                    await asyncio.sleep(0.002)
        except TimeoutError:
            await OneShotOffer(proc).withdraw()
            raise ToolError("xclip did not take the clipboard") from None
        return OneShotOffer(proc)

    async def write(self, content: ClipboardContent | None) -> None:
        """Put `content` on the clipboard for good (xclip keeps serving it in the
        background until another program takes the clipboard); None leaves it empty (our
        one-paste owner is already gone)."""
        if content is None:
            return
        proc = await asyncio.create_subprocess_exec(
            "xclip", "-selection", self.selection, "-t", content.target, "-i",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL)
        await asyncio.wait_for(proc.communicate(content.data), 5.0)
