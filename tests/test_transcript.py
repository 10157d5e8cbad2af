"""The transcript model turns connection events into segments without duplicates."""

from __future__ import annotations

from scribe_desktop.core.transcript import (
    PartialChanged,
    SegmentAdded,
    SegmentEnriched,
    Transcript,
    TranscriptChange,
    feed,
)
from scribe_desktop.protocol import UnknownMessage, Word, WordType
from scribe_desktop.protocol.connection import Commit, CommitTimed, ConnectionEvent, Partial, Passed

WORDS = (Word("Hello", 0.5, 0.9, WordType.WORD), Word(" ", 0.9, 1.0, WordType.SPACING),
         Word("world", 1.0, 1.4, WordType.WORD))


def run(*events: ConnectionEvent) -> Transcript:
    t = Transcript()
    for event in events:
        t.apply(event)
    return t


def test_partial_replaces_never_appends() -> None:
    """Each partial replaces the previous one (rule C3)."""
    t = run(Partial("Hel"), Partial("Hello wor"))
    assert t.partial == "Hello wor"


def test_commit_ends_the_partial_and_adds_a_segment() -> None:
    """A commit clears the live text and adds its segment."""
    t = Transcript()
    t.apply(Partial("Hello world"))
    changes = t.apply(Commit(0, "Hello world", answers=1))
    assert changes == [PartialChanged(""), SegmentAdded(t.segments[0])]
    assert t.segments[0].solicited


def test_timings_enrich_the_segment_of_their_commit() -> None:
    """Timings attach to the segment of the commit they belong to (rule C4)."""
    t = run(Commit(0, "Hello world", None), Commit(1, "", None), Commit(2, "Next", None))
    changes = t.apply(CommitTimed(0, "Hello world", WORDS, "en"))
    assert changes == [SegmentEnriched(t.segments[0])]
    seg = t.segments[0]
    assert seg.words == WORDS and seg.language_code == "en"
    assert seg.start_s == 0.5 and seg.end_s == 1.4
    assert t.apply(CommitTimed(1, "", (), None)) == []  # the empty commit has no segment
    assert t.text == "Hello world Next"


def test_empty_commit_clears_partial_and_adds_nothing() -> None:
    """An empty commit ends the live text but adds no segment (rule C5)."""
    t = run(Partial("uh"), Commit(0, "  ", None))
    assert t.segments == [] and t.partial == "" and t.empty_commits == 1


def test_server_commits_are_marked_unsolicited() -> None:
    """A commit the server made on its own is kept and marked unsolicited (rule C5)."""
    t = run(Commit(0, "auto", None), Commit(1, "asked", 1))
    assert [s.solicited for s in t.segments] == [False, True]


def test_commit_delivered_with_words_needs_no_enrichment() -> None:
    """A commit that arrived in timestamped form carries its words at once (C4)."""
    t = run(Commit(0, "Solo", None, words=WORDS[:1], language_code="en"))
    assert t.segments[0].words == WORDS[:1] and t.segments[0].language_code == "en"


def test_cleared_transcript_ignores_late_timings() -> None:
    """After clear(), timings of a cleared segment change nothing."""
    t = run(Commit(0, "gone", None))
    t.clear()
    assert t.apply(CommitTimed(0, "gone", WORDS, "en")) == [] and t.segments == []


def test_other_events_change_nothing() -> None:
    """Events the transcript does not use are ignored."""
    t = Transcript()
    assert t.apply(Passed(UnknownMessage("warning", {}))) == []
    assert t.segments == [] and t.partial == ""


def test_feed_hands_every_change_to_every_sink_in_order() -> None:
    """feed() applies an event and gives each change to each sink."""
    t, seen_a, seen_b = Transcript(), list[TranscriptChange](), list[TranscriptChange]()
    feed(t, Partial("x"), seen_a.append, seen_b.append)
    feed(t, Commit(0, "x y", 1), seen_a.append, seen_b.append)
    assert seen_a == seen_b == [PartialChanged("x"), PartialChanged(""),
                                SegmentAdded(t.segments[0])]
