"""Numbers as digits or as words, with two well-kept libraries (docs/architecture.md,
"Text shaping", says why these): `text2num`'s `alpha2digit` (MIT, pure Python: written for
speech-recognition output; it leaves isolated small numbers such as "one of them" alone and
keeps ordinals as "23rd") and `num2words` (LGPL, pure Python) for the other direction.

Text the user's dictionary wrote is protected: only the spans between replacements change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from num2words import num2words
from text_to_num.lang import LANG
from text_to_num.transforms import alpha2digit

from .rules import NumberStyle

# ISO 639-1 and -3 codes (the protocol reports either) -> the libraries' language names
_TEXT2NUM = {"en": "en", "eng": "en", "fr": "fr", "fra": "fr", "fre": "fr", "es": "es",
             "spa": "es", "de": "de", "deu": "de", "ger": "de", "pt": "pt", "por": "pt",
             "ca": "ca", "cat": "ca", "ru": "ru", "rus": "ru"}
_NUM2WORDS = {**_TEXT2NUM, "it": "it", "ita": "it", "nl": "nl", "nld": "nl", "dut": "nl",
              "pl": "pl", "pol": "pl", "sv": "sv", "swe": "sv", "da": "dk", "dan": "dk",
              "no": "no", "nor": "no", "fi": "fi", "fin": "fi", "cs": "cz", "ces": "cz",
              "tr": "tr", "tur": "tr", "uk": "uk", "ukr": "uk", "ja": "ja", "jpn": "ja"}

_UNITS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
          "fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
          "sixty|seventy|eighty|ninety")
# text2num 2.5 reads British "three hundred and forty two" as "300 and 42": the "and"
# inside a number is dropped first (only between a scale word and a number word).
_BRITISH_AND = re.compile(rf"\b(hundred|thousand|million|billion)\s+and\s+(?=(?:{_UNITS})\b)",
                          re.IGNORECASE)
# integers (1,000 grouping allowed), decimals and ordinals standing alone: not times (10:30),
# versions (3.11.2), ranges (3-4), money ($5), percentages (5%) or codes (A4, 4K)
_DIGITS = re.compile(r"(?<![\w.,:/$€£¥+-])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"
                     r"(st|nd|rd|th)?(?![\w%:/+-]|[.,]\d)", re.IGNORECASE)


_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _may_hold_numbers(text: str, lang: str) -> bool:
    """False when no word of `text` can be part of a spelled number (alpha2digit costs
    ~0.1 ms a phrase; most phrases have no number in them). German writes numbers as
    compounds ("einundzwanzig"): always asked."""
    if lang == "de":
        return True
    return any(_is_number_word(word, lang) for word in _WORDS.findall(text.lower()))


@lru_cache(maxsize=4096)
def _is_number_word(word: str, lang: str) -> bool:
    language = LANG[lang]
    return word in language.NUMBERS or word in language.ZERO \
        or language.ord2card(word) is not None


def _lang(code: str | None, table: dict[str, str]) -> str | None:
    if not code:
        return "en"
    return table.get(code.strip().lower().split("-")[0].split("_")[0])


@lru_cache(maxsize=1024)
def to_digits(text: str, language: str | None = None) -> str:
    """Spelled-out numbers in `text` as digits; unchanged for a language text2num lacks."""
    lang = _lang(language, _TEXT2NUM)
    if lang is None or not _may_hold_numbers(text, lang):
        return text
    if lang == "en":
        text = _BRITISH_AND.sub(r"\1 ", text)
    return str(alpha2digit(text, lang))


def _spelled(match: re.Match[str], lang: str) -> str:
    whole, fraction, ordinal = match.group(1), match.group(2), match.group(3)
    number = int(whole.replace(",", ""))
    try:
        if ordinal and not fraction:
            return str(num2words(number, lang=lang, to="ordinal"))
        if fraction:
            return str(num2words(float(f"{number}.{fraction}"), lang=lang))
        return str(num2words(number, lang=lang))
    except (NotImplementedError, OverflowError, ValueError):
        return match.group(0)


@lru_cache(maxsize=1024)
def to_words(text: str, language: str | None = None) -> str:
    """Numbers written in digits in `text` spelled out; unchanged for a language num2words
    lacks."""
    lang = _lang(language, _NUM2WORDS)
    if lang is None or not any(c.isdigit() for c in text):
        return text
    return _DIGITS.sub(lambda m: _spelled(m, lang), text)


def convert(text: str, style: NumberStyle, language: str | None = None,
            protected: list[tuple[int, int]] | None = None) -> str:
    """`text` with its numbers in `style`, leaving the `protected` spans as they are."""
    if style is NumberStyle.AS_SPOKEN:
        return text
    change = to_digits if style is NumberStyle.DIGITS else to_words
    if not protected:
        return change(text, language)
    out: list[str] = []
    pos = 0
    for start, end in protected:
        if start > pos:
            out.append(_keep_edges(text[pos:start], change, language))
        out.append(text[start:end])
        pos = end
    if pos < len(text):
        out.append(_keep_edges(text[pos:], change, language))
    return "".join(out)


def _keep_edges(piece: str, change: Callable[[str, str | None], str],
                language: str | None) -> str:
    """Convert a piece between protected spans, keeping its surrounding spaces."""
    core = piece.strip()
    if not core:
        return piece
    lead = piece[: len(piece) - len(piece.lstrip())]
    tail = piece[len(piece.rstrip()):]
    return lead + change(core, language) + tail
