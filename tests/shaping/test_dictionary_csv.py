"""The dictionary as CSV: the format, its defaults, and clear errors for bad rows."""

from __future__ import annotations

import pytest

from scribe_desktop.shaping import (
    CaseRule,
    DictionaryCsvError,
    Replacement,
    read_dictionary,
    write_dictionary,
)


def test_the_written_format_has_a_header_and_named_values() -> None:
    """Each entry is one row: heard, written, word|regex, preserve|as_written."""
    text = write_dictionary([Replacement("scribe desk", "Scribe, Desktop"),
                             Replacement(r"k8s|kates", "Kubernetes", CaseRule.AS_WRITTEN,
                                         True)])
    assert text == ("heard,written,match,case\n"
                    "scribe desk,\"Scribe, Desktop\",word,preserve\n"
                    "k8s|kates,Kubernetes,regex,as_written\n")


def test_header_columns_and_defaults_are_optional() -> None:
    """Two columns are enough; a BOM, blank lines and spaces are tolerated."""
    text = "\ufeffjason,Jayson\n\n  gonna , going to ,WORD, As_Written\n"
    assert read_dictionary(text) == (
        Replacement("jason", "Jayson"),
        Replacement("gonna", "going to", CaseRule.AS_WRITTEN))


def test_every_malformed_line_is_named_and_nothing_is_imported() -> None:
    """The error lists each bad line with its number and reason."""
    text = ("heard,written\n"
            "fine,Fine\n"
            "only one column\n"
            "a,b,fuzzy\n"
            "c,d,word,upper\n"
            ",empty heard\n"
            "(,x,regex\n"
            "fine,again\n")
    with pytest.raises(DictionaryCsvError) as caught:
        read_dictionary(text)
    assert caught.value.problems == [
        "Line 3: expected 2 to 4 columns (heard, written, match, case), found 1.",
        "Line 4: match must be “word” or “regex”, not “fuzzy”.",
        "Line 5: case must be “preserve” or “as_written”, not “upper”.",
        "Line 6: “heard” is empty.",
        "Line 7: the regular expression “(” is invalid: missing ), unterminated subpattern "
        "at position 0.",
        "Line 8: “fine” is already on line 2.",
    ]


def test_broken_quoting_is_an_error() -> None:
    """An unterminated quote names its line."""
    with pytest.raises(DictionaryCsvError, match="Line 2"):
        read_dictionary("a,b\n\"c,d\n")
