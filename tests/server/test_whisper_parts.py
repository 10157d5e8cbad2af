"""The pure parts of the Whisper engine: LocalAgreement, repetition loops, speech spans, pacing,
word mapping and language resolution (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scribe_desktop.protocol.options import OptionsError
from scribe_desktop.server.engines.agreement import LocalAgreement, norm
from scribe_desktop.server.engines.base import EngineInfo, SegmentResult, WordTiming, join_words
from scribe_desktop.server.engines.speech_spans import seal_point, speech_spans
from scribe_desktop.server.engines.whisper_text import (
    DecodedWord,
    cut_repetitions,
    cut_word_loops,
    to_timings,
    whole_repetition,
)
from scribe_desktop.server.languages import resolve_language
from scribe_desktop.server.pacing import PartialPacer
from scribe_desktop.server.pipeline import _wire_words

WORDS = st.sampled_from(["the", "The", "door", "door.", "open", "Mr.", "mister", "and", "a"])
HYPOTHESES = st.lists(st.lists(WORDS, max_size=8), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(HYPOTHESES)
def test_confirmed_words_never_change(hypotheses: list[list[str]]) -> None:
    """Every partial starts with all words confirmed so far, whatever the decodes say."""
    agreement = LocalAgreement()
    confirmed: list[str] = []
    for hypothesis in hypotheses:
        shown = agreement.update(hypothesis)
        assert shown[:len(confirmed)] == confirmed
        assert agreement.confirmed[:len(confirmed)] == confirmed
        confirmed = list(agreement.confirmed)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=15), st.lists(st.integers(1, 15), max_size=8))
def test_growing_hypotheses_are_shown_as_decoded(words: list[str], cuts: list[int]) -> None:
    """When each decode extends the last, each partial is exactly the newest decode."""
    agreement = LocalAgreement()
    for n in [*sorted(cuts), len(words)]:
        assert agreement.update(words[:n]) == words[:n]


def test_words_are_confirmed_by_two_decodes_but_never_the_last() -> None:
    """Two agreeing decodes confirm their common words except the newest one's last word."""
    agreement = LocalAgreement()
    agreement.update(["open", "the"])
    assert agreement.confirmed == []
    agreement.update(["open", "the", "do"])
    assert agreement.confirmed == ["open", "the"]
    shown = agreement.update(["Open", "a", "door."])  # revises a confirmed word
    assert shown == ["open", "the", "door."]
    agreement.reset()
    assert agreement.update(["x"]) == ["x"]


def test_an_empty_decode_changes_nothing() -> None:
    """A decode that heard nothing keeps the partial and the pending agreement."""
    agreement = LocalAgreement()
    agreement.update(["turn", "off", "the"])
    assert agreement.update([]) == ["turn", "off", "the"]
    agreement.update(["turn", "off", "the", "music"])
    assert agreement.confirmed == ["turn", "off", "the"]


def test_norm_ignores_case_and_punctuation() -> None:
    """Comparison keys drop case and punctuation but keep apostrophes."""
    assert norm("Door.") == norm("door") == "door"
    assert norm("don't") == "don't"


def test_repetition_loops_are_cut() -> None:
    """A long phrase said twice in a row keeps one copy; short repeats keep three."""
    sentence = ["the", "meeting", "starts", "at", "ten", "."]
    assert cut_word_loops(sentence + sentence) == sentence
    assert cut_word_loops(["no", "no", "no", "no", "no"]) == ["no", "no", "no"]
    assert cut_word_loops(["no,", "no,", "no."]) == ["no,", "no,", "no."]
    assert cut_word_loops(["thank", "you.", "Thank", "you.", "thank", "you.", "thank", "you."]) == \
        ["thank", "you.", "Thank", "you.", "thank", "you."]


def test_a_whole_text_said_twice_is_a_repetition() -> None:
    """Only a text made entirely of one phrase (2+ words) said back to back counts."""
    assert whole_repetition("10 of clubs. 10 of clubs.")
    assert whole_repetition("Ten of clubs, ten of clubs, ten of")
    assert not whole_repetition("Five, five.")  # one word said twice is ordinary speech
    assert not whole_repetition("10 of clubs.")
    assert not whole_repetition("ten of clubs ten of spades")
    assert not whole_repetition("")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("abc"), max_size=30))
def test_cutting_loops_keeps_an_ordered_subsequence(items: list[str]) -> None:
    """The cut list is a subsequence of the input and has no loop left to cut."""
    out = cut_repetitions(items, str)
    it = iter(items)
    assert all(x in it for x in out)
    assert cut_repetitions(out, str) == out


def test_decoded_words_keep_whispers_spacing() -> None:
    """Whisper's leading spaces become prefixes, glued pieces get none, text is exact."""
    decoded = [DecodedWord(" Cold", 0.0, 0.4, 0.9), DecodedWord("-hearted", 0.4, 0.8, 0.8),
               DecodedWord(" men.", 0.8, 1.2, 0.5)]
    timings = to_timings(decoded, lambda t, _end: t + 10.0)
    assert join_words(timings) == "Cold-hearted men."
    assert [(w.prefix, w.word) for w in timings] == [(" ", "Cold"), ("", "-hearted"),
                                                     (" ", "men.")]
    assert timings[0].start_s == 10.0
    wire = _wire_words(SegmentResult("Cold-hearted men.", tuple(timings)), 1.0)
    assert "".join(w.text for w in wire) == "Cold-hearted men."
    assert [w.text for w in wire] == ["Cold", "-hearted", " ", "men."]
    assert wire[0].logprob == pytest.approx(np.log(0.9), abs=1e-3)
    assert wire[0].start_s == 11.0


def test_stray_punctuation_joins_the_word_before() -> None:
    """A punctuation-only word is glued to the word before it, unless that already ends in
    punctuation; it never stands alone."""
    decoded = [DecodedWord(" was", 0.0, 0.4, 0.9), DecodedWord(" .", 0.4, 0.6, 0.2),
               DecodedWord(" He", 1.0, 1.2, 0.9), DecodedWord(" said.", 1.2, 1.5, 0.9),
               DecodedWord(" .", 1.5, 1.6, 0.1)]
    timings = to_timings(decoded, lambda t, _end: t)
    assert join_words(timings) == "was. He said."
    assert timings[0].end_s == 0.6


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", " "]), st.sampled_from(["a", "b.", "-c"]),
                          st.floats(0, 2)), max_size=10))
def test_wire_words_concatenate_to_the_text(items: list[tuple[str, str, float]]) -> None:
    """Word and spacing items always concatenate to the committed text, in time order."""
    t = 0.0
    words = []
    for prefix, word, dur in items:
        words.append(WordTiming(word, t, t + dur, prefix))
        t += dur
    result = SegmentResult(join_words(words), tuple(words))
    wire = _wire_words(result, 3.0)
    assert "".join(w.text for w in wire) == result.text
    times = [x for w in wire for x in (w.start_s, w.end_s) if x is not None]
    assert len(times) == 2 * len(wire) and times == sorted(times)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.booleans(), max_size=400), st.integers(0, 512))
def test_speech_spans_are_ordered_and_map_back_monotonically(flags: list[bool],
                                                             extra: int) -> None:
    """Spans lie in the window, in order, and decoded times map back in order."""
    total = len(flags) * 512 + extra
    spans = speech_spans(np.array(flags, dtype=bool), 512, total)
    ends = [x for span in spans.spans for x in span]
    assert ends == sorted(ends) and all(0 <= x <= total for x in ends)
    audio = np.arange(total, dtype=np.int64).astype(np.int16)
    assert spans.gather(audio).size == spans.samples
    mapped = [spans.to_window_s(t / 10) for t in range(0, 1 + 10 * spans.samples // 16000)]
    assert mapped == sorted(mapped)


def test_long_silences_are_cut_out_and_times_map_across_them() -> None:
    """A 3 s pause between two words is cut; a time after it maps past the pause."""
    frame = 512
    flags = np.zeros(200, dtype=bool)  # 6.4 s
    flags[10:20] = True  # 0.32-0.64 s
    flags[120:130] = True  # 3.84-4.16 s
    spans = speech_spans(flags, frame, 200 * frame)
    assert len(spans.spans) == 2
    first_len = (spans.spans[0][1] - spans.spans[0][0]) / 16000
    assert spans.to_window_s(first_len + 0.1) == pytest.approx(spans.spans[1][0] / 16000 + 0.1)
    assert spans.to_window_s(first_len, is_end=True) == pytest.approx(spans.spans[0][1] / 16000)
    assert not speech_spans(np.zeros(200, dtype=bool), frame, 200 * frame).spans


def test_seal_point_cuts_in_the_longest_pause_before_the_limit() -> None:
    """A long segment is cut in its longest pause before the speech limit."""
    flags = np.ones(1000, dtype=bool)  # 32 s of speech
    flags[400:420] = False  # 0.64 s pause at 12.8 s
    flags[600:606] = False  # a shorter one at 19.2 s
    spans = speech_spans(flags, 512, 1000 * 512)
    cut = seal_point(flags, 512, spans, limit_s=24.0, search_s=12.0)
    assert 400 * 512 < cut < 420 * 512
    no_pause = np.ones(1000, dtype=bool)
    cut = seal_point(no_pause, 512, speech_spans(no_pause, 512, 512000), limit_s=24.0,
                     search_s=12.0)
    assert cut == pytest.approx(24.0 * 16000, abs=512)


def test_pacer_spaces_decodes_by_their_cost() -> None:
    """The next decode waits for new audio, the minimum interval, and twice a slow decode."""
    pacer = PartialPacer(min_interval_s=0.5, min_new_audio_s=0.2, max_duty=0.5)
    assert pacer.wait_s(now=0.0, audio_s=0.1) is None
    assert pacer.wait_s(now=0.0, audio_s=0.3) == 0.0
    pacer.started(0.0, 0.3)
    pacer.finished(0.1)
    assert pacer.wait_s(now=0.2, audio_s=0.4) is None  # not enough new audio
    assert pacer.wait_s(now=0.2, audio_s=0.6) == pytest.approx(0.3)  # min interval
    pacer.started(0.5, 0.6)
    pacer.finished(1.5)  # a slow decode: the next waits 3 s after this one started
    assert pacer.wait_s(now=2.0, audio_s=2.0) == pytest.approx(1.5)
    pacer.new_segment()
    assert pacer.wait_s(now=2.0, audio_s=2.0) == 0.0


def test_language_codes_resolve_against_the_engine() -> None:
    """ISO 639-1 and 639-3 codes resolve; others get an error naming engine and languages."""
    english = EngineInfo("whisper", "tiny.en", ("en",))
    assert resolve_language("eng", english) == "en"
    assert resolve_language("EN", english) == "en"
    assert resolve_language(None, english) is None
    with pytest.raises(OptionsError, match=r"engine whisper \(model tiny.en\).*only en"):
        resolve_language("de", english)
    multi = EngineInfo("whisper", "small", ("en", "de", "fr", "jw"))
    assert resolve_language("deu", multi) == "de"
    assert resolve_language("jav", multi) == "jw"
    with pytest.raises(OptionsError, match="4 languages: en, de, fr, jw"):
        resolve_language("xx", multi)
