"""The shaped transcript: shaped text beside the raw one, edits across segments, and
word timings that arrive after their commit."""

from __future__ import annotations

from scribe_desktop.core.transcript import (
    PartialChanged,
    Segment,
    SegmentAdded,
    SegmentEnriched,
    TranscriptChange,
)
from scribe_desktop.protocol.messages import Word, WordType
from scribe_desktop.shaping import ShapedDocument, ShapingRules

RULES = ShapingRules(commands=True)


def shown(changes: list[TranscriptChange]) -> list[tuple[str, int, str | None]]:
    out = []
    for c in changes:
        assert isinstance(c, SegmentAdded | SegmentEnriched)
        out.append((type(c).__name__, c.segment.index, c.segment.shaped))
    return out


def feed(doc: ShapedDocument, *texts: str) -> list[list[tuple[str, int, str | None]]]:
    start = len(doc.segments)
    return [shown(doc.apply(SegmentAdded(Segment(start + n, t)), RULES))
            for n, t in enumerate(texts)]


def test_raw_text_stays_and_shaped_text_is_added() -> None:
    """Each added segment keeps its raw text and gets its shaped text."""
    doc = ShapedDocument()
    changes = doc.apply(SegmentAdded(Segment(0, "hello world. New line.")), RULES)
    assert isinstance(changes[0], SegmentAdded)
    assert (changes[0].segment.text, changes[0].segment.shaped) == \
        ("hello world. New line.", "Hello world.\n")
    assert doc.apply(PartialChanged("x"), RULES) == [PartialChanged("x")]


def test_scratch_that_hides_the_previous_segment_and_undo_brings_it_back() -> None:
    """A scratch blanks the last shown segment; "undo that" restores it."""
    doc = ShapedDocument()
    steps = feed(doc, "First one.", "second one", "Scratch that.", "Undo that.",
                 "Undo that.")
    assert steps[2] == [("SegmentAdded", 2, ""), ("SegmentEnriched", 1, "")]
    assert steps[3] == [("SegmentAdded", 3, ""), ("SegmentEnriched", 1, "Second one")]
    assert steps[4] == [("SegmentAdded", 4, ""), ("SegmentEnriched", 1, "")]
    assert doc.text == "First one."


def test_scratches_skip_what_is_already_gone() -> None:
    """Two scratches remove the last two segments still shown."""
    doc = ShapedDocument()
    feed(doc, "one", "two", "three", "scratch that", "scratch that")
    assert [s.shaped for s in doc.segments] == ["One", "", "", "", ""]
    assert doc.hidden == [False, True, True, False, False]


def test_a_spoken_mark_attaches_to_the_segment_before() -> None:
    """A segment that is only a mark moves it onto the previous segment, replacing the
    engine's own mark."""
    doc = ShapedDocument()
    steps = feed(doc, "Is it done.", "Question mark.", "yes")
    assert steps[1] == [("SegmentAdded", 1, ""), ("SegmentEnriched", 0, "Is it done?")]
    assert steps[2] == [("SegmentAdded", 2, "Yes")]
    assert doc.text == "Is it done? Yes"


def test_segments_join_with_spaces_and_capitals() -> None:
    """The shaped text starts a sentence with a capital, as an inserter would."""
    doc = ShapedDocument()
    feed(doc, "turn off the music.", "open the door", "and the window")
    assert [s.shaped for s in doc.segments] == ["Turn off the music.", "Open the door",
                                                "and the window"]


def test_word_timings_arriving_later_reshape_the_segment() -> None:
    """The timed form of a commit (C4) can make a paused phrase a command."""
    doc = ShapedDocument()
    feed(doc, "first.")
    text = "so that is it period"
    doc.apply(SegmentAdded(Segment(1, text)), RULES)
    assert doc.segments[1].shaped == "So that is it period"
    times = [("so", 0.0, 0.2), ("that", 0.25, 0.4), ("is", 0.45, 0.5), ("it", 0.55, 0.7),
             ("period", 1.3, 1.7)]
    words: list[Word] = []
    for t, start, end in times:
        if words:
            words.append(Word(" ", words[-1].end_s, start, WordType.SPACING))
        words.append(Word(t, start, end))
    changes = doc.apply(SegmentEnriched(Segment(1, text, words=tuple(words))), RULES)
    assert shown(changes) == [("SegmentEnriched", 1, "So that is it.")]
    assert doc.text == "First. So that is it."


def test_enriching_a_segment_reshapes_the_ones_after_it() -> None:
    """A caps mode that an enriched segment no longer starts leaves the later ones."""
    doc = ShapedDocument()
    feed(doc, "all caps", "loud words")
    assert doc.segments[1].shaped == "LOUD WORDS"
    changes = doc.apply(SegmentEnriched(Segment(0, "all caps then")), RULES)
    assert ("SegmentEnriched", 1, "loud words") in shown(changes)


def test_rules_without_changes_leave_the_text() -> None:
    """With nothing to do the shaped text is the raw text, trimmed and capitalised."""
    doc = ShapedDocument()
    doc.apply(SegmentAdded(Segment(0, " exactly as said ")), ShapingRules(capitalize=False))
    assert doc.segments[0].shaped == "exactly as said"
