"""Undo never deletes a character the user typed: random sequences of dictations (some meet
a menu holding the keyboard or a field that ignores the paste), typing, clicks that move the
caret, focus changes, windows closed and reopened with the same id, and undo, through the
real controller and inserter on the in-memory desktop, whose characters remember who put
them there."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from scribe_desktop.hotkey.backends import KeyEvent
from scribe_desktop.hotkey.backends.base import POINTER
from scribe_desktop.hotkey.chord import parse_chord
from scribe_desktop.hotkey.interpreter import HotkeyConfig, HotkeyMode
from scribe_desktop.inject.inserter import Inserter, InsertMode
from scribe_desktop.inject.ledger import InsertionLedger
from scribe_desktop.qt.push_to_talk.controller import PushToTalk
from tests.hotkey.test_controller import FakeWorker
from tests.inject.memory_desktop import MemoryDesktop

STEPS = st.lists(st.one_of(
    st.tuples(st.just("dictate"), st.sampled_from(["hello there", "one two", "final words."]),
              st.booleans()),
    st.tuples(st.just("type"), st.text("0123456789,;", min_size=1, max_size=6), st.none()),
    st.tuples(st.just("click"), st.floats(0, 1), st.none()),
    st.tuples(st.just("focus"), st.sampled_from([7, 8]), st.none()),
    st.tuples(st.just("reopen"), st.sampled_from([7, 8]), st.none()),
    st.tuples(st.just("undo"), st.none(), st.none()),
    st.tuples(st.just("pause"), st.none(), st.none()),
), min_size=1, max_size=14)


async def run(steps: list[tuple[str, object, object]], mode: InsertMode) -> MemoryDesktop:
    worker, desktop = FakeWorker(), MemoryDesktop()
    desktop.open(8, pid=108)
    desktop.open(7, pid=107)
    now = [1000.0]
    inserter = Inserter(desktop, desktop.clipboard, mode=mode, clock=lambda: now[0],
                        ledger=InsertionLedger(input_tracked=True, pause_s=60))
    ptt = PushToTalk(worker, inserter, HotkeyConfig(chord=parse_chord("f9"),
                                                    mode=HotkeyMode.HOLD,
                                                    undo=parse_chord("f10")),
                     clock=lambda: now[0], synthetic_grace_s=0.001)
    ptt.start()
    pids = iter(range(200, 400))

    def key(name: str) -> None:
        ptt.on_key(KeyEvent(name, True, now[0]))
        ptt.on_key(KeyEvent(name, False, now[0]))

    for action, arg, flag in steps:
        now[0] += 1
        if desktop.focus is None:
            continue
        if action == "dictate":
            # some go wrong: a menu holds the keyboard, or the field ignores the paste
            desktop.menu_open = bool(flag) and len(str(arg)) % 2 == 0
            desktop.ignores_paste = bool(flag) and len(str(arg)) % 2 == 1
            worker.said = [str(arg)]
            ptt.on_key(KeyEvent("f9", True, now[0]))
            ptt.on_key(KeyEvent("f9", False, now[0] + 0.5))
            await ptt._tasks.settle()
            desktop.menu_open = desktop.ignores_paste = False
        elif action == "type":
            desktop.field.insert(str(arg), "user")
            for char in str(arg):
                key(char)
        elif action == "click":
            field = desktop.field
            field.caret = round(float(arg) * len(field.chars))  # type: ignore[arg-type]
            ptt.on_key(KeyEvent(POINTER, True, now[0]))
        elif action == "focus" and desktop.focus != arg:
            desktop.focus = int(arg)  # type: ignore[call-overload]
            ptt.on_focus_change(arg)
        elif action == "reopen":  # the window closes; a new one reuses its id
            window = int(arg)  # type: ignore[call-overload]
            desktop.close(window)
            desktop.open(window, pid=next(pids))
            ptt.on_focus_change(window)
        elif action == "undo":
            key("f10")
            await ptt._tasks.settle()
        elif action == "pause":
            now[0] += 120
    await ptt.close()
    return desktop


@settings(max_examples=200, deadline=None)
@given(STEPS, st.sampled_from([InsertMode.PASTE, InsertMode.TYPE]))
def test_undo_never_deletes_a_users_character(steps: list[tuple[str, object, object]],
                                              mode: InsertMode) -> None:
    """Whatever happened, every character undo removed was one of ours."""
    desktop = asyncio.run(run(steps, mode))
    assert [c for c, owner in desktop.removed if owner != "ours"] == []


def test_undo_removes_exactly_the_last_dictation_when_nothing_happened_since() -> None:
    """Control case of the property: with nothing in between, undo does remove it all."""
    desktop = asyncio.run(run([("type", "12", None), ("dictate", "hello there", False),
                               ("undo", None, None)], InsertMode.PASTE))
    assert desktop.removed == [(c, "ours") for c in "Hello there"]
    assert desktop.windows[7].text == "12"
