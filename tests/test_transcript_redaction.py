"""With redaction asked for, the transcript surfaces only redacted commits, whatever the order."""

from __future__ import annotations

from scribe_desktop.core.transcript import (
    PartialChanged,
    SegmentAdded,
    SegmentEnriched,
    Transcript,
    TranscriptChange,
    feed,
)
from scribe_desktop.protocol import Word, WordType
from scribe_desktop.protocol.connection import (
    Commit,
    CommitTimed,
    ConnectionEvent,
    Partial,
    Redacted,
)

RAW = "my number is five five five one two three four five six seven"
REDACTED = "my number is {CONTACT_NUMBER_1}"
DIGITS = ("five", "one", "two", "three", "four", "six", "seven")


def timed(text: str) -> tuple[Word, ...]:
    out: list[Word] = []
    for n, word in enumerate(text.split()):
        if out:
            out.append(Word(" ", n * 0.3 - 0.1, n * 0.3, WordType.SPACING))
        out.append(Word(word, n * 0.3, n * 0.3 + 0.2))
    return tuple(out)


def redacting(*events: ConnectionEvent) -> tuple[Transcript, list[TranscriptChange]]:
    t = Transcript()
    t.redacting = True
    seen: list[TranscriptChange] = []
    for event in events:
        feed(t, event, seen.append)
    return t, seen


def leaks(changes: list[TranscriptChange]) -> list[str]:
    """Every text a sink was shown that holds a raw digit word."""
    texts: list[str] = []
    for change in changes:
        if isinstance(change, SegmentAdded | SegmentEnriched):
            texts.append(change.segment.text)
            texts.extend(w.text for w in change.segment.words or ())
    return [t for t in texts if any(d in t.split() for d in DIGITS)]


def test_a_commit_is_shown_only_once_redacted_after_its_timings() -> None:
    """Commit, timings, redaction (the server's order): one segment, redacted and timed."""
    t, seen = redacting(Partial(RAW), Commit(0, RAW, 1), CommitTimed(0, RAW, timed(RAW), "en"),
                        Redacted(0, RAW, REDACTED))
    assert seen[:2] == [PartialChanged(RAW), PartialChanged("")]
    assert [type(c) for c in seen] == [PartialChanged, PartialChanged, SegmentAdded]
    segment = t.segments[0]
    assert segment.text == REDACTED and segment.language_code == "en"
    assert [w.text for w in segment.words or () if w.type != WordType.SPACING] == \
        ["my", "number", "is", "{CONTACT_NUMBER_1}"]
    assert segment.start_s == 0.0 and segment.end_s is not None and segment.end_s > 3.0
    assert leaks(seen) == [] and t.text == REDACTED


def test_timings_after_the_redaction_are_redacted_too() -> None:
    """Timings that come after the redaction enrich the redacted segment with redacted words."""
    t, seen = redacting(Commit(0, RAW, 1), Redacted(0, RAW, REDACTED),
                        CommitTimed(0, RAW, timed(RAW), "en"))
    assert [type(c) for c in seen] == [SegmentAdded, SegmentEnriched]
    assert "".join(w.text for w in t.segments[0].words or ()) == REDACTED
    assert leaks(seen) == []


def test_the_only_timestamped_delivery_is_held_too() -> None:
    """A commit that came only in timestamped form (C4) waits for its redaction as well."""
    t, seen = redacting(Commit(0, RAW, None, words=timed(RAW)))
    assert seen == [] and t.held == 1
    feed(t, Redacted(0, RAW, REDACTED), seen.append)
    assert t.segments[0].text == REDACTED and leaks(seen) == []


def test_an_empty_commit_and_its_redaction_add_nothing() -> None:
    """An empty commit (C5) and its empty redaction add no segment."""
    t, seen = redacting(Partial("uh"), Commit(0, "", 1), Redacted(0, "", ""),
                        Commit(1, RAW, 2), Redacted(1, RAW, REDACTED))
    assert [s.text for s in t.segments] == [REDACTED] and t.segments[0].index == 0
    assert t.empty_commits == 1 and leaks(seen) == []


def test_a_commit_whose_redaction_never_came_is_withheld() -> None:
    """A commit without its redaction when the connection ends is never shown raw."""
    t, seen = redacting(Commit(0, RAW, 1), CommitTimed(0, RAW, timed(RAW), "en"))
    assert seen == [] and t.withhold_unredacted() == 1
    assert t.held == 0 and t.segments == []
    # the next connection's commits are not confused with it (indexes continue)
    feed(t, Redacted(0, RAW, REDACTED), seen.append)
    feed(t, Commit(1, "thanks", 1), seen.append)
    feed(t, Redacted(1, "thanks", "thanks"), seen.append)
    assert [s.text for s in t.segments] == ["thanks"]


def test_without_redaction_commits_show_at_once() -> None:
    """A session that asked for no redaction shows commits at once and ignores redactions."""
    t = Transcript()
    assert t.apply(Commit(0, RAW, 1)) == [SegmentAdded(t.segments[0])]
    assert t.apply(Redacted(0, RAW, REDACTED)) == []
    assert t.segments[0].text == RAW
