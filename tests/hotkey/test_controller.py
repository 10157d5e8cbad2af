"""PushToTalk against a scripted worker and an in-memory desktop (no X11)."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QObject, Signal

from scribe_desktop.core.lifecycle import DictationState, Lifecycle, Trigger
from scribe_desktop.core.transcript import Segment
from scribe_desktop.hotkey.backends import KeyEvent
from scribe_desktop.hotkey.chord import format_chord, parse_chord
from scribe_desktop.hotkey.interpreter import HotkeyConfig, HotkeyMode
from scribe_desktop.inject.inserter import Inserter, InsertMode
from scribe_desktop.qt.push_to_talk.controller import PushToTalk


class FakeWorker(QObject):
    """Implements `DictationControls`: follows the real lifecycle table and commits `said`
    when stopped (Qt signals on one thread call their slots directly)."""

    state_changed = Signal(object)
    segment_committed = Signal(object)
    commit_timeout_s = 1.0

    def __init__(self) -> None:
        super().__init__()
        self.lifecycle = Lifecycle()
        self.said: list[str] = []

    @property
    def state(self) -> DictationState:
        return self.lifecycle.state

    def _fire(self, trigger: Trigger) -> bool:
        new = self.lifecycle.fire(trigger)
        if new is not None:
            self.state_changed.emit(new)
        return new is not None

    def start(self) -> asyncio.Task[None] | None:
        if self._fire(Trigger.START):
            self._fire(Trigger.CONNECTED)
            return asyncio.ensure_future(asyncio.sleep(0))
        return None

    def start_push_to_talk(self) -> asyncio.Task[None] | None:
        return self.start()

    def stop(self) -> asyncio.Task[None] | None:
        if not self._fire(Trigger.STOP):
            return None

        async def commit() -> None:
            for text in self.said:
                self.segment_committed.emit(Segment(0, text))
            self._fire(Trigger.COMMITTED)
        return asyncio.ensure_future(commit())

    def cancel(self) -> asyncio.Task[None] | None:
        self._fire(Trigger.CANCEL)
        return None


class MemoryDesktop:
    def __init__(self) -> None:
        self.typed = ""

    async def active_window(self) -> int | None:
        return 7

    async def window_class(self, window: int) -> str:
        return '"editor", "Editor"'

    async def activate(self, window: int) -> bool:
        return True

    async def key(self, *keys: str) -> None:
        pass

    async def type_text(self, text: str) -> None:
        self.typed += text

    async def backspace(self, count: int) -> None:
        self.typed = self.typed[:-count]


def make() -> tuple[FakeWorker, MemoryDesktop, PushToTalk]:
    worker, desktop = FakeWorker(), MemoryDesktop()
    config = HotkeyConfig(chord=parse_chord("f9"), mode=HotkeyMode.HOLD,
                          cancel=parse_chord("esc"), undo=parse_chord("f10"))
    ptt = PushToTalk(worker, Inserter(desktop, mode=InsertMode.TYPE), config)
    ptt.start()
    return worker, desktop, ptt


async def settle(ptt: PushToTalk) -> None:
    await ptt._tasks.settle()


async def test_release_inserts_the_committed_text_and_undo_removes_it() -> None:
    """Press, release: the committed segments are typed; undo deletes exactly them."""
    worker, desktop, ptt = make()
    worker.said = ["hello there", "friend"]
    ptt.on_key(KeyEvent("f9", True, 0.0))
    assert worker.state == DictationState.LISTENING
    ptt.on_key(KeyEvent("f9", False, 1.0))
    await settle(ptt)
    assert desktop.typed == "Hello there friend"
    ptt.on_key(KeyEvent("f10", True, 2.0))
    await settle(ptt)
    assert desktop.typed == "" and any("18 characters" in n for n in ptt.notices)
    await ptt.close()


async def test_stop_elsewhere_still_inserts_and_cancel_inserts_nothing() -> None:
    """A dictation stopped by the window's button is inserted; Esc inserts nothing."""
    worker, desktop, ptt = make()
    worker.said = ["from the button"]
    ptt.on_key(KeyEvent("f9", True, 0.0))
    worker.stop()
    await settle(ptt)
    assert desktop.typed == "From the button"
    ptt.on_key(KeyEvent("f9", False, 1.0))
    desktop.typed = ""
    ptt.on_key(KeyEvent("f9", True, 2.0))
    ptt.on_key(KeyEvent("esc", True, 2.5))
    ptt.on_key(KeyEvent("f9", False, 3.0))
    await settle(ptt)
    assert desktop.typed == "" and worker.state == DictationState.IDLE
    await ptt.close()


async def test_a_shortcut_that_starts_with_the_chord_cancels_quietly() -> None:
    """Chord then another key within the guard: cancelled, nothing inserted, no notice."""
    worker, desktop, ptt = make()
    worker.said = ["should not appear"]
    ptt.on_key(KeyEvent("f9", True, 0.0))
    assert worker.state == DictationState.LISTENING
    ptt.on_key(KeyEvent("s", True, 0.1))
    ptt.on_key(KeyEvent("s", False, 0.15))
    ptt.on_key(KeyEvent("f9", False, 0.2))
    await settle(ptt)
    assert (worker.state, desktop.typed, ptt.notices) == (DictationState.IDLE, "", [])
    await ptt.close()


class EchoingDesktop(MemoryDesktop):
    """Types like xdotool --clearmodifiers: our own listener sees the held Ctrl+Alt lifted,
    the typed letters, then Ctrl+Alt pressed again."""

    def __init__(self) -> None:
        super().__init__()
        self.ptt: PushToTalk | None = None
        self.release_during_typing = False

    async def type_text(self, text: str) -> None:
        assert self.ptt is not None
        t = 10.0
        for key in ("ctrl", "alt"):
            self.ptt.on_key(KeyEvent(key, False, t))
        if self.release_during_typing:
            self.ptt.on_key(KeyEvent("space", False, t))  # the user lets go meanwhile
        for char in text:
            self.ptt.on_key(KeyEvent(char.lower(), True, t))
            self.ptt.on_key(KeyEvent(char.lower(), False, t))
        await asyncio.sleep(0)
        for key in ("ctrl", "alt"):
            self.ptt.on_key(KeyEvent(key, True, t))
        self.typed += text


def make_held(*, release_during_typing: bool = False) -> tuple[
        FakeWorker, EchoingDesktop, PushToTalk]:
    worker, desktop = FakeWorker(), EchoingDesktop()
    desktop.release_during_typing = release_during_typing
    config = HotkeyConfig(chord=parse_chord("ctrl+alt+space"), mode=HotkeyMode.HOLD)
    ptt = PushToTalk(worker, Inserter(desktop, mode=InsertMode.TYPE), config,
                     per_segment=True, synthetic_grace_s=0.01, clock=lambda: 1.0)
    desktop.ptt = ptt
    ptt.start()
    for key in ("ctrl", "alt", "space"):
        ptt.on_key(KeyEvent(key, True, 0.0))
    return worker, desktop, ptt


async def test_own_keystrokes_while_the_chord_is_held_do_not_stop_the_dictation() -> None:
    """A segment typed while the chord is held leaves the dictation listening."""
    worker, desktop, ptt = make_held()
    assert worker.state == DictationState.LISTENING
    states: list[object] = []
    worker.state_changed.connect(states.append)
    worker.segment_committed.emit(Segment(0, "as soon as"))
    await settle(ptt)
    assert desktop.typed == "As soon as"
    assert (states, ptt.notices) == ([], [])  # never stopped (nor restarted)
    assert ptt.interpreter.down == {"ctrl", "alt", "space"}
    for key in ("space", "alt", "ctrl"):
        ptt.on_key(KeyEvent(key, False, 20.0))
    await settle(ptt)
    assert worker.lifecycle.state == DictationState.IDLE  # (not narrowed by the one above)
    await ptt.close()


async def test_a_real_release_during_an_insertion_still_stops_the_dictation() -> None:
    """The chord released while a segment is being typed stops the dictation after it."""
    worker, desktop, ptt = make_held(release_during_typing=True)
    worker.segment_committed.emit(Segment(0, "hello"))
    await settle(ptt)
    assert desktop.typed == "Hello" and worker.state == DictationState.IDLE
    await ptt.close()


class FakeGrab:
    """Records what the controller asks of the X11 cancel-key grab."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def start(self) -> None:
        self.calls.append("start")

    def grab(self, chord: Any) -> None:
        self.calls.append(f"grab {format_chord(chord)}")

    def ungrab(self) -> None:
        self.calls.append("ungrab")

    def close(self) -> None:
        self.calls.append("close")


async def test_the_cancel_key_is_grabbed_only_while_dictating() -> None:
    """Esc is reserved when a dictation starts and released when it ends."""
    worker, desktop = FakeWorker(), MemoryDesktop()
    config = HotkeyConfig(chord=parse_chord("f9"), mode=HotkeyMode.HOLD,
                          cancel=parse_chord("esc"))
    grab = FakeGrab()
    ptt = PushToTalk(worker, Inserter(desktop, mode=InsertMode.TYPE), config, cancel_grab=grab)
    ptt.start()
    assert grab.calls == ["start"]
    worker.said = ["hello"]
    ptt.on_key(KeyEvent("f9", True, 0.0))
    assert grab.calls[-1] == "grab esc"
    ptt.on_key(KeyEvent("f9", False, 1.0))
    await settle(ptt)
    assert worker.state == DictationState.IDLE and grab.calls[-1] == "ungrab"
    assert grab.calls.count("grab esc") == 1
    await ptt.close()
    assert grab.calls[-1] == "close"
