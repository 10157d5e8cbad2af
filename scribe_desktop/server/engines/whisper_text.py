"""Pure text helpers of the Whisper engine: repetition loops, and decoded words -> WordTimings.

Whisper words carry their own leading space (" Mr.", " John") and sometimes none ("cold",
"-hearted"): the space is kept as the word's `prefix`, so joining the words reproduces the
decoded text exactly and the wire's `spacing` items stand where the model put spaces (§6.6).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .agreement import norm
from .base import WordTiming

T = TypeVar("T")

MAX_LOOP_WORDS = 12  # longest phrase checked for a repetition loop
LONG_PHRASE_WORDS = 4  # a phrase this long said twice in a row is a loop
SHORT_PHRASE_REPEATS = 3  # a shorter phrase may repeat this often ("no, no, no")


@dataclass(frozen=True, slots=True)
class DecodedWord:
    """A word as Whisper decoded it: `text` with its leading space; seconds in the decoded
    audio."""

    text: str
    start_s: float
    end_s: float
    probability: float


def cut_repetitions(items: Sequence[T], key: Callable[[T], str]) -> list[T]:
    """Drop Whisper's repetition loops: a phrase of LONG_PHRASE_WORDS or more words repeated
    back to back keeps one copy; a shorter phrase keeps at most SHORT_PHRASE_REPEATS copies.
    (Decoding loops repeat a sentence verbatim; people rarely repeat a long phrase at once.)"""
    out = list(items)
    keys = [key(x) for x in out]

    def cut_at(i: int) -> bool:
        for n in range(1, MAX_LOOP_WORDS + 1):
            if i + 2 * n > len(out):
                return False
            phrase = keys[i:i + n]
            repeats = 1
            while keys[i + repeats * n:i + (repeats + 1) * n] == phrase:
                repeats += 1
            allowed = 1 if n >= LONG_PHRASE_WORDS else SHORT_PHRASE_REPEATS
            if repeats > allowed:
                del out[i + allowed * n:i + repeats * n]
                del keys[i + allowed * n:i + repeats * n]
                return True
        return False

    changed = True
    while changed:  # a cut can join two copies of a phrase that began earlier: repeat
        changed = False
        i = 0
        while i < len(out):
            if cut_at(i):
                changed = True  # and look again at the same place
            else:
                i += 1
    return out


def whole_repetition(text: str) -> bool:
    """True when `text` is one phrase of two words or more said twice or more back to back,
    and nothing else (a last copy may be cut short): "10 of clubs. 10 of clubs." Whisper
    does this on short audio after a prompt (the prompt's sentence rhythm carries on); people
    rarely say a whole utterance twice, so the decoder checks it again without the prompt."""
    keys = [k for k in (norm(w) for w in text.split()) if k]
    for n in range(2, len(keys) // 2 + 1):
        phrase = keys[:n]
        if all(k == phrase[i % n] for i, k in enumerate(keys)):
            return True
    return False


def cut_word_loops(words: Sequence[str]) -> list[str]:
    """`cut_repetitions` over plain words, compared case- and punctuation-blind."""
    return cut_repetitions(words, norm)


def to_timings(words: Sequence[DecodedWord], to_segment_s: Callable[[float, bool], float]
               ) -> list[WordTiming]:
    """Decoded words -> WordTimings in segment seconds (`to_segment_s(t, is_end)` maps a time
    of the decoded audio back to the segment), repetition loops cut, blank words dropped."""
    out: list[WordTiming] = []
    for w in cut_repetitions(words, lambda w: norm(w.text)):
        core = w.text.strip()
        if not core:
            continue
        prefix = " " if w.text[:1].isspace() else ""
        start = to_segment_s(w.start_s, False)
        end = max(start, to_segment_s(w.end_s, True))
        if not any(c.isalnum() for c in core):
            # a stray " ." after "was.": glue punctuation to the word before, once
            if out and out[-1].word[-1:] not in _PUNCTUATION:
                last = out[-1]
                out[-1] = WordTiming(last.word + core, last.start_s, max(last.end_s, end),
                                     last.prefix, last.probability)
            continue
        out.append(WordTiming(core, start, end, prefix, w.probability))
    return out


_PUNCTUATION = frozenset(".,!?;:…-\"')]")
