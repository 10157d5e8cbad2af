"""The cue builder: limits, split preferences, timing fallbacks, and properties over any input."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from scribe_desktop.export import CueLimits, ExportSegment, Timing, build_cues
from scribe_desktop.protocol.messages import Word, WordType
from tests.export.sessions import timed_segment

LIMITS = CueLimits()


def squash(text: str) -> str:
    return "".join(text.split())


def check_track_valid(track, limits: CueLimits = LIMITS) -> None:
    prev_end = 0.0
    for cue in track.cues:
        assert 1 <= len(cue.lines) <= limits.max_lines, cue
        assert all(0 < len(line) <= limits.max_line_chars for line in cue.lines), cue
        assert all(line == line.strip() for line in cue.lines), cue
        assert cue.start_s >= prev_end - 1e-9, (cue, prev_end)
        assert cue.end_s >= cue.start_s, cue
        assert cue.end_s - cue.start_s <= limits.max_duration_s + 1e-9, cue
        prev_end = cue.end_s


def test_cues_respect_line_and_duration_limits() -> None:
    """A long timed monologue becomes cues of at most 2 lines of 42 chars and 7 s each."""
    text = " ".join(["The quick brown fox jumps over the lazy dog and keeps running"] * 20)
    track = build_cues([timed_segment(text)])
    check_track_valid(track)
    assert track.timing is Timing.WORDS
    assert squash("".join(c.text for c in track.cues)) == squash(text)
    assert len(track.cues) > 10


def test_cues_split_at_sentence_end_before_the_limit() -> None:
    """A sentence end inside a full cue is where the cue ends."""
    text = ("I went to the market this morning. Then I bought apples, pears and a very large "
            "melon for the party")
    track = build_cues([timed_segment(text)])
    assert track.cues[0].text.replace("\n", " ") == "I went to the market this morning."


def test_cues_split_at_a_long_pause() -> None:
    """A silence longer than the pause threshold always starts a new cue."""
    first = timed_segment("Hello there", start_s=0.0)
    words = [*list(first.words), Word("friend", 3.0, 3.4)]
    track = build_cues([ExportSegment("Hello there friend", tuple(words))])
    assert [c.text for c in track.cues] == ["Hello there", "friend"]
    assert track.cues[1].start_s == 3.0


def test_cues_never_exceed_seven_seconds_of_slow_speech() -> None:
    """Slow words (1.5 s each) are split by the duration limit, not the line limit."""
    track = build_cues([timed_segment("one two three four five six seven eight nine ten",
                                      word_s=1.5, gap_s=0.0)])
    check_track_valid(track)
    assert len(track.cues) >= 3


def test_segments_without_words_use_segment_times() -> None:
    """Segments with only start/end times give cues inside those times."""
    segs = [ExportSegment("First segment here.", start_s=1.0, end_s=3.0),
            ExportSegment("Second one.", start_s=5.0, end_s=6.5)]
    track = build_cues(segs)
    assert track.timing is Timing.SEGMENTS
    assert [(c.start_s, c.end_s) for c in track.cues] == [(1.0, 3.0), (5.0, 6.5)]


def test_no_times_at_all_is_marked_approximate() -> None:
    """Text without any times still gives ordered cues, flagged approximate."""
    track = build_cues([ExportSegment("Just some text."), ExportSegment("And more text.")])
    assert track.approximate
    check_track_valid(track)
    assert [c.text for c in track.cues] == ["Just some text.", "And more text."]


def test_backwards_and_overlapping_times_are_made_monotonic() -> None:
    """Word times that overlap or go backwards still give non-overlapping cues."""
    words = (Word("a", 5.0, 6.0), Word("b", 1.0, 2.0), Word("c", 5.5, 5.2),
             Word("d", float("nan"), None))
    track = build_cues([ExportSegment("a b c d", words), ExportSegment("e", start_s=0.0,
                                                                       end_s=0.5)])
    check_track_valid(track)
    assert squash("".join(c.text for c in track.cues)) == "abcde"


def test_a_word_longer_than_a_line_is_cut_not_dropped() -> None:
    """A 100-character token is cut into line-sized pieces."""
    word = "x" * 100
    track = build_cues([ExportSegment(word, (Word(word, 0.0, 1.0),))])
    check_track_valid(track)
    assert squash("".join(c.text for c in track.cues)) == word


def test_short_cue_is_held_until_the_next() -> None:
    """A 0.1 s cue is extended to the minimum duration but not over the next cue."""
    segs = [ExportSegment("Hi", (Word("Hi", 0.0, 0.1),)),
            ExportSegment("there", (Word("there", 0.4, 0.6),))]
    track = build_cues(segs)
    assert track.cues[0].end_s == 0.4
    assert track.cues[1].end_s == 0.4 + LIMITS.min_duration_s


# --- properties ---------------------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
               min_size=0, max_size=60)
WORDISH = st.one_of(
    st.from_regex(r"[A-Za-z']{1,12}[.,!?;:]?", fullmatch=True),
    TEXT,
)
TIME = st.one_of(st.none(), st.floats(min_value=-5, max_value=20_000),
                 st.sampled_from([math.nan, math.inf, -math.inf]))


@st.composite
def segments(draw: st.DrawFn) -> ExportSegment:
    kind = draw(st.sampled_from(["timed", "untimed_words", "segment_times", "text_only",
                                 "random_times"]))
    texts = draw(st.lists(WORDISH, min_size=0, max_size=40))
    if kind == "text_only":
        return ExportSegment(" ".join(texts))
    if kind == "segment_times":
        start = draw(TIME)
        return ExportSegment(" ".join(texts), start_s=start, end_s=draw(TIME))
    words: list[Word] = []
    t = draw(st.floats(min_value=0, max_value=10_000))
    spacing = draw(st.booleans())
    for n, text in enumerate(texts):
        if n and spacing:
            words.append(Word(" ", t, t, WordType.SPACING))
        if kind == "random_times":
            words.append(Word(text, draw(TIME), draw(TIME)))
        elif kind == "untimed_words":
            words.append(Word(text))
        else:
            d = draw(st.floats(min_value=0, max_value=10))
            words.append(Word(text, t, t + d))
            t += d + draw(st.floats(min_value=0, max_value=3))
    joiner = "" if not spacing else " "
    return ExportSegment(joiner.join(w.text for w in words if w.type != WordType.SPACING),
                         tuple(words))


LIMIT_CHOICES = st.builds(CueLimits, max_lines=st.integers(1, 3),
                          max_line_chars=st.integers(5, 60),
                          max_duration_s=st.floats(min_value=1, max_value=10))


@settings(max_examples=300, deadline=None)
@given(st.lists(segments(), max_size=8), LIMIT_CHOICES)
def test_any_input_gives_valid_cues_with_all_text_in_order(segs, limits) -> None:
    """Any segments and limits give cues within the limits, monotonic, with all text in order."""
    track = build_cues(segs, limits)
    check_track_valid(track, limits)
    assert squash("".join(c.text for c in track.cues)) == squash("".join(s.text for s in segs))
    for cue in track.cues:
        assert math.isfinite(cue.start_s) and math.isfinite(cue.end_s)
