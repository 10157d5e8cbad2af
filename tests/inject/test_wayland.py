"""Insertion and global hotkeys on a real headless sway: wl-clipboard + wtype into a
Wayland-native Qt field of another process, and sway's IPC binding events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from scribe_desktop.hotkey.backends import KeyEvent, ListenerKind, detect
from scribe_desktop.hotkey.backends.sway_ipc import SwayBindings
from scribe_desktop.hotkey.chord import parse_chord
from scribe_desktop.inject.backends import InjectionKind, make_backend
from scribe_desktop.inject.backends import detect as detect_insertion
from scribe_desktop.inject.inserter import Inserter, InsertMode
from scribe_desktop.inject.ledger import InsertionLedger
from tests.rig.wayland import SwaySession
from tests.rig.wayland_fixtures import WlTarget

pytestmark = pytest.mark.timeout(60)
EXACT = "café €5 naïve — 日本"


def inserter(sway: SwaySession, **kwargs: object) -> Inserter:
    env = sway.client_env()
    status = detect_insertion(env)
    assert status.kind == InjectionKind.WAYLAND, status.message
    backend = make_backend(status, env=env)
    return Inserter(backend.desktop, backend.clipboard, ledger=InsertionLedger(),
                    **kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def wayland_env(sway: SwaySession, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tools the backends run find sway through this process's environment."""
    for name, value in sway.client_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DISPLAY", raising=False)


async def test_paste_is_exact_and_the_clipboard_comes_back_after_it(
        sway: SwaySession, wl_target: WlTarget) -> None:
    """Unicode pastes exactly into the focused Wayland window; the previous clipboard is
    restored only after the field fetched our text."""
    sway.set_clipboard("the user's clipboard")
    ins = inserter(sway, smart=False)
    record = ins.begin(await ins.capture_target())
    assert record.target.window == wl_target.con_id and record.target.app == wl_target.app_id
    assert record.target.pid == wl_target.proc.pid
    assert await ins.insert(record, EXACT) == EXACT
    await asyncio.to_thread(wl_target.wait_text, lambda t: t == EXACT, 5, "the paste")
    assert record.restored and sway.clipboard() == "the user's clipboard"


async def test_an_empty_clipboard_stays_empty(sway: SwaySession, wl_target: WlTarget) -> None:
    """With nothing on the clipboard before, nothing is left on it after."""
    sway.tool("wl-copy", "--clear")
    ins = inserter(sway, smart=False)
    await ins.insert(ins.begin(await ins.capture_target()), "plain")
    await asyncio.to_thread(wl_target.wait_text, lambda t: t == "plain", 5, "the paste")
    assert sway.clipboard() is None


async def test_typing_is_unicode_exact(sway: SwaySession, wl_target: WlTarget) -> None:
    """Type mode types ASCII with wtype and pastes the rest: exact text."""
    ins = inserter(sway, mode=InsertMode.TYPE, smart=False)
    await ins.insert(ins.begin(await ins.capture_target()), EXACT)
    await asyncio.to_thread(wl_target.wait_text, lambda t: t == EXACT, 5, "the typing")


async def test_undo_refuses_where_typing_cannot_be_seen(sway: SwaySession,
                                                        wl_target: WlTarget) -> None:
    """On Wayland the app cannot see the user's typing: undo removes nothing, and the
    next dictation joins no guessed space."""
    ins = inserter(sway)
    await ins.insert(ins.begin(await ins.capture_target()), "first.")
    await asyncio.to_thread(wl_target.wait_text, lambda t: t == "First.", 5, "the paste")
    sway.wtype(" mine")
    await asyncio.to_thread(wl_target.wait_text, lambda t: t == "First. mine", 5, "typing")
    assert "Undo is off on this desktop" in await ins.undo_last()
    await ins.insert(ins.begin(await ins.capture_target()), "second")
    await asyncio.to_thread(wl_target.wait_text, lambda t: t == "First. mineSecond", 5,
                            "no guessed space")


@pytest.fixture
async def bindings(sway: SwaySession) -> AsyncIterator[tuple[SwayBindings, list[KeyEvent]]]:
    events: list[KeyEvent] = []
    listener = SwayBindings(sway.socket)
    listener.start(events.append)
    yield listener, events
    await listener.close()


async def wait_for(predicate: object, timeout_s: float = 5.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not predicate():  # type: ignore[operator]  # noqa: ASYNC110 (IPC: polled)
            await asyncio.sleep(0.01)


async def test_sway_bindings_report_press_and_release_and_consume_the_chord(
        sway: SwaySession, wl_target: WlTarget,
        bindings: tuple[SwayBindings, list[KeyEvent]]) -> None:
    """A chord held through sway comes as its keys down, then up (any release order); the
    focused app never receives it."""
    assert detect(sway.client_env(), platform="linux").kind == ListenerKind.SWAY
    listener, events = bindings
    assert await listener.reserve({"dictate": parse_chord("ctrl+shift+space"),
                                   "undo": parse_chord("ctrl+alt+z")}) == {
        "dictate": True, "undo": True}
    await asyncio.to_thread(sway.wtype, "-M", "ctrl", "-M", "shift", "-P", "space", "-s",
                            "700", "-m", "ctrl", "-s", "100", "-p", "space", "-m", "shift")
    await wait_for(lambda: len(events) == 6)
    assert [(e.key, e.down) for e in events] == [
        ("ctrl", True), ("shift", True), ("space", True),
        ("space", False), ("shift", False), ("ctrl", False)]
    assert events[3].t - events[2].t >= 0.6  # press at the press, release at the release
    await asyncio.to_thread(sway.wtype, "-M", "ctrl", "-M", "alt", "-k", "z", "-m", "alt",
                            "-m", "ctrl")
    await wait_for(lambda: len(events) == 12)
    await asyncio.to_thread(sway.wtype, "x")
    await asyncio.to_thread(wl_target.wait_text, lambda t: t == "x", 5, "a plain key")
    assert len(wl_target.key_log()) == 1  # only "x": neither chord reached the app


async def test_the_cancel_binding_exists_only_while_reserved_and_suspend_removes_all(
        sway: SwaySession, wl_target: WlTarget,
        bindings: tuple[SwayBindings, list[KeyEvent]]) -> None:
    """Esc is bound only between reserve_cancel(esc) and reserve_cancel(None); suspended,
    the chords reach the app."""
    listener, events = bindings
    await listener.reserve({"dictate": parse_chord("ctrl+shift+space")})
    assert await listener.reserve_cancel(parse_chord("esc"))
    await asyncio.to_thread(sway.wtype, "-k", "Escape")
    await wait_for(lambda: [e.key for e in events] == ["esc", "esc"])
    await listener.reserve_cancel(None)
    await listener.suspend(True)
    await asyncio.to_thread(sway.wtype, "-k", "Escape")
    await asyncio.to_thread(sway.wtype, "-M", "ctrl", "-M", "shift", "-k", "space", "-m",
                            "shift", "-m", "ctrl")
    await asyncio.to_thread(sway.wtype, "y")
    await asyncio.to_thread(wl_target.wait_text, lambda t: "y" in t, 5, "a plain key")
    assert len(events) == 2 and len(wl_target.key_log()) == 3  # Esc, the chord, y
    await listener.suspend(False)
    await asyncio.to_thread(sway.wtype, "-M", "ctrl", "-M", "shift", "-k", "space", "-m",
                            "shift", "-m", "ctrl")
    await wait_for(lambda: len(events) == 8)
