"""The one-pass cue builder against the rules written out plainly (quadratic, obviously right)."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from scribe_desktop.export import CueLimits, ExportSegment, build_cues
from scribe_desktop.export.tokens import Token, tokenize
from tests.export.test_cues import LIMIT_CHOICES, segments


def joined(tokens: Sequence[Token]) -> str:
    return "".join(("" if n == 0 or t.glue else " ") + t.text for n, t in enumerate(tokens))


def greedy(tokens: Sequence[Token], width: int) -> list[list[Token]]:
    lines: list[list[Token]] = []
    for t in tokens:
        if lines and len(joined([*lines[-1], t])) <= width:
            lines[-1].append(t)
        else:
            lines.append([t])
    return lines


def wrap(tokens: Sequence[Token], limits: CueLimits) -> list[str] | None:
    """Greedy lines; two lines balanced, a split after punctuation worth width/3 chars."""
    lines = greedy(tokens, limits.max_line_chars)
    if len(lines) > limits.max_lines:
        return None
    if len(lines) != 2:
        return [joined(line) for line in lines]
    width = limits.max_line_chars
    options = []
    for k in range(1, len(tokens)):
        a, b = joined(tokens[:k]), joined(tokens[k:])
        if len(a) <= width and len(b) <= width:
            mark = tokens[k - 1].sentence_end or tokens[k - 1].clause_end
            options.append((abs(len(a) - len(b)) - (width / 3 if mark else 0), k, [a, b]))
    return min(options, key=lambda o: (o[0], o[1]))[2]


def spec_cues(segs: list[ExportSegment], limits: CueLimits) -> list[tuple[int, int, list[str]]]:
    toks = tokenize(segs, max_token_chars=limits.max_line_chars, max_token_ms=limits.max_ms,
                    chars_per_s=limits.chars_per_s).tokens

    def hard(k: int) -> bool:
        return toks[k].segment_start or \
            toks[k].start_ms - toks[k - 1].end_ms >= round(limits.pause_break_s * 1000)

    def fits(i: int, j: int) -> bool:
        return toks[j - 1].end_ms - toks[i].start_ms <= limits.max_ms and \
            wrap(toks[i:j], limits) is not None

    def score(k: int) -> int:
        prev = toks[k - 1]
        if prev.sentence_end:
            return 3
        if toks[k].start_ms - prev.end_ms >= round(limits.pause_prefer_s * 1000):
            return 2
        return 1 if prev.clause_end else 0

    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        j = i + 1
        while j < len(toks) and not hard(j) and fits(i, j + 1):
            j += 1
        if j < len(toks) and not hard(j):
            # the best-scoring split point, the latest on a tie, keeping min_fill of the cue
            full = len(joined(toks[i:j]))
            allowed = [j]
            for k in range(j - 1, i, -1):
                if len(joined(toks[i:k])) < limits.min_fill * full:
                    break
                allowed.append(k)
            j = max(allowed, key=lambda k: (score(k), k))
        spans.append((i, j))
        i = j
    return [(toks[i].start_ms, toks[j - 1].end_ms,
             wrap(toks[i:j], limits) or [joined(toks[i:j])]) for i, j in spans]


@settings(max_examples=400, deadline=None)
@given(st.lists(segments(), max_size=8), LIMIT_CHOICES)
def test_builder_follows_the_plain_rules(segs, limits) -> None:
    """Every cue has the text, start and lines the plainly written rules give."""
    track = build_cues(segs, limits)
    spec = spec_cues(segs, limits)
    assert [list(c.lines) for c in track.cues] == [lines for _s, _e, lines in spec]
    previous_end = 0
    for cue, (start_ms, end_ms, _lines) in zip(track.cues, spec, strict=True):
        # a cue starts with its first word, or when the one before ends (never overlapping)
        assert round(cue.start_s * 1000) == max(start_ms, previous_end)
        assert round(cue.end_s * 1000) >= max(end_ms, round(cue.start_s * 1000) + 1)
        previous_end = round(cue.end_s * 1000)
