"""Replacements, numbers, fillers and spacing at joins."""

from __future__ import annotations

import pytest

from scribe_desktop.shaping import (
    CaseRule,
    Joint,
    NumberStyle,
    Replacement,
    ReplacementError,
    ShapingRules,
    join,
    joint,
    problems,
    shape,
)
from scribe_desktop.shaping.fillers import is_filler


def rules(*entries: Replacement, **kwargs: object) -> ShapingRules:
    return ShapingRules(replacements=entries, **kwargs)  # type: ignore[arg-type]


def test_replacements_match_whole_words_in_any_case() -> None:
    """A heard phrase matches whole words, whatever case and spacing the engine used."""
    r = rules(Replacement("scribe desk", "Scribe Desktop"), Replacement("jason", "Jayson"))
    assert shape("I use scribe  desk with Jason", rules=r).text == \
        "I use Scribe Desktop with Jayson"
    assert shape("jasons and scribedesk", rules=r).text == "jasons and scribedesk"


def test_case_rules_preserve_or_keep_as_written() -> None:
    """PRESERVE carries a heard capital or all-caps over; AS_WRITTEN never changes case."""
    preserve = rules(Replacement("gonna", "going to"))
    assert shape("Gonna go. gonna go. GONNA GO", rules=preserve).text == \
        "Going to go. going to go. GOING TO GO"
    as_written = rules(Replacement("iphone", "iPhone", CaseRule.AS_WRITTEN))
    assert shape("Iphone here, IPHONE there", rules=as_written).text == \
        "iPhone here, iPhone there"


def test_regex_entries_are_opt_in() -> None:
    """A regex entry matches its pattern; the same text as a plain entry is literal."""
    regex = rules(Replacement(r"k8s|kates", "Kubernetes", CaseRule.AS_WRITTEN, regex=True))
    assert shape("deploy on kates or K8S", rules=regex).text == \
        "deploy on Kubernetes or Kubernetes"
    plain = rules(Replacement("k8s|kates", "Kubernetes"))
    assert shape("deploy on kates", rules=plain).text == "deploy on kates"


def test_the_longest_and_earliest_match_wins() -> None:
    """Overlapping entries: the longest match at the earliest place is used."""
    r = rules(Replacement("new york", "NY"), Replacement("new york city", "NYC"),
              Replacement("york city hall", "x"))
    assert shape("in new york city hall", rules=r).text == "in NYC hall"


def test_an_empty_written_form_drops_the_words() -> None:
    """Writing nothing removes the heard words without leaving double spaces."""
    assert shape("it is basically done", rules=rules(Replacement("basically", ""))).text == \
        "it is done"


@pytest.mark.parametrize(("entries", "message"), [
    ((Replacement("", "x"),), "Entry 1: “heard” is empty."),
    ((Replacement("a", "x"), Replacement("(", "y", regex=True)),
     "Entry 2: the regular expression “(” is invalid"),
    ((Replacement("a*", "y", regex=True),), "matches empty text"),
    ((Replacement("Same  thing", "x"), Replacement("same thing", "y")),
     "Entry 2: “same thing” is already entry 1."),
])
def test_bad_entries_are_named(entries: tuple[Replacement, ...], message: str) -> None:
    """Each unusable entry is reported with its number and the reason."""
    found = problems(entries)
    assert found and message in str(found[0])
    with pytest.raises(ReplacementError):
        shape("a", rules=rules(*entries))


def test_replaced_text_is_not_converted_again() -> None:
    """Numbers in a written form stay as written; the rest follows the number style."""
    r = rules(Replacement("catch twenty two", "Catch-22"), numbers=NumberStyle.WORDS)
    assert shape("read catch twenty two at 3", rules=r).text == "read Catch-22 at three"


@pytest.mark.parametrize(("spoken", "written"), [
    ("I have twenty one apples", "I have 21 apples"),
    ("three hundred and forty two dollars", "342 dollars"),
    ("one of them is fine", "one of them is fine"),
    ("the twenty third of May", "the 23rd of May"),
])
def test_numbers_as_digits(spoken: str, written: str) -> None:
    """Spelled numbers become digits; an isolated "one" stays a word."""
    assert shape(spoken, rules=ShapingRules(numbers=NumberStyle.DIGITS)).text == written


@pytest.mark.parametrize(("spoken", "written"), [
    ("I have 21 apples", "I have twenty-one apples"),
    ("the 23rd time", "the twenty-third time"),
    ("at 10:30, version 3.11.2, $5, 5% and A4", "at 10:30, version 3.11.2, $5, 5% and A4"),
])
def test_numbers_as_words(spoken: str, written: str) -> None:
    """Digits are spelled out; times, versions, money, percentages and codes are not."""
    assert shape(spoken, rules=ShapingRules(numbers=NumberStyle.WORDS)).text == written


def test_numbers_follow_the_segment_language() -> None:
    """The segment's language picks the number words; an unknown one is left alone."""
    digits = ShapingRules(numbers=NumberStyle.DIGITS)
    assert shape("vingt et un", rules=digits, language="fra").text == "21"
    assert shape("einundzwanzig Äpfel", rules=digits, language="de").text == "21 Äpfel"
    assert shape("twenty one", rules=digits, language="xx").text == "twenty one"


@pytest.mark.parametrize(("spoken", "written"), [
    ("Um, I think, uh, we should go", "I think, we should go"),
    ("we go um. Then we stop", "we go. Then we stop"),
    ("Hello. Er, what now?", "Hello. What now?"),
    ("take him to the ER now", "take him to the ER now"),
    ("hmm", ""),
])
def test_fillers_are_dropped(spoken: str, written: str) -> None:
    """Hesitations go with their commas; sentence ends and capitals stay."""
    assert shape(spoken, rules=ShapingRules(remove_fillers=True)).text == written
    assert is_filler("Uhm...") and not is_filler("umbrella")


def test_a_dropped_filler_is_a_pause_for_commands() -> None:
    """A hesitation sets a command apart like a pause does."""
    r = ShapingRules(commands=True, remove_fillers=True)
    assert shape("that is all um period", rules=r).text == "that is all."


@pytest.mark.parametrize(("previous", "text", "expected"), [
    (None, "hello world", Joint(0, "Hello world")),
    ("Hello world", "again", Joint(0, " again")),
    ("Hello world.", "next one", Joint(0, " Next one")),
    ("Hello world ", "more", Joint(0, "more")),
    ("Hello", ", then", Joint(0, ", then")),
    ("Hello world.", "?", Joint(1, "?")),
    ("Hello world. ", ".", Joint(2, ".")),
    ("Hello world ", ",", Joint(1, ",")),
    ("Line one", "\nline two", Joint(0, "\nLine two")),
    ("Line one\n", "next", Joint(0, "Next")),
    ("He said", "\"hi\"", Joint(0, " \"hi\"")),
    ("x", "  ", Joint(0, "")),
])
def test_joints(previous: str | None, text: str, expected: Joint) -> None:
    """Spaces, capitals and replaced marks at an insertion point."""
    assert joint(previous, text) == expected


def test_join_applies_the_joint() -> None:
    """join() is previous with the joint applied."""
    assert join("Hello world.", "question?") == "Hello world. Question?"
    assert join("Hello world.", "!") == "Hello world!"
    assert join(None, "hi") == "Hi"


def test_a_heard_phrase_may_span_a_pause() -> None:
    """The dictionary sees the text between commands whole, pauses included."""
    from scribe_desktop.protocol.messages import Word, WordType

    words = (Word("call", 0.0, 0.3), Word(" ", 0.3, 0.35, WordType.SPACING),
             Word("scribe", 0.35, 0.7), Word(" ", 0.7, 1.4, WordType.SPACING),
             Word("desk", 1.4, 1.7))
    r = rules(Replacement("scribe desk", "Scribe Desktop"))
    assert shape("call scribe desk", rules=r, words=words).text == "call Scribe Desktop"
