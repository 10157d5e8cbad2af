"""Driving push-to-talk in the real app process, for the end-to-end scenarios: what the
server committed (read from the app's history database, as another process would), the
outcome of each hotkey dictation (from its trace in the app's log), and the text the
insertion should have produced from them (`expected`).

`WaylandApp` is the same app on a headless sway (its Wayland platform, sway's IPC hotkeys,
wl-clipboard + wtype insertion).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scribe_desktop.history import HistoryStore
from scribe_desktop.hotkey.backends.x11_thread import xlib
from scribe_desktop.inject.text import smart_join
from tests.inject.x11_rig import X11Desktop
from tests.rig.pulse import PulseRig
from tests.rig.wayland import SwaySession, _poll

from .real_app import RealApp

OUTCOME = re.compile(r"ptt #(\d+) \+\d+ ms: outcome: ([a-z ]+)")


def sessions(path: Path) -> list[list[str]]:
    """Each recorded session's committed segments, oldest first."""
    if not path.exists():
        return []
    try:
        with HistoryStore.open(path) as store:
            summaries = sorted(store.list_sessions(), key=lambda s: s.id)
            return [[seg.text.strip() for seg in store.load(s.id).segments
                     if seg.text.strip()] for s in summaries]
    except sqlite3.OperationalError:  # the app is writing the schema right now
        return []


def expected(before: str | None, segments: list[str]) -> str:
    """What one dictation of `segments` inserts after `before` (None: unknown context)."""
    return smart_join(before, " ".join(segments))


def wait_landed(app: RealApp, field: Any, want: Callable[[list[list[str]]], str],
                timeout_s: float = 15) -> str:
    """Wait until `field` (a Tk or Wayland target) shows `want(sessions)`: the text built
    from what the server committed, re-read each time (the history is written from a
    thread, a moment after the outcome is logged); the text."""
    expect = [""]

    def landed() -> bool:
        expect[0] = want(sessions(app.history_path))
        return bool(field.text == expect[0])
    try:
        _poll(landed, timeout_s, "the dictated text", poll_s=0.05)
    except AssertionError:
        raise AssertionError(f"the field shows {field.text!r}, not {expect[0]!r}") from None
    return expect[0]


class Outcomes:
    """The outcomes of the app's hotkey dictations, read from its log."""

    def __init__(self, app: RealApp) -> None:
        self.app = app
        self.mark = app.log_mark()

    def all(self) -> list[str]:
        return [m.group(2) for m in OUTCOME.finditer(self.app.log_text()[self.mark:])]

    def wait(self, count: int = 1, timeout_s: float = 40) -> list[str]:
        """The first `count` outcomes since this object was made."""
        try:
            _poll(lambda: len(self.all()) >= count, timeout_s, f"{count} ptt outcome(s)",
                  poll_s=0.05)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.app.tail()}") from None
        return self.all()[:count]

    def notices(self) -> list[str]:
        return re.findall(r"notice: (.*)", self.app.log_text()[self.mark:])


def hold_and_speak(desktop: X11Desktop, rig: PulseRig, wav: Path, chord: list[str],
                   release: list[str] | None = None) -> None:
    """Hold `chord` (X keysyms) while `wav` plays into the microphone, then release the
    keys in the order `release` (default: reversed)."""
    desktop.xdotool("keydown", *chord)
    try:
        rig.play(wav)
    finally:
        for key in release or list(reversed(chord)):
            desktop.xdotool("keyup", key)


class WaylandApp(RealApp):
    """The app on sway: Qt's wayland platform; sway's IPC for hotkeys; wtype insertion."""

    def __init__(self, sway: SwaySession, rig: PulseRig, root: Path) -> None:
        super().__init__(X11Desktop(sway.env["DISPLAY"], root), rig, root)
        self.sway = sway
        self.env.update(sway.env)
        self.env.pop("DISPLAY", None)
        self.env["QT_QPA_PLATFORM"] = "wayland"

    def _find_window(self) -> None:
        assert self.proc is not None
        pid = self.proc.pid
        _poll(lambda: pid in _pids(self.sway), 20, "the app's window on sway")

    def key(self, *keys: str) -> None:
        raise NotImplementedError("X11 only: use sway.wtype")


def _pids(sway: SwaySession) -> set[int]:
    found: set[int] = set()

    def walk(node: dict[str, object]) -> None:
        pid = node.get("pid")
        if isinstance(pid, int):
            found.add(pid)
        for key in ("nodes", "floating_nodes"):
            for child in node.get(key, ()):  # type: ignore[attr-defined]
                walk(child)
    walk(sway.swaymsg("-t", "get_tree"))
    return found


def keymap_modifiers(desktop: X11Desktop) -> str:
    """The keysyms of the modifier keys down in the X keymap now ("" when none)."""
    display = xlib()[2]
    conn = display.Display(desktop.display)
    try:
        mods = {c for codes in conn.get_modifier_mapping() for c in codes if c}
        keymap = conn.query_keymap()
        down = {i * 8 + b for i, byte in enumerate(keymap) for b in range(8) if byte >> b & 1}
        return " ".join(sorted(str(conn.keycode_to_keysym(c, 0)) for c in down & mods))
    finally:
        conn.close()


