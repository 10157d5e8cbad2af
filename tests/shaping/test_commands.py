"""Spoken commands: what fires, what stays text, and how engine punctuation is handled."""

from __future__ import annotations

import pytest

from scribe_desktop.protocol.messages import Word, WordType
from scribe_desktop.shaping import ScratchLast, ShapeContext, ShapingRules, UndoLast, shape

COMMANDS = ShapingRules(commands=True)


def timed(*items: tuple[str, float, float]) -> tuple[str, tuple[Word, ...]]:
    """A text and its words with times, spacing items between them."""
    words: list[Word] = []
    for n, (text, start, end) in enumerate(items):
        if n:
            words.append(Word(" ", words[-1].end_s, start, WordType.SPACING))
        words.append(Word(text, start, end))
    return " ".join(t for t, _, _ in items), tuple(words)


@pytest.mark.parametrize(("spoken", "written"), [
    ("Hello world. New line. How are you?", "Hello world.\nHow are you?"),
    ("Dear John, new paragraph. Thanks.", "Dear John,\n\nThanks."),
    ("Hello world, comma, how are you", "Hello world, how are you"),
    ("Hello world. Question mark.", "Hello world?"),
    ("Stop, exclamation mark.", "Stop!"),
    ("Stop. Exclamation point.", "Stop!"),
    ("Note, colon, bring bread.", "Note: bring bread."),
    ("Great, full stop.", "Great."),
    ("Period.", "."),
    ("COMMA", ","),
    ("He said, open quote, hi there, close quote.", "He said, \"hi there\""),
    ("one. Semicolon. two", "one; two"),
    ("Hello world. Comma. How are you?", "Hello world, how are you?"),
    ("Hello. Comma. John is here", "Hello, John is here"),
    ("First line. Newline. Second line", "First line.\nSecond line"),
])
def test_commands_set_apart_by_punctuation_fire(spoken: str, written: str) -> None:
    """A command the engine set apart with punctuation fires, whatever its case."""
    assert shape(spoken, rules=COMMANDS).text == written


@pytest.mark.parametrize("text", [
    "the period of the contract",
    "I typed it in all caps yesterday",
    "put a comma after the name",
    "we need a new line of products",
    "please scratch that itch",
    "a question mark appears",
    "the new paragraph starts here",
    "open quote marks are curly",
])
def test_commands_inside_sentences_stay_text(text: str) -> None:
    """Command words inside an ordinary sentence are text."""
    result = shape(text, rules=COMMANDS)
    assert (result.text, result.commands, result.actions) == (text, (), ())


def test_a_pause_in_the_word_timings_sets_a_command_apart() -> None:
    """With word timings, a pause before and after makes the phrase a command."""
    text, words = timed(("hello", 0.0, 0.4), ("world", 0.45, 0.8), ("period", 1.4, 1.8),
                        ("next", 2.4, 2.7))
    assert shape(text, rules=COMMANDS, words=words).text == "hello world. Next"
    # the same words spoken without pauses are text
    text, words = timed(("hello", 0.0, 0.4), ("world", 0.45, 0.8), ("period", 0.85, 1.2),
                        ("next", 1.25, 1.5))
    assert shape(text, rules=COMMANDS, words=words).text == "hello world period next"


def test_the_pause_threshold_is_a_rule() -> None:
    """A gap shorter than `pause_s` does not set a command apart."""
    text, words = timed(("one", 0.0, 0.3), ("comma", 0.7, 1.0), ("two", 1.4, 1.7))
    assert shape(text, rules=COMMANDS, words=words).text == "one, two"
    strict = ShapingRules(commands=True, pause_s=0.5)
    assert shape(text, rules=strict, words=words).text == "one comma two"


def test_words_that_do_not_spell_the_text_give_no_timings() -> None:
    """Timings of other words are ignored: only the segment's edges count."""
    _, words = timed(("something", 0.0, 0.4), ("else", 1.0, 1.4))
    assert shape("one period two", rules=COMMANDS, words=words).text == "one period two"


def test_commands_are_off_unless_the_rules_say_so() -> None:
    """Without `commands` the phrase is text."""
    assert shape("New line.", rules=ShapingRules()).text == "New line."


def test_scratch_that_removes_the_last_phrase_of_the_segment() -> None:
    """"scratch that" after text in the same segment removes that phrase only."""
    result = shape("Keep this. Drop this. Scratch that.", rules=COMMANDS)
    assert (result.text, result.actions) == ("Keep this.", ())


def test_scratch_that_alone_scratches_the_previous_segment() -> None:
    """With nothing before it in the segment, "scratch that" is an action for the ledger."""
    result = shape("Scratch that. Then this", rules=COMMANDS)
    assert (result.text, result.actions) == ("Then this", (ScratchLast(),))


def test_undo_that_reverts_the_last_edit_or_asks_the_ledger() -> None:
    """"undo that" undoes a command, a scratch, or (alone) the previous edit."""
    assert shape("hello. New line. Undo that.", rules=COMMANDS).text == "hello."
    assert shape("Keep this. Scratch that. Undo that.", rules=COMMANDS).text == "Keep this."
    undone = shape("Scratch that. Undo that.", rules=COMMANDS)
    assert (undone.text, undone.actions) == ("", ())
    alone = shape("Undo that.", rules=COMMANDS)
    assert (alone.text, alone.actions) == ("", (UndoLast(),))


def test_all_caps_spans_segments_through_the_context() -> None:
    """"all caps" capitalises until "end caps", across segments."""
    first = shape("All caps. Hello there", rules=COMMANDS)
    assert (first.text, first.context) == ("HELLO THERE", ShapeContext(caps=True))
    second = shape("more words. End caps. Back to normal", first.context, COMMANDS)
    assert (second.text, second.context.caps) == ("MORE WORDS. Back to normal", False)


def test_a_spoken_sentence_end_capitalises_the_next_word() -> None:
    """After a spoken period or new line the next word starts with a capital."""
    assert shape("one, period, two, new line, three", rules=COMMANDS).text == \
        "one. Two,\nThree"
