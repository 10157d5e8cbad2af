"""The subtitle cue builder shared by SRT, WebVTT and live export. Pure.

Rules, all configurable in `CueLimits`:
* a cue has at most 2 lines of at most 42 characters and lasts at most 7 s;
* a silence of `pause_break_s` or a new segment (a commit) always starts a new cue;
* when a cue is full it is split, by preference, after a sentence end, then at a pause, then
  after a clause mark (comma...), else before the word that did not fit — but never so early
  that the cue keeps less than `min_fill` of what would fit;
* cue times never overlap and never go backwards, and every cue lasts at least a millisecond
  (words whose times collapsed onto one instant still get a cue a player keeps, pushing the
  next one on); short cues are held on screen for up to `min_duration_s` when the next cue
  leaves room.

No text is dropped or reordered: the cues' text, whitespace aside, is the input's text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise

from .model import ExportSegment
from .tokens import Timing, Token, tokenize


@dataclass(frozen=True, slots=True)
class CueLimits:
    max_lines: int = 2
    max_line_chars: int = 42
    max_duration_s: float = 7.0
    min_duration_s: float = 0.7
    pause_break_s: float = 1.0  # always a new cue after a silence this long
    pause_prefer_s: float = 0.3  # a preferred split point when a cue is full
    min_fill: float = 0.4
    chars_per_s: float = 15.0  # speaking rate assumed when there are no times at all

    def __post_init__(self) -> None:
        if self.max_lines < 1 or self.max_line_chars < 1 or self.max_duration_s <= 0:
            raise ValueError("cue limits must be positive")

    @property
    def max_ms(self) -> int:
        return math.floor(self.max_duration_s * 1000)  # floor: never over the limit


@dataclass(frozen=True, slots=True)
class Cue:
    start_s: float
    end_s: float
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class CueTrack:
    """Cues plus how exact their times are (`approximate`: no times were known at all)."""

    cues: tuple[Cue, ...]
    timing: Timing

    @property
    def approximate(self) -> bool:
        return self.timing is Timing.APPROXIMATE


APPROXIMATE_NOTE = ("Timing is approximate: the transcript had no word or segment times, so "
                    "cue times are estimated from the text length.")


def _joined(tokens: Sequence[Token]) -> str:
    parts: list[str] = []
    for n, t in enumerate(tokens):
        if n and not t.glue:
            parts.append(" ")
        parts.append(t.text)
    return "".join(parts)


class _Builder:
    """Cue spans in one pass over the tokens.

    Every measure the rules need is O(1): the length of tokens[i:k] joined comes from prefix
    sums of token lengths and of the spaces between them, and whether tokens[i:j+1] still
    fit is the greedy line state of tokens[i:j] plus one token. Greedy wrapping gives the
    fewest lines, so "fits in max_lines" is exactly "greedy needs at most max_lines"; the
    balanced two-line split is chosen afterwards, once per cue."""

    def __init__(self, tokens: tuple[Token, ...], limits: CueLimits) -> None:
        self.tokens = tokens
        self.limits = limits
        self.max_ms = limits.max_ms
        self.break_ms = round(limits.pause_break_s * 1000)
        self.prefer_ms = round(limits.pause_prefer_s * 1000)
        self.lens = [len(t.text) for t in tokens]
        self.glue = [t.glue for t in tokens]
        self.start = [t.start_ms for t in tokens]
        self.end = [t.end_ms for t in tokens]
        # chars[k]: characters of tokens[:k]; spaces[k]: tokens[:k] that are not glued
        self.chars = list(accumulate(self.lens, initial=0))
        self.spaces = list(accumulate((not g for g in self.glue), initial=0))
        self.hard = [t.segment_start or (k > 0 and t.start_ms - tokens[k - 1].end_ms
                                         >= self.break_ms)
                     for k, t in enumerate(tokens)]
        self.sentence = [t.sentence_end for t in tokens]
        self.clause = [t.clause_end for t in tokens]

    def length(self, i: int, k: int) -> int:
        """len(_joined(tokens[i:k])) for i < k."""
        return self.chars[k] - self.chars[i] + self.spaces[k] - self.spaces[i + 1]

    def split_score(self, k: int) -> int:
        if self.sentence[k - 1]:
            return 3
        if self.start[k] - self.end[k - 1] >= self.prefer_ms:
            return 2
        return 1 if self.clause[k - 1] else 0

    def best_split(self, i: int, j: int) -> int:
        """Where to end a full cue tokens[i:j] (the next token does not fit)."""
        least = self.limits.min_fill * self.length(i, j)
        best_k, best_score = j, self.split_score(j)
        for k in range(j - 1, i, -1):
            if self.length(i, k) < least:
                break
            score = self.split_score(k)
            if score > best_score:
                best_k, best_score = k, score
        return best_k

    def spans(self) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        n = len(self.tokens)
        width, max_lines, max_ms = self.limits.max_line_chars, self.limits.max_lines, self.max_ms
        lens, glue, start, end, hard = self.lens, self.glue, self.start, self.end, self.hard
        i = 0
        while i < n:
            lines, used = 1, lens[i]  # greedy lines of tokens[i:j]
            j = i + 1
            while j < n and not hard[j] and end[j] - start[i] <= max_ms:
                extra = lens[j] + (0 if glue[j] else 1)
                if used + extra <= width:
                    used += extra
                elif lines < max_lines:
                    lines, used = lines + 1, lens[j]
                else:
                    break
                j += 1
            if j < n and not hard[j]:
                j = self.best_split(i, j)
            out.append((i, j))
            i = j
        return out

    def lines(self, i: int, j: int) -> list[str]:
        """The cue tokens[i:j] as lines: greedy, balanced when there are two."""
        width, lens, glue = self.limits.max_line_chars, self.lens, self.glue
        breaks: list[int] = []  # where greedy starts each line after the first
        used = lens[i]
        for k in range(i + 1, j):
            extra = lens[k] + (0 if glue[k] else 1)
            if used + extra <= width:
                used += extra
            else:
                breaks.append(k)
                used = lens[k]
        if len(breaks) >= self.limits.max_lines:  # does not fit: one line (cannot happen)
            breaks = []
        elif len(breaks) == 1:
            breaks = [self._balanced(i, j, width)]
        tokens = self.tokens
        return [_joined(tokens[a:b]) for a, b in pairwise([i, *breaks, j])]

    def _balanced(self, i: int, j: int, width: int) -> int:
        """The split of two lines that reads best: balanced, at punctuation if it can."""
        best: tuple[float, int] | None = None
        for k in range(i + 1, j):
            a, b = self.length(i, k), self.length(k, j)
            if a > width or b > width:
                continue
            mark = self.sentence[k - 1] or self.clause[k - 1]
            cost = abs(a - b) - (width / 3 if mark else 0)
            if best is None or cost < best[0]:
                best = (cost, k)
        assert best is not None  # greedy found two lines, so some split fits
        return best[1]


def build_cues(segments: Sequence[ExportSegment], limits: CueLimits | None = None) -> CueTrack:
    """Subtitle cues for the segments; see the module docstring for the rules."""
    limits = limits or CueLimits()
    run = tokenize(list(segments), max_token_chars=limits.max_line_chars,
                   max_token_ms=limits.max_ms,
                   chars_per_s=limits.chars_per_s)
    builder = _Builder(run.tokens, limits)
    spans = builder.spans()
    min_ms = min(round(limits.min_duration_s * 1000), limits.max_ms)
    starts, ends = builder.start, builder.end
    cues: list[Cue] = []
    previous_end = 0
    for n, (i, j) in enumerate(spans):
        start, end = max(starts[i], previous_end), ends[j - 1]
        if end - start < min_ms:
            # Hold a short cue longer, up to the next cue's start (never overlap).
            limit = starts[spans[n + 1][0]] if n + 1 < len(spans) else None
            end = start + min_ms if limit is None else max(end, min(start + min_ms, limit))
        end = max(end, start + 1)  # an empty cue (start == end) is never shown
        previous_end = end
        cues.append(Cue(start / 1000, end / 1000, tuple(builder.lines(i, j))))
    return CueTrack(tuple(cues), run.timing)
