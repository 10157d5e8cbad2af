"""Push-to-talk inserts the shaped text: spoken commands within a hold and across holds,
against a worker shaping as the real one does and an in-memory desktop."""

from __future__ import annotations

from typing import Any

import pytest

from scribe_desktop.core.transcript import Segment
from scribe_desktop.hotkey.backends import KeyEvent
from scribe_desktop.inject.inserter import InsertMode
from scribe_desktop.qt.push_to_talk.controller import Outcome
from scribe_desktop.qt.push_to_talk.shaped import ShapedSegments
from tests.hotkey.test_controller import Rig


@pytest.fixture
async def rig() -> Any:
    r = Rig()
    yield r
    await r.ptt.close()


def ours_only(rig: Rig) -> bool:
    """Every character our backspaces removed was one we inserted."""
    return all(owner == "ours" for _, owner in rig.desktop.removed)


async def test_new_line_within_a_hold_inserts_a_newline_and_a_capital(rig: Rig) -> None:
    """"new line" standing alone between two segments becomes a line break."""
    await rig.dictate("hello world", "new line", "second line")
    assert rig.field.text == "Hello world\nSecond line"
    assert rig.outcomes == [(Outcome.INSERTED, "")]


async def test_a_spoken_comma_attaches_to_the_word_before_it(rig: Rig) -> None:
    """"comma" between two segments is a comma after the first, then a space."""
    await rig.dictate("hello world", "comma", "and more")
    assert rig.field.text == "Hello world, and more"


async def test_commands_in_their_own_holds_join_the_text_before_them(rig: Rig) -> None:
    """Commands dictated in holds of their own join the text of the holds before: the
    comma on the word, the next line capitalised."""
    await rig.dictate("hello world")
    await rig.dictate("comma")
    await rig.dictate("and more")
    await rig.dictate("new line")
    await rig.dictate("second line")
    assert rig.field.text == "Hello world, and more\nSecond line"
    assert ours_only(rig)
    assert [o for o, _ in rig.outcomes] == [Outcome.INSERTED] * 5


async def test_scratch_that_within_a_hold_never_inserts_the_scratched_text(rig: Rig) -> None:
    """The scratched segment of a hold is dropped before anything is pasted."""
    await rig.dictate("keep this.", "drop this", "scratch that")
    assert rig.field.text == "Keep this."
    assert rig.desktop.removed == [] and rig.desktop.pastes == 1


async def test_scratch_that_removes_the_previous_hold_and_undo_that_restores_it(
        rig: Rig) -> None:
    """"scratch that" in a hold of its own removes the last hold's text through the
    ledger, and "undo that" inserts it again, leaving the text before it untouched."""
    await rig.dictate("keep this.")
    await rig.dictate("drop this")
    assert rig.field.text == "Keep this. Drop this"
    await rig.dictate("scratch that")
    assert rig.field.text == "Keep this."
    assert [c for c, _ in rig.desktop.removed] == list(" Drop this") and ours_only(rig)
    await rig.dictate("undo that")
    assert rig.field.text == "Keep this. Drop this"
    assert [o for o, _ in rig.outcomes] == [Outcome.INSERTED] * 4


async def test_scratch_that_after_the_user_typed_is_refused(rig: Rig) -> None:
    """Once the user typed, "scratch that" removes nothing and says why."""
    await rig.dictate("hello world")
    rig.user_types(" mine")
    await rig.dictate("scratch that")
    assert rig.field.text == "Hello world mine" and rig.desktop.removed == []
    assert any("You typed" in n for n in rig.ptt.notices)
    assert rig.outcomes[-1][0] == Outcome.NOT_INSERTED


async def test_scratch_that_of_an_insertion_that_is_not_the_last_is_refused(rig: Rig) -> None:
    """A scratch reaching text a later insertion followed (paste last) changes nothing."""
    await rig.dictate("first words")
    await rig.key("f11")  # paste last: a newer insertion in the ledger
    before = rig.field.text
    await rig.dictate("scratch that")
    assert rig.field.text == before and rig.desktop.removed == []
    assert any("no longer the last dictation" in n for n in rig.ptt.notices)


async def test_undo_chord_after_a_spoken_scratch_has_nothing_to_remove(rig: Rig) -> None:
    """After "scratch that" emptied the last insertion, the undo chord removes nothing."""
    await rig.dictate("mine")
    rig.user_types(" typed")
    await rig.dictate("words")
    await rig.dictate("scratch that")
    assert rig.field.text == "Mine typed"
    await rig.key("f10")
    assert rig.field.text == "Mine typed" and rig.ptt.notices[-1] == "Nothing to undo."
    assert ours_only(rig)


async def test_per_segment_inserts_each_segment_and_revises_it_when_scratched(
        rig: Rig) -> None:
    """With per-segment insertion, a comma lands on and a scratch deletes a segment already
    inserted while the key is held."""
    rig.ptt.per_segment = True
    rig.ptt.on_key(KeyEvent("f9", True, rig.clock.now))
    rig.worker.commit("hello world")
    await rig.settle()
    assert rig.field.text == "Hello world"
    rig.worker.commit("comma")
    await rig.settle()
    assert rig.field.text == "Hello world,"
    rig.worker.commit("this goes")
    await rig.settle()
    assert rig.field.text == "Hello world, this goes"
    rig.worker.commit("scratch that")
    await rig.settle()
    assert rig.field.text == "Hello world,"
    rig.worker.commit("new line")
    rig.worker.commit("the end")
    rig.ptt.on_key(KeyEvent("f9", False, rig.clock.now + 1))
    await rig.settle()
    assert rig.field.text == "Hello world,\nThe end" and ours_only(rig)
    assert rig.outcomes == [(Outcome.INSERTED, "")]


async def test_type_mode_types_the_newline_and_revises_by_backspace() -> None:
    """In typing mode a new line is typed, and a scratch backspaces exactly its text."""
    rig = Rig(mode=InsertMode.TYPE)
    await rig.dictate("one", "new line", "two")
    await rig.dictate("three")
    assert rig.field.text == "One\nTwo three"
    await rig.dictate("scratch that")
    assert rig.field.text == "One\nTwo" and ours_only(rig)
    await rig.ptt.close()


def test_a_cleared_transcript_forgets_what_its_indexes_meant() -> None:
    """A segment index seen again (the transcript started over) maps to no insertion."""
    from scribe_desktop.inject.backends.base import Target
    from scribe_desktop.inject.inserter import Insertion
    from scribe_desktop.qt.push_to_talk.shaped import Batch

    shaped = ShapedSegments()
    shaped.added(Segment(0, "old", shaped="Old"))
    shaped.landed(Batch(Insertion(Target(1), InsertMode.PASTE), (0,), None, None, "Old"))
    assert shaped.batch_of(0) is not None
    shaped.added(Segment(0, "new", shaped="New"))
    assert shaped.batch_of(0) is None and shaped.text_of([0]) == "New"


async def test_undo_that_brings_back_a_hold_that_was_scratched_before_it_landed(
        rig: Rig) -> None:
    """A hold scratched within itself inserts nothing, and "undo that" next inserts it."""
    await rig.dictate("one more thing", "scratch that")
    assert rig.field.text == ""
    await rig.dictate("undo that")
    assert rig.field.text == "One more thing" and rig.desktop.removed == []
