"""Insertion on Wayland compositors that offer the virtual-keyboard protocol (sway,
Hyprland, river, other wlroots compositors): wl-copy/wl-paste for the clipboard (through
wlr-data-control, so no window focus is needed), wtype for the paste shortcut, BackSpace and
Unicode typing, and the compositor's own IPC (swaymsg, hyprctl) for the focused window.
Checked under headless sway (test-rig.md "Headless Wayland desktop").

- The paste offer is `wl-copy --foreground --paste-once`: it serves one paste and exits
  (`tools.OneShotOffer`), so the previous clipboard is restored only after the paste
  landed. The clipboard is cleared first, so "wl-paste --list-types answers" (which never
  consumes the one paste) means our offer is in place.
- wtype's keymap holds only the keys it types; GTK3 ignores the highest keycode of a keymap,
  so a paste chord ends with the release of a never-pressed F24 (test-rig.md).
- GNOME and KDE Plasma offer no virtual keyboard to apps: there inserting needs the
  RemoteDesktop portal (`org.freedesktop.portal.RemoteDesktop`, keyboard events after the
  user's consent), which this backend does not implement yet; the status says so.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Mapping
from typing import Any

from ..tools import OneShotOffer, ToolError, check_tool, run_tool
from .base import ClipboardContent, InjectionKind, InjectionStatus, Target

OFFER_READY_TIMEOUT_S = 3.0
_TEXT_TYPES = ("text/plain;charset=utf-8", "UTF8_STRING", "text/plain", "STRING", "TEXT")
_OTHER_TYPES = ("image/png", "text/html", "text/uri-list")
_BACKSPACE_BATCH = 100
_PORTAL_DESKTOPS = ("GNOME", "KDE", "UNITY", "PANTHEON", "BUDGIE")

PORTAL_MESSAGE = ("Inserting text on {desktop} (Wayland) needs the RemoteDesktop portal, "
                  "which scribe-desktop does not support yet: the text is copied to the "
                  "clipboard instead (paste it with Ctrl+V).")


def compositor(env: Mapping[str, str]) -> str:
    """"sway", "hyprland", or the XDG_CURRENT_DESKTOP name (may be "")."""
    if env.get("SWAYSOCK"):
        return "sway"
    if env.get("HYPRLAND_INSTANCE_SIGNATURE"):
        return "hyprland"
    return env.get("XDG_CURRENT_DESKTOP", "").split(":")[0].lower()


def wayland_status(env: Mapping[str, str]) -> InjectionStatus:
    """Can we insert text on this Wayland session, and if not, what is missing?"""
    desktop = env.get("XDG_CURRENT_DESKTOP", "")
    if any(d in desktop.upper() for d in _PORTAL_DESKTOPS) and compositor(env) not in (
            "sway", "hyprland"):
        return InjectionStatus(False, InjectionKind.NONE,
                               PORTAL_MESSAGE.format(desktop=desktop.split(":")[0]))
    missing = [t for t in ("wl-copy", "wl-paste", "wtype") if shutil.which(t) is None]
    if missing:
        packages = sorted({"wl-clipboard" if t.startswith("wl-") else t for t in missing})
        return InjectionStatus(False, InjectionKind.NONE, "Missing tools for inserting text "
                               "on Wayland: " + ", ".join(missing) + " (install with: sudo "
                               f"apt-get install {' '.join(packages)})")
    return InjectionStatus(True, InjectionKind.WAYLAND,
                           "Text insertion: Wayland (wtype + wl-clipboard)")


def _focused_node(node: dict[str, Any]) -> dict[str, Any] | None:
    if node.get("focused") and node.get("type") in ("con", "floating_con"):
        return node
    for child in (*node.get("nodes", ()), *node.get("floating_nodes", ())):
        found = _focused_node(child)
        if found is not None:
            return found
    return None


class WaylandDesktop:
    """The focused window through the compositor's IPC; keys and typing through wtype."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.compositor = compositor(env)

    async def focused(self) -> Target:
        try:
            if self.compositor == "sway":
                tree = json.loads(await check_tool("swaymsg", "-t", "get_tree", "-r"))
                node = _focused_node(tree)
                if node is None:
                    return Target(None)
                app = node.get("app_id") or (node.get("window_properties") or {}).get(
                    "class", "")
                return Target(int(node["id"]), str(app or ""), node.get("pid"))
            if self.compositor == "hyprland":
                info = json.loads(await check_tool("hyprctl", "activewindow", "-j"))
                if not info.get("address"):
                    return Target(None)
                return Target(int(str(info["address"]), 16), str(info.get("class", "")),
                              info.get("pid"))
        except (ToolError, ValueError, KeyError):
            return Target(None)
        return Target(None)  # no IPC we know: the window cannot be told apart

    async def activate(self, target: Target) -> bool:
        if target.window is None:
            return True
        if (await self.focused()).window == target.window:
            return True
        if self.compositor == "sway":
            rc, _, _ = await run_tool("swaymsg", f"[con_id={target.window}]", "focus")
        elif self.compositor == "hyprland":
            rc, _, _ = await run_tool("hyprctl", "dispatch", "focuswindow",
                                      f"address:{target.window:#x}")
        else:
            return False
        return rc == 0 and (await self.focused()).window == target.window

    async def paste(self, target: Target) -> None:
        mods = ["ctrl", "shift"] if target.terminal else ["ctrl"]
        args = [a for m in mods for a in ("-M", m)] + ["v"]
        args += [a for m in reversed(mods) for a in ("-m", m)] + ["-p", "F24"]
        await check_tool("wtype", *args)

    async def type_text(self, text: str) -> None:
        await check_tool("wtype", "-", stdin=text.encode("utf-8"),
                         timeout_s=5.0 + len(text) * 0.02)

    async def backspace(self, count: int) -> None:
        for done in range(0, count, _BACKSPACE_BATCH):
            n = min(_BACKSPACE_BATCH, count - done)
            await check_tool("wtype", *[a for _ in range(n) for a in ("-k", "BackSpace")])


class WlClipboard:
    """The Wayland clipboard through wl-copy and wl-paste."""

    async def _types(self) -> list[str] | None:
        rc, out, _ = await run_tool("wl-paste", "--list-types", timeout_s=2.0)
        return out.decode("utf-8", "replace").split() if rc == 0 else None

    async def read(self) -> ClipboardContent | None:
        types = await self._types()
        for mime in (*_TEXT_TYPES, *_OTHER_TYPES):
            if types and mime in types:
                rc, data, _ = await run_tool("wl-paste", "--no-newline", "--type", mime,
                                             timeout_s=2.0)
                if rc == 0:
                    return ClipboardContent(mime, data)
        return None

    async def offer(self, text: str) -> OneShotOffer:
        await check_tool("wl-copy", "--clear")
        proc = await asyncio.create_subprocess_exec(
            "wl-copy", "--foreground", "--paste-once", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        assert proc.stdin is not None
        proc.stdin.write(text.encode("utf-8"))
        await proc.stdin.drain()
        proc.stdin.close()
        offer = OneShotOffer(proc)
        try:
            async with asyncio.timeout(OFFER_READY_TIMEOUT_S):
                # a type list means our offer is in place (the clipboard was cleared)
                while await self._types() is None:  # polled: the tools report no event
                    if proc.returncode is not None:
                        raise ToolError("wl-copy exited before owning the clipboard")
                    await asyncio.sleep(0.005)
        except TimeoutError:
            await offer.withdraw()
            raise ToolError("wl-copy did not take the clipboard") from None
        return offer

    async def write(self, content: ClipboardContent | None) -> None:
        if content is None:
            await check_tool("wl-copy", "--clear")
            return
        # wl-copy forks a server that keeps the content (and would keep pipes open: no
        # output is captured); the parent returns once the selection is set
        proc = await asyncio.create_subprocess_exec(
            "wl-copy", "--type", content.target, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        await asyncio.wait_for(proc.communicate(content.data), 5.0)
        if proc.returncode != 0:
            raise ToolError(f"wl-copy failed with exit code {proc.returncode}")
