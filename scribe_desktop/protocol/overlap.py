"""Keeping a stream's words once across reconnects, sans-I/O. Stdlib only.

After a reconnect the client replays audio that a commit of the server may already have
covered (it cannot know exactly where the server's own commits ended), so the first commit of
the new session can start with words already committed. These helpers find that repeated
prefix and cut it, from the text and from the word timings alike, and move word times from a
session's clock to the stream's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace

from .messages import Word, WordType

_TOKEN = re.compile(r"[\w']+", re.UNICODE)
WORDS_PER_S_MAX = 5.0  # faster than anyone dictates; bounds how much overlap may be cut
TAIL_WORDS = 40  # of the committed text, matched against a replay's first commits


def words_of(text: str) -> list[str]:
    """Lower-case word tokens, punctuation dropped."""
    return [m.group(0).lower() for m in _TOKEN.finditer(text)]


def repeated_prefix(tail: list[str], text: str, max_words: int) -> int:
    """How many leading words of `text` repeat the last words of `tail` (the longest match,
    at most `max_words`)."""
    new = words_of(text)
    for k in range(min(len(new), len(tail), max_words), 0, -1):
        if new[:k] == tail[-k:]:
            return k
    return 0


def drop_words(text: str, count: int) -> str:
    """`text` without its first `count` word tokens (and what precedes the next one)."""
    if count <= 0:
        return text
    matches = list(_TOKEN.finditer(text))
    if count >= len(matches):
        return ""
    cut = matches[count].start()
    return text[cut:]


def drop_word_items(words: tuple[Word, ...], count: int) -> tuple[Word, ...]:
    """Word timings without the items of the first `count` word tokens, and without the
    spacing that followed them (so the items still concatenate to the trimmed text)."""
    if count <= 0:
        return words
    seen = 0
    for i, item in enumerate(words):
        if item.type != WordType.SPACING:
            seen += len(words_of(item.text))
            if seen >= count:
                rest = words[i + 1:]
                while rest and rest[0].type == WordType.SPACING:
                    rest = rest[1:]
                return rest
    return ()


def map_word_times(words: tuple[Word, ...] | None, to: Callable[[float], float]
                   ) -> tuple[Word, ...] | None:
    """Word (and character) times passed through `to` (one clock -> another)."""
    if words is None:
        return None

    def conv(t: float | None) -> float | None:
        return None if t is None else round(to(t), 3)

    return tuple(replace(
        w, start_s=conv(w.start_s), end_s=conv(w.end_s),
        characters=None if w.characters is None else tuple(
            replace(c, start_s=conv(c.start_s), end_s=conv(c.end_s))
            for c in w.characters))
        for w in words)


class ReplayOverlap:
    """What a new connection's replay may repeat of the words the old one committed.

    The replay re-sends audio from a point inside what may already be committed, so its
    first commits (one or several) repeat some suffix of the committed words, `tail[-m:]`,
    for an unknown m <= `max_words`. Each commit is matched against every m still possible;
    the words that continue a possible repeat are cut, and once a commit goes past it the
    overlap is done. Not thread-safe.
    """

    def __init__(self, tail: list[str], max_words: int) -> None:
        self.tail = tail
        self.candidates = list(range(1, min(max_words, len(tail)) + 1))
        self.consumed = 0  # repeated words already cut

    @classmethod
    def after_reconnect(cls, previous: ReplayOverlap | None, committed_tail: str,
                        maybe_committed_s: float) -> ReplayOverlap | None:
        """The overlap of a new connection: what the old one's overlap could still cut, or
        as many words as `maybe_committed_s` of replayed audio (that a server commit may
        have covered) can hold, whichever is more; None when nothing can repeat."""
        max_words = 0 if previous is None else previous.max_remaining
        if maybe_committed_s > 0:
            max_words = max(max_words, math.ceil(maybe_committed_s * WORDS_PER_S_MAX) + 1)
        return cls(words_of(committed_tail)[-TAIL_WORDS:], max_words) if max_words else None

    @property
    def done(self) -> bool:
        return not self.candidates

    @property
    def max_remaining(self) -> int:
        """How many more words it may still cut."""
        return max((m - self.consumed for m in self.candidates), default=0)

    def cut(self, text: str, words: tuple[Word, ...] | None,
            ) -> tuple[str, tuple[Word, ...] | None, int]:
        """`text` and `words` without the repeated leading words, and how many were cut."""
        new = words_of(text)
        if not new or self.done:
            return text, words, 0
        best, inside = 0, []
        for m in self.candidates:
            remaining = self.tail[len(self.tail) - m + self.consumed:]
            n = min(len(new), len(remaining))
            if n and new[:n] == remaining[:n]:
                best = max(best, n)
                if len(remaining) > len(new):
                    inside.append(m)  # this commit lies wholly inside that repeat
        if best == len(new) and inside:
            self.candidates, self.consumed = inside, self.consumed + len(new)
        else:
            self.candidates = []
        if not best:
            return text, words, 0
        return (drop_words(text, best),
                None if words is None else drop_word_items(words, best), best)
