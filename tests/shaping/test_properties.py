"""Properties of shaping (hypothesis): commands inside sentences never fire, commands set
apart always do, shaping is idempotent, replacements never overlap, CSV round-trips."""

from __future__ import annotations

import itertools
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scribe_desktop.protocol.messages import Word, WordType
from scribe_desktop.shaping import (
    COMMANDS,
    CaseRule,
    NumberStyle,
    Replacement,
    ShapingRules,
    read_dictionary,
    shape,
    write_dictionary,
)
from scribe_desktop.shaping.replace import Replacer

ORDINARY = ("the", "contract", "we", "need", "a", "of", "products", "please", "itch", "marks",
            "that", "line", "new", "quote", "caps", "all", "end", "stop", "full", "mark",
            "question", "open", "close", "undo", "scratch", "paragraph", "twenty", "one",
            "hello", "world", "is", "good", "Coffee", "morning")
PHRASES = [words for words, _ in COMMANDS]
RULES = ShapingRules(commands=True)


def cased(word: str, style: int) -> str:
    return (word, word.upper(), word.capitalize())[style]


phrase = st.builds(lambda words, styles: [cased(w, s) for w, s in zip(words, styles,
                                                                       strict=False)],
                   st.sampled_from(PHRASES), st.lists(st.integers(0, 2), min_size=3,
                                                      max_size=3))
ordinary = st.lists(st.sampled_from(ORDINARY), min_size=1, max_size=6)


def words_of(tokens: list[str], gaps: list[float]) -> tuple[Word, ...]:
    out: list[Word] = []
    t = 0.0
    for n, token in enumerate(tokens):
        if n:
            start = t + gaps[(n - 1) % len(gaps)]
            out.append(Word(" ", t, start, WordType.SPACING))
            t = start
        out.append(Word(token, t, t + 0.3))
        t += 0.3
    return tuple(out)


@given(ordinary, phrase, ordinary,
       st.lists(st.floats(0.0, 0.29), min_size=1, max_size=5), st.booleans())
def test_commands_inside_ordinary_sentences_never_fire(before: list[str], spoken: list[str],
                                                       after: list[str], gaps: list[float],
                                                       with_times: bool) -> None:
    """A command phrase with words on both sides and no pause or punctuation is text."""
    tokens = [*before, *spoken, *after]
    text = " ".join(tokens)
    words = words_of(tokens, gaps) if with_times else None
    result = shape(text, rules=RULES, words=words)
    assert result.actions == ()
    # words of the sentence that happen to form a command on their own (before or after
    # the phrase) may still fire only if set apart: here nothing is
    assert result.commands == ()
    assert result.text == text


@given(ordinary, phrase, ordinary, st.floats(0.3, 2.0))
def test_commands_set_apart_by_pauses_always_fire(before: list[str], spoken: list[str],
                                                  after: list[str], pause: float) -> None:
    """The same phrase with a pause before and after it is a command."""
    tokens = [*before, *spoken, *after]
    gaps = [0.05] * (len(before) - 1) + [pause] + [0.05] * (len(spoken) - 1) + [pause] \
        + [0.05] * len(after)
    result = shape(" ".join(tokens), rules=RULES, words=words_of(tokens, gaps))
    expected = next(c for words, c in COMMANDS
                    if words == tuple(w.lower() for w in spoken))
    assert expected.name in result.commands


vocabulary = st.sampled_from((*ORDINARY, "um", "Uh,", "er", "period", "Period.", "comma",
                              "new line", "New line.", "two hundred", "forty-two", "5",
                              "scratch that", "undo that", "hello,", "world.", "all caps",
                              "end caps", "\n"))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(vocabulary, min_size=1, max_size=14),
       st.sampled_from([NumberStyle.AS_SPOKEN, NumberStyle.DIGITS]), st.booleans())
def test_shaping_is_idempotent(pieces: list[str], numbers: NumberStyle, fillers: bool) -> None:
    """Shaping shaped text again changes nothing (commands, fillers, numbers to digits)."""
    rules = ShapingRules(commands=True, remove_fillers=fillers, numbers=numbers)
    once = shape(" ".join(pieces), rules=rules)
    twice = shape(once.text, once.context if not once.context.caps else None, rules)
    if not once.context.caps:
        assert twice.text == once.text


entry_words = st.sampled_from(["alpha", "beta", "gamma", "alpha beta", "beta gamma",
                               "delta", "a", "alpha beta gamma"])
regexes = st.sampled_from([r"\bk8s\b", r"gam+a", r"be(ta)?", r"\d+", r"alpha\s+beta"])


@given(st.lists(st.one_of(
    st.builds(lambda h, w: Replacement(h, w), entry_words, st.sampled_from(["X", "", "Y z"])),
    st.builds(lambda h, w: Replacement(h, w, CaseRule.AS_WRITTEN, True), regexes,
              st.sampled_from(["R", "k"]))), max_size=6, unique_by=lambda r: (r.heard,
                                                                               r.regex)),
    st.lists(st.sampled_from(["alpha", "Beta", "GAMMA", "k8s", "delta", "a", "12", "x",
                              "alphabeta", "beta,", "gammma"]), max_size=12))
def test_replacements_never_produce_overlapping_edits(entries: list[Replacement],
                                                      words: list[str]) -> None:
    """Edits are ordered, disjoint, and applying them splices exactly those spans."""
    replacer = Replacer(entries)
    text = " ".join(words)
    edits = replacer.edits(text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(edits))
    assert all(0 <= e.start < e.end <= len(text) for e in edits)
    out, spans = replacer.apply(text)
    expected, pos = [], 0
    for e in edits:
        expected += [text[pos:e.start], e.text]
        pos = e.end
    assert out == "".join(expected) + text[pos:]
    assert [out[s:t] for s, t in spans] == [e.text for e in edits]


cell = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r")
               | st.sampled_from([",", "\"", "\n", " "]), max_size=12).map(str.strip)


@given(st.lists(st.builds(Replacement, cell.filter(bool), cell, st.sampled_from(CaseRule),
                          st.just(False)),
                max_size=8, unique_by=lambda r: " ".join(r.heard.casefold().split())))
def test_dictionary_csv_round_trips(entries: list[Replacement]) -> None:
    """What write_dictionary writes, read_dictionary reads back unchanged."""
    assert read_dictionary(write_dictionary(entries)) == tuple(entries)


@given(st.lists(st.builds(Replacement, st.sampled_from([r"\d+", r"k8s|kates", r"(a|b)c"]),
                          cell, st.sampled_from(CaseRule), st.just(True)),
                max_size=3))
def test_regex_entries_round_trip_through_csv(entries: list[Replacement]) -> None:
    """Regular-expression entries keep their pattern and flag through CSV."""
    back = read_dictionary(write_dictionary(entries))
    assert back == tuple(entries)
    assert all(re.compile(e.heard) for e in back)
