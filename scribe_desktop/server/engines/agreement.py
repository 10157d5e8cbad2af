"""LocalAgreement-2 over successive re-decodes of a growing segment (pure).

Whisper has no streaming mode: the server re-decodes the uncommitted audio as it grows, and each
decode may revise any word. Showing every hypothesis as it comes makes the live text flicker,
so words are *confirmed* once two consecutive decodes agree on them (the policy of
ufal/whisper_streaming, "LocalAgreement-n" with n = 2), and a confirmed word is never shown
as changing again: each partial is the confirmed words followed by the newest hypothesis's
words after them. The last word of a hypothesis is never confirmed, because the audio may end
inside it ("Dash" before "Dashwood"). Words are compared case- and punctuation-blind, so
"morning" and "morning." agree; the confirmed spelling is the first one seen.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_NON_WORD = re.compile(r"[^\w']+")


def split_words(text: str) -> list[str]:
    """Whitespace-separated words of a decoded text ("cold-hearted" stays one word)."""
    return text.split()


def norm(word: str) -> str:
    """The comparison key of a word: lower case, punctuation dropped ("Mr." -> "mr")."""
    return _NON_WORD.sub("", word.lower())


def _after(confirmed: list[str], hypothesis: list[str]) -> int:
    """The index in `hypothesis` just past the words that correspond to `confirmed`."""
    a, b = [norm(w) for w in confirmed], [norm(w) for w in hypothesis]
    if b[:len(a)] == a:
        return len(a)
    # The newest decode revised a confirmed word: align the two word sequences and skip the
    # hypothesis words that stand for the confirmed ones.
    end = len(a)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "insert" or i2 < end:
            continue  # wholly before the end of the confirmed words
        if tag == "equal":
            return j1 + (end - i1)
        if tag == "replace":  # "Mr." -> "Mister": as many hypothesis words as were replaced
            return j1 + min(end - i1, j2 - j1)
        return j1  # confirmed words the hypothesis dropped
    return len(b)


@dataclass
class LocalAgreement:
    """The confirmed prefix of one segment and the last hypothesis. Not thread-safe."""

    confirmed: list[str] = field(default_factory=list)
    _last_tail: list[str] = field(default_factory=list)

    def update(self, hypothesis: list[str]) -> list[str]:
        """Take a new decode of the whole segment; return the words of the partial to show:
        the confirmed words (never changed) then the hypothesis's words after them. An empty
        hypothesis (a decode that heard nothing) leaves everything as it was."""
        if not hypothesis:
            return [*self.confirmed, *self._last_tail]
        tail = hypothesis[_after(self.confirmed, hypothesis):]
        agreed = 0
        for old, new in zip(self._last_tail, tail[:-1], strict=False):  # never the last word
            if norm(old) != norm(new):
                break
            agreed += 1
        self.confirmed.extend(tail[:agreed])
        self._last_tail = tail[agreed:]
        return [*self.confirmed, *self._last_tail]

    def reset(self) -> None:
        """Start a new segment (after a commit)."""
        self.confirmed.clear()
        self._last_tail.clear()
