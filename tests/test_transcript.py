"""The transcript model applies events per rules C3-C5 (no duplicates, echo dropped)."""

from __future__ import annotations

from scribe_desktop.core.transcript import PartialChanged, SegmentAdded, SegmentEnriched, Transcript
from scribe_desktop.protocol import (
    CommittedTranscript,
    CommittedTranscriptWithTimestamps,
    PartialTranscript,
    ServerMessage,
    UnknownMessage,
    Word,
    WordType,
)

WORDS = (Word("Hello", 0.5, 0.9, WordType.WORD), Word(" ", 0.9, 1.0, WordType.SPACING),
         Word("world", 1.0, 1.4, WordType.WORD))


def run(*msgs: ServerMessage, commits_sent: int = 0) -> Transcript:
    t = Transcript()
    for _ in range(commits_sent):
        t.note_commit_sent()
    for m in msgs:
        t.apply(m)
    return t


def test_partial_replaces_never_appends() -> None:
    """Each partial replaces the previous one (rule C3)."""
    t = run(PartialTranscript("Hel"), PartialTranscript("Hello wor"))
    assert t.partial == "Hello wor"


def test_echo_partial_after_commit_is_dropped() -> None:
    """A partial repeating the text just committed is dropped (rule C3)."""
    t = Transcript()
    t.apply(PartialTranscript("Hello world"))
    changes = t.apply(CommittedTranscript("Hello world"))
    assert changes == [PartialChanged(""), SegmentAdded(t.segments[0])]
    assert t.apply(PartialTranscript("Hello world")) == []
    assert t.partial == "" and t.dropped_echoes == 1
    assert t.apply(PartialTranscript("Next")) == [PartialChanged("Next")]


def test_timestamped_commit_enriches_instead_of_duplicating() -> None:
    """committed_transcript_with_timestamps attaches words to the previous segment (rule C4)."""
    t = Transcript()
    t.apply(CommittedTranscript("Hello world"))
    changes = t.apply(CommittedTranscriptWithTimestamps("Hello world", "en", WORDS))
    assert len(t.segments) == 1
    assert changes == [SegmentEnriched(t.segments[0])]
    seg = t.segments[0]
    assert seg.words == WORDS and seg.language_code == "en"
    assert seg.start_s == 0.5 and seg.end_s == 1.4
    assert t.text == "Hello world"


def test_full_live_sequence_has_no_duplicates() -> None:
    """The live order commit, timestamps, echo partial yields one segment per utterance."""
    t = run(PartialTranscript("Hello"), PartialTranscript("Hello world"),
            CommittedTranscript("Hello world"),
            CommittedTranscriptWithTimestamps("Hello world", "en", WORDS),
            PartialTranscript("Hello world"), PartialTranscript("Second"),
            CommittedTranscript("Second one"),
            CommittedTranscriptWithTimestamps("Second one", "en", None),
            PartialTranscript("Second one"), commits_sent=2)
    assert [s.text for s in t.segments] == ["Hello world", "Second one"]
    assert t.partial == "" and t.dropped_echoes == 2


def test_empty_commit_clears_partial_and_adds_nothing() -> None:
    """An empty commit ends the live text but adds no segment (rule C5)."""
    t = run(PartialTranscript("uh"), CommittedTranscript(""),
            CommittedTranscriptWithTimestamps("", None, ()))
    assert t.segments == [] and t.partial == "" and t.empty_commits == 1


def test_unsolicited_commit_is_marked() -> None:
    """A commit the client did not ask for is kept and marked unsolicited (rule C5)."""
    t = run(CommittedTranscript("auto"), CommittedTranscript("asked"))
    assert [s.solicited for s in t.segments] == [False, False]
    t2 = run(CommittedTranscript("asked"), CommittedTranscript("auto"), commits_sent=1)
    assert [s.solicited for s in t2.segments] == [True, False]


def test_timestamps_without_plain_commit_add_one_segment() -> None:
    """A lone timestamped commit becomes a segment, and its re-delivery is dropped."""
    t = run(CommittedTranscriptWithTimestamps("Solo", "en", WORDS[:1]),
            CommittedTranscriptWithTimestamps("Solo", "en", WORDS[:1]))
    assert [s.text for s in t.segments] == ["Solo"] and t.dropped_duplicates == 1
    assert t.segments[0].words == WORDS[:1]


def test_unknown_messages_change_nothing() -> None:
    """Messages the transcript does not use are ignored."""
    t = Transcript()
    assert t.apply(UnknownMessage("warning", {})) == []
    assert t.segments == [] and t.partial == ""
