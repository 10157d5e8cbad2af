"""Spacing and capitals where one piece of text meets the text before it: the ONE
implementation, used by the inserter (`inject.text.smart_join`), the shaped transcript
(`document`) and so the window, the history and exports. Pure.

`joint(previous, text)` says what to do at the insertion point: delete `delete` characters
before it (only to replace a punctuation mark: "Hello world." + "?" -> "Hello world?"; the
spoken mark wins and is never doubled), then insert `text` (with a separating space when
needed, and a capital at a sentence start).
"""

from __future__ import annotations

from dataclasses import dataclass

from .tokens import MARKS

SENTENCE_END = (".", "!", "?", "…", ":")
# No space before these: they attach to the previous word.
ATTACHING = frozenset(",.;:!?)]}…%'\"")
_OPENING_QUOTES = "\"'"


@dataclass(frozen=True, slots=True)
class Joint:
    """At an insertion point: delete `delete` characters before it, then insert `text`."""

    delete: int
    text: str

    def apply(self, previous: str) -> str:
        kept = previous[: len(previous) - self.delete] if self.delete else previous
        return kept + self.text


def _at_sentence_start(previous: str | None) -> bool:
    if previous is None:
        return True
    tail = previous.rstrip(" \t")
    return not tail.strip() or tail.endswith(SENTENCE_END) or tail.endswith("\n")


def _capitalized(text: str) -> str:
    for n, ch in enumerate(text):
        if ch.isalpha():
            return text[:n] + ch.upper() + text[n + 1:] if ch.islower() else text
        if not (ch.isspace() or ch in _OPENING_QUOTES + "“‘(«"):
            return text
    return text


def _attaches(text: str) -> bool:
    first = text[0]
    if first == "\n":
        return True
    if first in _OPENING_QUOTES and len(text) > 1 and text[1].isalnum():
        return False  # an opening quote: spaced like a word
    return first in ATTACHING


def joint(previous: str | None, text: str, *, spacing: bool = True,
          capitalize: bool = True) -> Joint:
    """How `text` joins `previous` (what came before at that point; None: nothing). The text
    is trimmed of spaces, never of the newlines a "new line" put there."""
    text = text.strip(" \t")
    if not text:
        return Joint(0, "")
    delete = 0
    if capitalize and (_at_sentence_start(previous) or text[0] == "\n"):
        text = _capitalized(text)
    if spacing and previous:
        tail = previous.rstrip(" ")
        if text[0] in MARKS and tail and tail[-1] in MARKS and tail[-1] != "…":
            delete = len(previous) - len(tail) + 1
        elif text[0] in MARKS and len(tail) < len(previous):
            delete = len(previous) - len(tail)  # the mark attaches to the word, not a space
        elif not previous[-1].isspace() and not _attaches(text):
            text = " " + text
    return Joint(delete, text)


def join(previous: str | None, text: str, *, spacing: bool = True,
         capitalize: bool = True) -> str:
    """`previous` and `text` joined (the whole resulting text)."""
    return joint(previous, text, spacing=spacing, capitalize=capitalize).apply(previous or "")
