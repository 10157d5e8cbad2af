"""Chord parsing and formatting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scribe_desktop.hotkey.chord import (
    DEFAULT_CHORD,
    DEFAULT_PASTE_LAST_CHORD,
    DEFAULT_UNDO_CHORD,
    MODIFIERS,
    NAMED_KEYS,
    Chord,
    ChordError,
    format_chord,
    parse_chord,
)


def test_parse_normalizes_aliases_and_case() -> None:
    """Aliases and case fold into canonical names."""
    assert parse_chord("Control+Option+Space") == Chord(frozenset({"ctrl", "alt"}), "space")
    assert parse_chord("win+Escape") == Chord(frozenset({"super"}), "esc")
    assert parse_chord("ctrl++") == Chord(frozenset({"ctrl"}), "+")
    assert parse_chord("super") == Chord(frozenset(), "super")


@pytest.mark.parametrize("bad", ["", "  ", "ctrl+alt", "a+b", "ctrl+ctrl+a", "ctrl+bogus",
                                 "ctrl++a"])
def test_parse_rejects_unusable_chords(bad: str) -> None:
    """Chords without exactly one main key or with unknown keys are rejected."""
    with pytest.raises(ChordError):
        parse_chord(bad)


def test_defaults_parse_and_differ() -> None:
    """The default chords are valid, distinct and avoid Ctrl+Alt+Backspace."""
    chords = {parse_chord(c) for c in (DEFAULT_CHORD, DEFAULT_UNDO_CHORD,
                                       DEFAULT_PASTE_LAST_CHORD)}
    assert len(chords) == 3
    assert all(c.key != "backspace" for c in chords)


main_keys = st.one_of(st.sampled_from(sorted(NAMED_KEYS)),
                      st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789/.,;"))


@given(st.sets(st.sampled_from(MODIFIERS)), main_keys)
def test_format_round_trips(mods: set[str], key: str) -> None:
    """format_chord output parses back to the same chord."""
    chord = Chord(frozenset(mods), key)
    assert parse_chord(format_chord(chord)) == chord
