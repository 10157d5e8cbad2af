"""PushToTalk against a scripted worker and an in-memory desktop (no X11)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal

from scribe_desktop.core.lifecycle import DictationState, Lifecycle, Trigger
from scribe_desktop.core.transcript import Segment, SegmentAdded, SegmentEnriched
from scribe_desktop.hotkey.backends import KeyEvent
from scribe_desktop.hotkey.backends.base import POINTER
from scribe_desktop.hotkey.chord import Chord, format_chord, parse_chord
from scribe_desktop.hotkey.interpreter import HotkeyConfig, HotkeyMode
from scribe_desktop.hotkey.synthetic_keys import Burst
from scribe_desktop.inject.backends.base import ClipboardContent
from scribe_desktop.inject.inserter import Inserter, InsertMode
from scribe_desktop.inject.ledger import InsertionLedger
from scribe_desktop.qt.push_to_talk.controller import Cue, Outcome, PushToTalk
from scribe_desktop.shaping import ShapedDocument, ShapingRules
from tests.inject.memory_desktop import MemoryDesktop


class FakeWorker(QObject):
    """Implements `DictationControls`: follows the real lifecycle table and commits `said`
    when stopped, shaped as the worker shapes a push-to-talk dictation (a real
    `ShapedDocument` with spoken commands on); Qt signals on one thread call their slots
    directly."""

    state_changed = Signal(object)
    segment_committed = Signal(object)
    segment_enriched = Signal(object)
    commit_timeout_s = 1.0

    def __init__(self) -> None:
        super().__init__()
        self.lifecycle = Lifecycle()
        self.document = ShapedDocument()
        self.rules = ShapingRules(commands=True)
        self.said: list[str] = []
        self.prebuffered = False
        self.gate: asyncio.Event | None = None

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

    def prebuffer(self) -> bool:
        self.prebuffered = self.state == DictationState.COMMITTING
        return self.prebuffered

    def discard_prebuffer(self) -> None:
        self.prebuffered = False

    def stop(self) -> asyncio.Task[None] | None:
        if not self._fire(Trigger.STOP):
            return None

        said = list(self.said)

        async def commit() -> None:
            if self.gate is not None:  # a slow final commit
                await self.gate.wait()
            for text in said:
                self.commit(text)
            self._fire(Trigger.COMMITTED)
        return asyncio.ensure_future(commit())

    def commit(self, text: str) -> None:
        """One committed segment, with the earlier segments its shaping changed."""
        segment = Segment(len(self.document.segments), text)
        for change in self.document.apply(SegmentAdded(segment), self.rules):
            if isinstance(change, SegmentAdded):
                self.segment_committed.emit(change.segment)
            elif isinstance(change, SegmentEnriched):
                self.segment_enriched.emit(change.segment)

    def cancel(self) -> asyncio.Task[None] | None:
        self._fire(Trigger.CANCEL)
        return None


class Reservations:
    """Records what the controller reserves (a `ChordReservations`)."""

    def __init__(self) -> None:
        self.chords: dict[str, str] = {}
        self.cancel: str | None = None
        self.suspended = False

    async def reserve(self, chords: Mapping[str, Chord | None]) -> dict[str, bool]:
        self.chords = {n: format_chord(c) for n, c in chords.items() if c is not None}
        return {n: True for n in self.chords}

    async def reserve_cancel(self, chord: Chord | None) -> bool:
        self.cancel = None if chord is None else format_chord(chord)
        return True

    async def suspend(self, on: bool) -> None:
        self.suspended = on


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Rig:
    def __init__(self, *, mode: InsertMode = InsertMode.PASTE, tracked: bool = True) -> None:
        self.worker = FakeWorker()
        self.desktop = MemoryDesktop()
        self.field = self.desktop.open(7)
        self.clock = Clock()
        self.reservations = Reservations()
        self.outcomes: list[tuple[Outcome, str]] = []
        self.cues: list[Cue] = []
        config = HotkeyConfig(chord=parse_chord("f9"), mode=HotkeyMode.HOLD,
                              cancel=parse_chord("esc"), undo=parse_chord("f10"),
                              paste_last=parse_chord("f11"))
        self.inserter = Inserter(self.desktop, self.desktop.clipboard, mode=mode,
                                 ledger=InsertionLedger(input_tracked=tracked, pause_s=60),
                                 clock=self.clock)
        self.ptt = PushToTalk(self.worker, self.inserter, config,
                              reservations=self.reservations,
                              on_outcome=lambda o, d: self.outcomes.append((o, d)),
                              on_cue=self.cues.append, clock=self.clock)
        self.ptt.start()

    async def settle(self) -> None:
        await self.ptt._tasks.settle()

    async def dictate(self, *said: str) -> None:
        self.worker.said = list(said)
        self.ptt.on_key(KeyEvent("f9", True, self.clock.now))
        self.ptt.on_key(KeyEvent("f9", False, self.clock.now + 1))
        await self.settle()

    async def key(self, name: str) -> None:
        self.ptt.on_key(KeyEvent(name, True, self.clock.now))
        self.ptt.on_key(KeyEvent(name, False, self.clock.now))
        await self.settle()

    def user_types(self, text: str) -> None:
        """The user types into the focused field; the listener sees the keys."""
        self.desktop.field.insert(text, "user")
        for char in text:
            self.ptt.on_key(KeyEvent(char if char != " " else "space", True, self.clock.now))
            self.ptt.on_key(KeyEvent(char if char != " " else "space", False, self.clock.now))


@pytest.fixture
async def rig() -> Any:
    r = Rig()
    yield r
    await r.ptt.close()


async def test_release_inserts_the_committed_text_and_undo_removes_it(rig: Rig) -> None:
    """Press, release: the committed segments are pasted; undo deletes exactly them."""
    rig.desktop.clipboard.content = ClipboardContent("UTF8_STRING", b"kept")
    await rig.dictate("hello there", "friend")
    assert rig.field.text == "Hello there friend"
    assert rig.desktop.clipboard.content is not None
    assert rig.desktop.clipboard.content.text == "kept"
    await rig.key("f10")
    assert rig.field.text == "" and any("18 characters" in n for n in rig.ptt.notices)
    assert rig.outcomes == [(Outcome.INSERTED, "")]
    assert rig.cues == [Cue.START, Cue.STOP]


async def test_stop_elsewhere_still_inserts_and_cancel_inserts_nothing(rig: Rig) -> None:
    """A dictation stopped by the window's button is inserted; Esc inserts nothing."""
    rig.worker.said = ["from the button"]
    rig.ptt.on_key(KeyEvent("f9", True, 0.0))
    rig.worker.stop()
    await rig.settle()
    assert rig.field.text == "From the button"
    rig.ptt.on_key(KeyEvent("f9", False, 1.0))
    rig.ptt.on_key(KeyEvent("f9", True, 2.0))
    rig.ptt.on_key(KeyEvent("esc", True, 2.5))
    rig.ptt.on_key(KeyEvent("f9", False, 3.0))
    await rig.settle()
    assert rig.field.text == "From the button" and rig.worker.state == DictationState.IDLE


async def test_a_press_during_the_last_commit_is_captured_and_inserted_after_it(
        rig: Rig) -> None:
    """Pressed and released again while the previous dictation still commits: its audio is
    captured from the press, it starts once the previous one is in, and both land."""
    rig.worker.gate = asyncio.Event()
    rig.worker.said = ["first words."]
    now = rig.clock.now
    rig.ptt.on_key(KeyEvent("f9", True, now))
    rig.ptt.on_key(KeyEvent("f9", False, now + 1))
    assert rig.worker.state == DictationState.COMMITTING
    rig.worker.said = ["second words"]
    rig.ptt.on_key(KeyEvent("f9", True, now + 1.1))
    assert rig.worker.prebuffered  # capturing for it from the press on
    rig.ptt.on_key(KeyEvent("f9", False, now + 4))  # let go before the first one is in
    await asyncio.sleep(0.05)
    assert rig.outcomes == [] and rig.field.text == ""
    rig.worker.gate.set()
    await rig.settle()
    assert [o for o, _ in rig.outcomes] == [Outcome.INSERTED, Outcome.INSERTED]
    assert rig.field.text == "First words. Second words"


async def test_cancelling_a_waiting_press_leaves_the_last_commit_alone(rig: Rig) -> None:
    """Esc on a press that waits for the previous commit drops only its own audio."""
    rig.worker.gate = asyncio.Event()
    rig.worker.said = ["kept"]
    now = rig.clock.now
    rig.ptt.on_key(KeyEvent("f9", True, now))
    rig.ptt.on_key(KeyEvent("f9", False, now + 1))
    rig.ptt.on_key(KeyEvent("f9", True, now + 1.1))
    rig.ptt.on_key(KeyEvent("esc", True, now + 1.2))
    assert not rig.worker.prebuffered and rig.worker.state == DictationState.COMMITTING
    rig.ptt.on_key(KeyEvent("f9", False, now + 1.3))
    rig.worker.gate.set()
    await rig.settle()
    assert rig.field.text == "Kept"


async def test_a_press_that_cannot_start_after_the_last_commit_keeps_no_audio(
        rig: Rig) -> None:
    """The worker refuses to start once the previous commit is in: the waiting press says
    so and drops what it captured, so no later dictation begins with that old audio."""
    rig.worker.gate = asyncio.Event()
    rig.worker.said = ["first words."]
    now = rig.clock.now
    rig.ptt.on_key(KeyEvent("f9", True, now))
    rig.ptt.on_key(KeyEvent("f9", False, now + 1))
    rig.ptt.on_key(KeyEvent("f9", True, now + 1.1))
    assert rig.worker.prebuffered
    rig.worker.start_push_to_talk = lambda: None  # type: ignore[method-assign]
    rig.worker.gate.set()
    async with asyncio.timeout(5):
        while not any("could not start" in n for n in rig.ptt.notices):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    assert not rig.worker.prebuffered
    assert rig.field.text == "First words."


async def test_a_shortcut_that_starts_with_the_chord_cancels_quietly() -> None:
    """Chord then another key within the guard: cancelled, nothing inserted, no notice."""
    worker, desktop = FakeWorker(), MemoryDesktop()
    field = desktop.open(7)
    ptt = PushToTalk(worker, Inserter(desktop, desktop.clipboard),
                     HotkeyConfig(chord=parse_chord("ctrl+f9"), mode=HotkeyMode.HOLD))
    ptt.start()
    worker.said = ["should not appear"]
    ptt.on_key(KeyEvent("ctrl", True, 0.0))
    ptt.on_key(KeyEvent("f9", True, 0.0))
    ptt.on_key(KeyEvent("s", True, 0.1))
    ptt.on_key(KeyEvent("s", False, 0.15))
    ptt.on_key(KeyEvent("f9", False, 0.2))
    await ptt._tasks.settle()
    assert (worker.state, field.text, ptt.notices) == (DictationState.IDLE, "", [])
    await ptt.close()


@pytest.mark.parametrize("swallowed_by", ["a menu", "a field ignoring the paste"])
async def test_undo_after_a_swallowed_paste_refuses_and_keeps_the_users_text(
        rig: Rig, swallowed_by: str) -> None:
    """A paste that did not land is not recorded: undo deletes nothing of the user's."""
    sentence = "The meeting moved to Thursday at three, please tell everyone."
    rig.user_types(sentence)
    menu = swallowed_by == "a menu"
    rig.desktop.menu_open, rig.desktop.ignores_paste = menu, not menu
    await rig.dictate("call me back")
    assert rig.field.text == sentence and rig.outcomes[-1][0] == Outcome.NOT_INSERTED
    why = "holds the keyboard" if menu else "did not take"
    assert why in rig.outcomes[-1][1] and Cue.ERROR in rig.cues
    rig.desktop.menu_open = rig.desktop.ignores_paste = False  # Esc closed the menu
    await rig.key("f10")
    assert rig.field.text == sentence and rig.desktop.removed == []
    assert "Nothing to undo" in rig.ptt.notices[-1]


@pytest.mark.parametrize("between", ["typing", "click", "focus change"])
async def test_undo_refuses_after_user_input(rig: Rig, between: str) -> None:
    """Typing, a click or a focus change after a dictation makes undo refuse."""
    await rig.dictate("first words")
    if between == "typing":
        rig.user_types(" and mine")
    elif between == "click":
        rig.ptt.on_key(KeyEvent(POINTER, True, rig.clock.now))
    else:
        rig.ptt.on_focus_change(8)
    before = rig.field.text
    await rig.key("f10")
    assert rig.field.text == before and rig.desktop.removed == []
    assert "nothing was removed" in rig.ptt.notices[-1]


async def test_undo_refuses_in_another_window(rig: Rig) -> None:
    """Undo works only while the dictation's window has the focus."""
    await rig.dictate("for the first window")
    other = rig.desktop.open(8)  # focus moved (the watch would say so, too)
    other.insert("other text", "user")
    await rig.key("f10")
    assert other.text == "other text" and rig.field.text == "For the first window"


async def test_smart_spacing_follows_the_field_not_memory(rig: Rig) -> None:
    """Consecutive dictations join with a space; after typing, a pause or a new window
    with a reused id, no space is guessed and the first letter is a capital."""
    await rig.dictate("hello there.")
    await rig.dictate("general kenobi")
    assert rig.field.text == "Hello there. General kenobi"
    rig.field.chars.clear()  # the user selects all and deletes it (the keys are seen)
    rig.field.caret = 0
    rig.ptt.on_key(KeyEvent("delete", True, rig.clock.now))
    rig.ptt.on_key(KeyEvent("delete", False, rig.clock.now))
    await rig.dictate("you are a bold one")
    assert rig.field.text == "You are a bold one"
    rig.clock.now += 61  # a pause longer than the setting
    await rig.dictate("kill him")
    assert rig.field.text == "You are a bold oneKill him"  # no guessed space after a reset
    rig.desktop.close(7)
    fresh = rig.desktop.open(7, pid=200)  # a new window that reuses the id
    await rig.dictate("back away")
    assert fresh.text == "Back away"


async def test_remote_start_and_stop_insert_like_the_hotkey(rig: Rig) -> None:
    """--start/--stop --insert capture the focused window and insert into it."""
    rig.worker.said = ["from a desktop shortcut"]
    assert rig.ptt.remote("start") == "listening"
    await asyncio.sleep(0.01)  # the reservation task runs
    assert rig.reservations.cancel == "esc"
    assert rig.ptt.remote("stop") == "committing"
    await rig.settle()
    assert rig.field.text == "From a desktop shortcut"
    rig.worker.said = ["again"]
    rig.ptt.remote("toggle")
    rig.ptt.remote("toggle")
    await rig.settle()
    assert rig.field.text == "From a desktop shortcut again"


async def test_chords_are_reserved_and_suspended_while_recording(rig: Rig) -> None:
    """Dictate, undo and paste-last are reserved; the cancel key only while dictating;
    suspended, the chords act on nothing."""
    await rig.settle()
    assert rig.reservations.chords == {"dictate": "f9", "undo": "f10", "paste_last": "f11"}
    assert rig.reservations.cancel is None
    now = rig.clock.now
    rig.ptt.on_key(KeyEvent("f9", True, now))
    await asyncio.sleep(0.01)  # the reservation task runs
    assert rig.reservations.cancel == "esc"
    rig.ptt.on_key(KeyEvent("f9", False, now + 1))
    await rig.settle()
    assert rig.reservations.cancel is None
    rig.ptt.suspend(True)
    await rig.settle()
    assert rig.reservations.suspended
    rig.ptt.on_key(KeyEvent("f9", True, now + 2))
    await rig.settle()
    assert rig.worker.state == DictationState.IDLE
    rig.ptt.suspend(False)
    await rig.settle()
    assert not rig.reservations.suspended


async def test_a_failure_logs_its_whole_trace(rig: Rig, caplog: pytest.LogCaptureFixture
                                              ) -> None:
    """A dictation that inserts nothing logs every step, press to paste, in one warning."""
    caplog.set_level(logging.INFO, logger="scribe_desktop.ptt")
    rig.desktop.ignores_paste = True
    await rig.dictate("lost words")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "ended: not inserted" in warnings[0]
    for step in ("start", "worker listening", "release: stop", "segment committed",
                 "paste key sent", "paste NOT fetched", "outcome: not inserted"):
        assert step in warnings[0], step
    await rig.dictate()
    assert rig.outcomes[-1][0] == Outcome.NOTHING_HEARD


class EchoingDesktop(MemoryDesktop):
    """Types like an X11 tool: our own listener sees the held Ctrl+Alt lifted, the typed
    letters, then (with `repress`) Ctrl+Alt pressed again."""

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
        await super().type_text(text)


class Synthetic:
    """A `SyntheticKeys`: says it released the held Ctrl+Alt and typed "hello"."""

    def take_bursts(self) -> list[Burst]:
        typed = tuple((c, down) for c in "hello" for down in (True, False))
        return [Burst(9.0, 10.0, (("ctrl", False), ("alt", False)), frozenset({"ctrl", "alt"})),
                Burst(10.0, 10.5, typed)]


def make_held(*, release_during_typing: bool = False) -> tuple[
        FakeWorker, EchoingDesktop, PushToTalk]:
    worker, desktop = FakeWorker(), EchoingDesktop()
    desktop.open(7)
    desktop.release_during_typing = release_during_typing
    config = HotkeyConfig(chord=parse_chord("ctrl+alt+space"), mode=HotkeyMode.HOLD)
    ptt = PushToTalk(worker, Inserter(desktop, desktop.clipboard, mode=InsertMode.TYPE),
                     config, per_segment=True, synthetic_grace_s=0.01, clock=lambda: 1.0,
                     synthetic=Synthetic())
    desktop.ptt = ptt
    ptt.start()
    for key in ("ctrl", "alt", "space"):
        ptt.on_key(KeyEvent(key, True, 0.0))
    return worker, desktop, ptt


async def test_own_keystrokes_while_the_chord_is_held_do_not_stop_the_dictation() -> None:
    """A segment typed while the chord is held leaves the dictation listening; the
    modifiers we released are forgotten, and the main key's release still stops it."""
    worker, desktop, ptt = make_held()
    assert worker.state == DictationState.LISTENING
    states: list[object] = []
    worker.state_changed.connect(states.append)
    worker.commit("hello")
    await ptt._tasks.settle()
    assert desktop.typed == "Hello"
    assert (states, ptt.notices) == ([], [])  # never stopped (nor restarted)
    assert ptt.interpreter.down == {"space"}  # ctrl, alt: released by us, forgotten
    ptt.on_key(KeyEvent("space", False, 20.0))
    await ptt._tasks.settle()
    assert worker.lifecycle.state == DictationState.IDLE  # (not narrowed by the one above)
    await ptt.close()


async def test_a_real_release_during_an_insertion_still_stops_the_dictation() -> None:
    """The chord's main key released while a segment is typed stops the dictation after."""
    worker, desktop, ptt = make_held(release_during_typing=True)
    worker.commit("hello")
    await ptt._tasks.settle()
    assert desktop.typed == "Hello" and worker.state == DictationState.IDLE
    await ptt.close()
