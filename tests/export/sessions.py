"""Helpers to build sessions with word timings for the exporter tests."""

from __future__ import annotations

from scribe_desktop.export import ExportSegment
from scribe_desktop.protocol.messages import Word, WordType


def timed_segment(text: str, start_s: float = 0.0, word_s: float = 0.3,
                  gap_s: float = 0.05, language_code: str | None = "en") -> ExportSegment:
    """A segment whose words last `word_s` each with `gap_s` between them (spacing items)."""
    words: list[Word] = []
    t = start_s
    for n, w in enumerate(text.split()):
        if n:
            words.append(Word(" ", t - gap_s, t, WordType.SPACING))
        words.append(Word(w, t, t + word_s))
        t += word_s + gap_s
    return ExportSegment(text, tuple(words), language_code)
