"""The cancel-key grab on real X11 (Xvfb + openbox): while grabbed, Esc reaches us and not
the focused app of another process; after the ungrab it reaches the app again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from scribe_desktop.hotkey.backends import KeyEvent
from scribe_desktop.hotkey.backends.pynput_listener import PynputListener
from scribe_desktop.hotkey.backends.x11_grab import CancelKeyGrab, make_cancel_grab
from tests.inject.x11_rig import TargetApp, X11Desktop

pytestmark = pytest.mark.timeout(60)


class Presses:
    """Callback deliveries, with a wait for the `n`th."""

    def __init__(self) -> None:
        self.count = 0
        self.notices: list[str] = []
        self._changed = asyncio.Event()

    def press(self) -> None:
        self.count += 1
        self._changed.set()

    def notice(self, text: str) -> None:
        self.notices.append(text)
        self._changed.set()

    async def wait(self, predicate: object, timeout_s: float = 5.0) -> None:
        async def loop() -> None:
            while not predicate():  # type: ignore[operator]
                self._changed.clear()
                await self._changed.wait()
        await asyncio.wait_for(loop(), timeout_s)


@pytest.fixture
async def grab(desktop: X11Desktop) -> AsyncIterator[tuple[CancelKeyGrab, Presses]]:
    presses = Presses()
    g = make_cancel_grab(presses.press, on_notice=presses.notice, env=desktop.env)
    assert g is not None
    g.start()
    yield g, presses
    g.close()


def escapes(target: TargetApp) -> int:
    keys = target.out.with_suffix(".keys")
    return keys.read_text().count("Escape") if keys.exists() else 0


async def test_grabbed_escape_reaches_us_not_the_app(desktop: X11Desktop, target: TargetApp,
                                                     grab: tuple[CancelKeyGrab, Presses]
                                                     ) -> None:
    """A grabbed Esc fires the callback only; once ungrabbed it reaches the app again."""
    g, presses = grab
    # the app receives Esc before any grab (so the check below can fail)
    await asyncio.to_thread(desktop.xdotool, "key", "Escape")
    await asyncio.to_thread(target.wait_text, lambda _t: escapes(target) == 1, 5,
                            "the ungrabbed Escape in the app")
    assert await asyncio.wait_for(g.grab("esc"), 5)
    for n in (1, 2):  # CapsLock on too: the lock-mask variants are grabbed as well
        if n == 2:
            await asyncio.to_thread(desktop.xdotool, "key", "Caps_Lock")
        await asyncio.to_thread(desktop.xdotool, "key", "Escape")
        await presses.wait(lambda n=n: presses.count >= n)
    await asyncio.to_thread(desktop.xdotool, "key", "Caps_Lock")
    assert await asyncio.wait_for(g.ungrab(), 5)
    await asyncio.to_thread(desktop.xdotool, "key", "Escape")
    await asyncio.to_thread(target.wait_text, lambda _t: escapes(target) == 2, 5,
                            "the Escape after the ungrab")
    assert presses.count == 2 and presses.notices == []


async def test_the_listener_still_sees_a_grabbed_key(desktop: X11Desktop, target: TargetApp,
                                                     grab: tuple[CancelKeyGrab, Presses]
                                                     ) -> None:
    """XRecord (the pynput listener) still reports Esc while it is grabbed."""
    g, presses = grab
    seen: list[KeyEvent] = []
    got = asyncio.Event()

    def on_event(event: KeyEvent) -> None:
        seen.append(event)
        if event.key == "esc" and not event.down:
            got.set()

    listener = PynputListener()
    listener.start(on_event)
    try:
        assert await asyncio.wait_for(g.grab("esc"), 5)
        await asyncio.to_thread(desktop.xdotool, "key", "Escape")
        await asyncio.wait_for(got.wait(), 5)
        await presses.wait(lambda: presses.count == 1)
    finally:
        listener.stop()
    assert [e.down for e in seen if e.key == "esc"] == [True, False]
    assert escapes(target) == 0


async def test_a_chord_with_modifiers_is_grabbed_and_released(
        desktop: X11Desktop, target: TargetApp, grab: tuple[CancelKeyGrab, Presses]) -> None:
    """A modified chord is grabbed with its modifiers: plain Esc still reaches the app."""
    g, presses = grab
    assert await asyncio.wait_for(g.grab("shift+esc"), 5)
    await asyncio.to_thread(desktop.xdotool, "key", "shift+Escape")
    await presses.wait(lambda: presses.count == 1)
    await asyncio.to_thread(desktop.xdotool, "key", "Escape")
    await asyncio.to_thread(target.wait_text, lambda _t: escapes(target) == 1, 5,
                            "the plain Escape in the app")
    assert escapes(target) == 1 and presses.count == 1


async def test_a_key_held_by_another_client_is_a_notice(
        desktop: X11Desktop, grab: tuple[CancelKeyGrab, Presses]) -> None:
    """A grab refused with BadAccess resolves False and reports a notice, no exception."""
    g, presses = grab
    other = Presses()
    holder = CancelKeyGrab(other.press, display_name=desktop.display)
    holder.start()
    try:
        assert await asyncio.wait_for(holder.grab("esc"), 5)
        assert not await asyncio.wait_for(g.grab("esc"), 5)
        await presses.wait(lambda: bool(presses.notices))
        assert "could not be reserved" in presses.notices[0]
        assert g.grabbed is None
        await asyncio.wait_for(holder.ungrab(), 5)
        assert await asyncio.wait_for(g.grab("esc"), 5)  # free again: granted
    finally:
        holder.close()


def test_no_grab_without_x11() -> None:
    """Off X11 (no DISPLAY, or Wayland) there is no grab."""
    assert make_cancel_grab(lambda: None, env={}) is None
    assert make_cancel_grab(lambda: None, env={"DISPLAY": ":0",
                                               "WAYLAND_DISPLAY": "wayland-0"}) is None
