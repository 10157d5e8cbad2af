"""A window tab's transcript as a timeline of takes: every dictation's word times restart at 0,
yet the tab's export runs forward with non-empty cues and every word where it was said
(property tests over mixed sessions, hypothesis)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import srt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scribe_desktop.core.transcript import Segment
from scribe_desktop.export import ExportFormat, ExportSession, render
from scribe_desktop.export.timeline import Timeline
from scribe_desktop.export.tokens import tokenize
from scribe_desktop.protocol.messages import Word, WordType

WORDS = st.text(alphabet="abcdefghij.,", min_size=1, max_size=9).filter(
    lambda w: any(c.isalpha() for c in w))


@st.composite
def take(draw: st.DrawFn) -> list[tuple[str, list[tuple[float, float]] | None]]:
    """One dictation: segments of words with take-local times (monotonic), some untimed."""
    segments: list[tuple[str, list[tuple[float, float]] | None]] = []
    t = draw(st.floats(0.0, 2.0))
    for _ in range(draw(st.integers(1, 5))):
        words = draw(st.lists(WORDS, min_size=1, max_size=12))
        if draw(st.booleans()) and draw(st.booleans()):  # a quarter have no word times
            segments.append((" ".join(words), None))
            continue
        times = []
        for _word in words:
            t += draw(st.floats(0.0, 0.5))
            length = draw(st.floats(0.0, 0.8))  # zero-length words happen too
            times.append((t, t + length))
            t += length
        segments.append((" ".join(words), times))
        t += draw(st.floats(0.0, 3.0))
    return segments


def segment(index: int, text: str, times: list[tuple[float, float]] | None) -> Segment:
    if times is None:
        return Segment(index, text)
    words: list[Word] = []
    for n, (token, (start, end)) in enumerate(zip(text.split(" "), times, strict=True)):
        if n:
            words.append(Word(" ", start, start, WordType.SPACING))
        words.append(Word(token, start, end))
    return Segment(index, text, tuple(words))


def build(takes: list[list[tuple[str, list[tuple[float, float]] | None]]],
          gaps: list[float]) -> tuple[Timeline, list[float]]:
    """Takes as the window adds them: each begins `gap` seconds after the previous one
    began (wall clock), its segments committed with a session-time fallback."""
    timeline = Timeline()
    offsets, clock = [], 0.0
    for segments, gap in zip(takes, gaps, strict=True):
        clock += gap
        offsets.append(timeline.begin_take(clock))
        for index, (text, times) in enumerate(segments):
            fallback = times[-1][1] if times else 1.0 + index
            timeline.add(segment(index, text, times), fallback_s=fallback)
    return timeline, offsets


MIXED = st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(take(), min_size=n, max_size=n),
    st.lists(st.floats(0.0, 30.0), min_size=n, max_size=n)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MIXED)
def test_the_srt_of_a_mixed_tab_is_monotonic_non_empty_and_keeps_every_word(
        case: tuple[list[Any], list[float]]) -> None:
    """SRT of several takes parses, every cue lasts > 0 and follows the previous, no word lost."""
    takes, gaps = case
    timeline, _offsets = build(takes, gaps)
    session = ExportSession.from_segments(timeline.export_segments())
    subs = list(srt.parse(render(session, ExportFormat.SRT).text))
    assert subs
    for cue in subs:
        assert cue.end > cue.start, cue
    for before, after in itertools.pairwise(subs):
        assert before.end <= after.start
    assert "".join("".join(s.content.split()) for s in subs) == \
        "".join("".join(text.split()) for segments in takes for text, _ in segments)


@settings(max_examples=150, deadline=None)
@given(MIXED)
def test_each_word_sits_at_its_take_offset_plus_its_own_time(
        case: tuple[list[Any], list[float]]) -> None:
    """A timed word's export time is its take's offset plus its time in the take."""
    takes, gaps = case
    timeline, offsets = build(takes, gaps)
    tokens = tokenize(list(timeline.export_segments()), max_token_chars=1 << 30,
                      max_token_ms=1 << 40).tokens
    position = 0
    for segments, offset in zip(takes, offsets, strict=True):
        for text, times in segments:
            for n, _word in enumerate(text.split(" ")):
                token = tokens[position]
                position += 1
                if times is not None:
                    # never earlier than said (a zero-length predecessor may push by a ms)
                    expected = round((offset + times[n][0]) * 1000)
                    assert token.start_ms >= expected - 1
    assert position == len(tokens)


@given(MIXED)
def test_takes_never_overlap(case: tuple[list[Any], list[float]]) -> None:
    """A take begins at or after everything before it, even when the clock says earlier."""
    takes, gaps = case
    timeline, offsets = build(takes, gaps)
    for take_index in range(1, len(offsets)):
        earlier = [e for e in timeline.entries if e.take < take_index]
        ends = [x for e in earlier for x in (e.start_s, e.end_s) if x is not None]
        assert offsets[take_index] >= max(ends, default=0.0)


def test_a_second_dictation_follows_the_first_instead_of_restarting_at_zero() -> None:
    """Two dictations of 3 s each, 10 s apart: the second's cue starts at 10 s, not 0."""
    timeline = Timeline()
    timeline.begin_take(0.0)
    timeline.add(segment(0, "first take here", [(0.2, 0.6), (0.7, 1.1), (1.2, 2.9)]))
    timeline.begin_take(10.0)
    timeline.add(segment(0, "second take now", [(0.2, 0.6), (0.7, 1.1), (1.2, 2.9)]))
    subs = list(srt.parse(render(ExportSession.from_segments(timeline.export_segments()),
                                 "srt").text))
    assert [s.content for s in subs] == ["first take here", "second take now"]
    assert subs[1].start == timedelta(seconds=10.2)
