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


def _greedy_lines(tokens: Sequence[Token], width: int) -> list[list[Token]]:
    """Fewest lines of at most `width` characters (greedy is optimal for that)."""
    lines: list[list[Token]] = []
    length = 0
    for t in tokens:
        extra = len(t.text) + (0 if t.glue else 1)
        if lines and length + extra <= width:
            lines[-1].append(t)
            length += extra
        else:
            lines.append([t])
            length = len(t.text)
    return lines


def _wrap(tokens: Sequence[Token], limits: CueLimits) -> list[list[Token]] | None:
    """The cue's lines, balanced when there are two; None if it needs too many lines."""
    lines = _greedy_lines(tokens, limits.max_line_chars)
    if len(lines) > limits.max_lines:
        return None
    if len(lines) != 2:
        return lines
    width = limits.max_line_chars
    best: tuple[float, int] | None = None
    for k in range(1, len(tokens)):
        a, b = len(_joined(tokens[:k])), len(_joined(tokens[k:]))
        if a > width or b > width:
            continue
        # Balanced lines read best; a line that ends at punctuation reads better still.
        mark = tokens[k - 1].sentence_end or tokens[k - 1].clause_end
        cost = abs(a - b) - (width / 3 if mark else 0)
        if best is None or cost < best[0]:
            best = (cost, k)
    if best is None:  # cannot happen: greedy found two lines
        return lines
    return [list(tokens[:best[1]]), list(tokens[best[1]:])]


class _Builder:
    def __init__(self, tokens: tuple[Token, ...], limits: CueLimits) -> None:
        self.tokens = tokens
        self.limits = limits
        self.max_ms = limits.max_ms
        self.break_ms = round(limits.pause_break_s * 1000)
        self.prefer_ms = round(limits.pause_prefer_s * 1000)

    def gap_before(self, k: int) -> int:
        return self.tokens[k].start_ms - self.tokens[k - 1].end_ms

    def hard_break(self, k: int) -> bool:
        return self.tokens[k].segment_start or self.gap_before(k) >= self.break_ms

    def fits(self, i: int, j: int) -> bool:
        """Whether tokens[i:j] make one cue."""
        toks = self.tokens
        if toks[j - 1].end_ms - toks[i].start_ms > self.max_ms:
            return False
        return _wrap(toks[i:j], self.limits) is not None

    def split_score(self, k: int) -> int:
        prev = self.tokens[k - 1]
        if prev.sentence_end:
            return 3
        if self.gap_before(k) >= self.prefer_ms:
            return 2
        return 1 if prev.clause_end else 0

    def best_split(self, i: int, j: int) -> int:
        """Where to end a full cue tokens[i:j] (the next token does not fit)."""
        full = len(_joined(self.tokens[i:j]))
        best_k, best_score = j, self.split_score(j)
        for k in range(j - 1, i, -1):
            if len(_joined(self.tokens[i:k])) < self.limits.min_fill * full:
                break
            score = self.split_score(k)
            if score > best_score:
                best_k, best_score = k, score
        return best_k

    def spans(self) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        n = len(self.tokens)
        i = 0
        while i < n:
            j = i + 1
            while j < n and not self.hard_break(j) and self.fits(i, j + 1):
                j += 1
            if j < n and not self.hard_break(j):
                j = self.best_split(i, j)
            out.append((i, j))
            i = j
        return out


def build_cues(segments: Sequence[ExportSegment], limits: CueLimits | None = None) -> CueTrack:
    """Subtitle cues for the segments; see the module docstring for the rules."""
    limits = limits or CueLimits()
    run = tokenize(list(segments), max_token_chars=limits.max_line_chars,
                   max_token_ms=limits.max_ms,
                   chars_per_s=limits.chars_per_s)
    builder = _Builder(run.tokens, limits)
    spans = builder.spans()
    min_ms = min(round(limits.min_duration_s * 1000), limits.max_ms)
    cues: list[Cue] = []
    previous_end = 0
    for n, (i, j) in enumerate(spans):
        toks = run.tokens[i:j]
        start, end = max(toks[0].start_ms, previous_end), toks[-1].end_ms
        if end - start < min_ms:
            # Hold a short cue longer, up to the next cue's start (never overlap).
            limit = run.tokens[spans[n + 1][0]].start_ms if n + 1 < len(spans) else None
            end = start + min_ms if limit is None else max(end, min(start + min_ms, limit))
        end = max(end, start + 1)  # an empty cue (start == end) is never shown
        previous_end = end
        lines = _wrap(toks, limits) or [list(toks)]
        cues.append(Cue(start / 1000, end / 1000, tuple(_joined(line) for line in lines)))
    return CueTrack(tuple(cues), run.timing)
