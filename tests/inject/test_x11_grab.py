"""The X11 keyboard service on real X11 (Xvfb + openbox): reserved chords never reach the
focused app of another process, in any release order; the cancel key only while reserved;
a chord another client holds is refused with a notice; suspension lets chords through; the
active window is watched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from scribe_desktop.hotkey.backends import KeyEvent
from scribe_desktop.hotkey.backends.pynput_listener import PynputListener
from scribe_desktop.hotkey.backends.x11_grab import X11Keyboard, make_x11_keyboard
from scribe_desktop.hotkey.chord import parse_chord
from tests.inject.x11_rig import TargetApp, X11Desktop

pytestmark = pytest.mark.timeout(60)


class Seen:
    """Callback deliveries, with a wait for a condition."""

    def __init__(self) -> None:
        self.grabbed: list[str] = []
        self.notices: list[str] = []
        self.focus: list[int | None] = []
        self._changed = asyncio.Event()

    def on_grabbed(self, name: str) -> None:
        self.grabbed.append(name)
        self._changed.set()

    def on_notice(self, text: str) -> None:
        self.notices.append(text)
        self._changed.set()

    def on_focus(self, window: int | None) -> None:
        self.focus.append(window)
        self._changed.set()

    async def wait(self, predicate: object, timeout_s: float = 5.0) -> None:
        async def loop() -> None:
            while not predicate():  # type: ignore[operator]
                self._changed.clear()
                await self._changed.wait()
        await asyncio.wait_for(loop(), timeout_s)


@pytest.fixture
async def service(desktop: X11Desktop) -> AsyncIterator[tuple[X11Keyboard, Seen]]:
    seen = Seen()
    kb = make_x11_keyboard(on_notice=seen.on_notice, on_focus_change=seen.on_focus,
                           env=desktop.env)
    assert kb is not None
    kb.on_grabbed = seen.on_grabbed
    kb.start()
    yield kb, seen
    kb.close()


def keys_seen(target: TargetApp) -> list[str]:
    """The key presses that reached the app ("KEYSYM STATE" each)."""
    path = target.out.with_suffix(".keys")
    return path.read_text().splitlines() if path.exists() else []


async def xdotool(desktop: X11Desktop, *args: str) -> None:
    await asyncio.to_thread(desktop.xdotool, *args)


async def settle_keys(desktop: X11Desktop, target: TargetApp) -> None:
    """A marker key typed after the keys under test: once it arrived, so did they."""
    await xdotool(desktop, "key", "F12")
    await asyncio.to_thread(target.wait_text, lambda _t: any(
        k.startswith("F12") for k in keys_seen(target)), 5, "the marker key")


async def test_reserved_chords_never_reach_the_app(desktop: X11Desktop, target: TargetApp,
                                                   service: tuple[X11Keyboard, Seen]) -> None:
    """Dictate, undo and paste-last chords go to us alone; the listener still sees them."""
    kb, seen = service
    granted = await kb.reserve({"dictate": parse_chord("ctrl+shift+space"),
                                "undo": parse_chord("ctrl+alt+z"),
                                "paste_last": parse_chord("ctrl+alt+p")})
    assert granted == {"dictate": True, "undo": True, "paste_last": True}
    heard: list[KeyEvent] = []
    listener = PynputListener(pointer=False)
    listener.start(heard.append)
    try:
        for chord in ("ctrl+shift+space", "ctrl+alt+z", "ctrl+alt+p"):
            await xdotool(desktop, "key", chord)
        await settle_keys(desktop, target)
        await seen.wait(lambda: len(seen.grabbed) == 3)
    finally:
        listener.stop()
    assert seen.grabbed == ["dictate", "undo", "paste_last"]
    assert [k for k in keys_seen(target) if k.split()[0] in ("space", "z", "p")] == []
    assert target.text == ""
    assert {e.key for e in heard if e.down} >= {"space", "z", "p"}


@pytest.mark.parametrize("order", [("Control_L", "Alt_L", "space"),
                                   ("space", "Alt_L", "Control_L"),
                                   ("Alt_L", "space", "Control_L")])
async def test_a_held_chord_released_in_any_order_reaches_nobody(
        desktop: X11Desktop, target: TargetApp, service: tuple[X11Keyboard, Seen],
        order: tuple[str, ...]) -> None:
    """Ctrl+Alt+Space held past the auto-repeat delay and released key by key: no space in
    the field and no window menu (openbox binds Alt+Space) holding the keyboard."""
    kb, _seen = service
    await kb.reserve({"dictate": parse_chord("ctrl+alt+space")})
    await xdotool(desktop, "keydown", "Control_L", "Alt_L", "space")
    await asyncio.sleep(0.8)  # past the 660 ms auto-repeat delay (holding is the point)
    for key in order:
        await xdotool(desktop, "keyup", key)
        await asyncio.sleep(0.3)  # the rest stays held, repeating if it may
    await settle_keys(desktop, target)
    assert target.text == "" and "space" not in [k.split()[0] for k in keys_seen(target)]
    assert await kb.before_keys()  # no menu holds the keyboard
    assert await kb.keys_down() == set()


@pytest.mark.parametrize("run", range(6))
async def test_keys_sent_under_a_held_repeating_chord_reach_the_app_alone(
        desktop: X11Desktop, target: TargetApp, service: tuple[X11Keyboard, Seen],
        run: int) -> None:
    """Keys sent while Ctrl+Shift+Space is held and Space repeats every 4 ms reach the app,
    and no repeat of Space does (XKB keeps repeating a held key whose auto-repeat was
    turned off)."""
    kb, seen = service
    await kb.reserve({"dictate": parse_chord("ctrl+shift+space")})
    assert desktop.run("xset", "r", "rate", "100", "250").returncode == 0  # X's fastest
    try:
        await xdotool(desktop, "keydown", "Control_L", "Shift_L", "space")
        await seen.wait(lambda: len(seen.grabbed) >= 3)  # the press and two repeats
        assert await kb.send(["x"])
        await xdotool(desktop, "keyup", "space", "Shift_L", "Control_L")
        await settle_keys(desktop, target)
    finally:
        desktop.run("xset", "r", "rate")  # the server's defaults
        await xdotool(desktop, "keyup", "space", "Shift_L", "Control_L")
    typed = [k.split()[0] for k in keys_seen(target)]
    # the modifiers reach the app before Space makes the chord
    assert [k for k in typed if k not in ("Control_L", "Shift_L")] == ["x", "F12"], run
    assert await kb.keys_down() == set()


async def test_the_cancel_key_is_reserved_only_while_asked(
        desktop: X11Desktop, target: TargetApp, service: tuple[X11Keyboard, Seen]) -> None:
    """Esc reaches the app, then only us while reserved, then the app again."""
    kb, seen = service
    await xdotool(desktop, "key", "Escape")
    assert await kb.reserve_cancel(parse_chord("esc"))
    await xdotool(desktop, "key", "Caps_Lock")  # with CapsLock on too
    await xdotool(desktop, "key", "Escape")
    await xdotool(desktop, "key", "Caps_Lock")
    await seen.wait(lambda: seen.grabbed == ["cancel"])
    assert await kb.reserve_cancel(None)
    await xdotool(desktop, "key", "Escape")
    await settle_keys(desktop, target)
    assert [k.split()[0] for k in keys_seen(target)].count("Escape") == 2


async def test_a_chord_another_client_holds_is_refused_with_a_notice(
        desktop: X11Desktop, service: tuple[X11Keyboard, Seen]) -> None:
    """BadAccess becomes False and a notice naming the chord; free again, it is granted."""
    kb, seen = service
    holder = X11Keyboard(display_name=desktop.display)
    holder.start()
    try:
        assert await holder.reserve({"dictate": parse_chord("ctrl+shift+space")}) == {
            "dictate": True}
        assert await kb.reserve({"dictate": parse_chord("ctrl+shift+space")}) == {
            "dictate": False}
        await seen.wait(lambda: bool(seen.notices))
        assert "ctrl+shift+space could not be reserved" in seen.notices[0]
        await holder.reserve({})
        assert await kb.reserve({"dictate": parse_chord("ctrl+shift+space")}) == {
            "dictate": True}
    finally:
        holder.close()


async def test_suspended_chords_reach_the_focused_window(
        desktop: X11Desktop, target: TargetApp, service: tuple[X11Keyboard, Seen]) -> None:
    """While Settings records a chord, the reserved chord gets through; then it is ours."""
    kb, seen = service
    await kb.reserve({"dictate": parse_chord("ctrl+shift+space")})
    await kb.suspend(True)
    assert await kb.granted() == set()
    await xdotool(desktop, "key", "ctrl+shift+space")
    await settle_keys(desktop, target)
    assert any(k.startswith("space") for k in keys_seen(target)) and seen.grabbed == []
    await kb.suspend(False)
    assert await kb.granted() == {"dictate"}
    await xdotool(desktop, "key", "ctrl+shift+space")
    await seen.wait(lambda: seen.grabbed == ["dictate"])


async def test_the_active_window_is_watched(desktop: X11Desktop, target: TargetApp,
                                            service: tuple[X11Keyboard, Seen]) -> None:
    """A new window taking the focus, and the old one getting it back, are reported."""
    _kb, seen = service
    other = await asyncio.to_thread(TargetApp, desktop, "other")
    try:
        await seen.wait(lambda: other.window in seen.focus)
        await xdotool(desktop, "windowactivate", "--sync", str(target.window))
        await seen.wait(lambda: seen.focus[-1] == target.window)
    finally:
        other.close()


async def test_a_shifted_character_goes_down_and_up_under_one_name(
        desktop: X11Desktop, target: TargetApp) -> None:
    """Shift+3 released Shift first is "3" down and "3" up, not "#" down and "3" up (a key
    left down for ever would make its next press pass for an auto-repeat)."""
    heard: list[KeyEvent] = []
    listener = PynputListener(pointer=False)
    listener.start(heard.append)
    try:
        await xdotool(desktop, "type", "#A")
        await asyncio.to_thread(target.wait_text, lambda t: t == "#A", 5, "the typing")
    finally:
        listener.stop()
    keys = [(e.key, e.down) for e in heard if e.key != "shift"]
    assert keys == [("3", True), ("3", False), ("a", True), ("a", False)]


def test_no_service_without_x11() -> None:
    """Off X11 (no DISPLAY, or Wayland) there is no X11 keyboard service."""
    assert make_x11_keyboard(env={}) is None
    assert make_x11_keyboard(env={"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}) is None
