"""Segments -> a flat run of timed tokens, the common input of the cue builder and TXT. Pure.

Times are integer milliseconds (SRT/VTT precision), so rounding can never reorder them. The
run is monotonic: every token starts at or after the end of the one before it, whatever the
input times (overlapping, backwards, NaN, missing).

Timing per segment, best first (the run's timing is the worst one used):
1. WORDS: the words' own times (protocol §6.6); untimed words in between get a share of the gap.
2. SEGMENTS: no usable word times, but the segment's start/end: spread over the words by length.
3. APPROXIMATE: no times at all: placed after the previous segment at a speaking rate.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import IntEnum

from ..protocol.messages import WordType
from .model import ExportSegment

SENTENCE_END = (".", "!", "?", "…", "。", "！", "？")
CLAUSE_END = (",", ";", ":", "—", "–", "，", "、", "；", "：")
CLOSERS = "\"'”’»)]}"


class Timing(IntEnum):
    """How exact the times are; a larger value is less exact."""

    WORDS = 0
    SEGMENTS = 1
    APPROXIMATE = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(slots=True)
class Token:
    """A whitespace-free piece of text with its time span in milliseconds."""

    text: str
    start_ms: int
    end_ms: int
    glue: bool = False  # joined to the previous token without a space
    segment_start: bool = False  # the first token of a segment
    brk: str = ""  # newlines before it (a spoken "new line" in shaped text); TXT keeps them

    @property
    def sentence_end(self) -> bool:
        return self.text.rstrip(CLOSERS).endswith(SENTENCE_END)

    @property
    def clause_end(self) -> bool:
        return self.text.rstrip(CLOSERS).endswith(CLAUSE_END)


@dataclass(frozen=True, slots=True)
class TokenRun:
    tokens: tuple[Token, ...]
    timing: Timing


@dataclass(slots=True)
class _Piece:
    text: str
    glue: bool
    start_ms: int | None = None
    end_ms: int | None = None
    brk: str = ""


def _text_pieces(text: str) -> tuple[list[_Piece], str]:
    """The whitespace-separated pieces of `text`, each with the newlines before it, and the
    newlines after the last one (they go before the next segment's first piece)."""
    pieces: list[_Piece] = []
    brk = ""
    for run in re.findall(r"\n+|[^\s]+", text):
        if run.startswith("\n"):
            brk += run
        else:
            pieces.append(_Piece(run, False, brk=brk))
            brk = ""
    return pieces, brk


def _ms(value: float | None) -> int | None:
    if value is None or not math.isfinite(value) or value < 0 or value > 1e9:
        return None
    return round(value * 1000)


def _split_long(pieces: list[_Piece], max_chars: int) -> list[_Piece]:
    """Cut pieces longer than a line into glued line-sized pieces (no text is dropped)."""
    out: list[_Piece] = []
    for p in pieces:
        if len(p.text) <= max_chars:
            out.append(p)
            continue
        chunks = [p.text[i:i + max_chars] for i in range(0, len(p.text), max_chars)]
        times = _spread(p.start_ms, p.end_ms, [len(c) for c in chunks])
        for n, (chunk, (s, e)) in enumerate(zip(chunks, times, strict=True)):
            out.append(_Piece(chunk, p.glue if n == 0 else True, s, e, p.brk if n == 0 else ""))
    return out


def _spread(start_ms: int | None, end_ms: int | None,
            weights: list[int]) -> list[tuple[int | None, int | None]]:
    """Split [start, end] in proportion to weights; unknown bounds stay unknown."""
    if start_ms is None or end_ms is None:
        return [(start_ms, end_ms)] * len(weights)
    total = sum(weights) or 1
    out: list[tuple[int | None, int | None]] = []
    acc = 0
    for w in weights:
        s = start_ms + (end_ms - start_ms) * acc // total
        acc += w
        out.append((s, start_ms + (end_ms - start_ms) * acc // total))
    return out


def _word_pieces(segment: ExportSegment) -> list[_Piece]:
    has_spacing = any(w.type == WordType.SPACING for w in segment.words)
    pieces: list[_Piece] = []
    space_pending = True
    for w in segment.words:
        if w.type == WordType.SPACING:
            space_pending = True
            continue
        parts = w.text.split()
        if not parts:
            space_pending = True
            continue
        # Without spacing items we cannot tell where spaces were: assume between words.
        glue = has_spacing and not space_pending and not w.text[0].isspace()
        times = _spread(_ms(w.start_s), _ms(w.end_s), [len(p) for p in parts])
        for n, (part, (s, e)) in enumerate(zip(parts, times, strict=True)):
            pieces.append(_Piece(part, glue if n == 0 else False, s, e))
        space_pending = w.text[-1].isspace()
    return pieces


def _same_text(pieces: list[_Piece], text: str) -> bool:
    return "".join(p.text for p in pieces) == "".join(text.split())


def _fill_gaps(pieces: list[_Piece], lo_ms: int, hi_ms: int | None, chars_per_s: float) -> None:
    """Give untimed pieces times between their timed neighbours (in place)."""
    i = 0
    prev_end = lo_ms
    while i < len(pieces):
        p = pieces[i]
        if p.start_ms is not None and p.end_ms is not None:
            prev_end = max(prev_end, p.end_ms)
            i += 1
            continue
        j = i
        while j < len(pieces) and (pieces[j].start_ms is None or pieces[j].end_ms is None):
            j += 1
        run = pieces[i:j]
        lo = max(prev_end, run[0].start_ms or prev_end)
        nxt = pieces[j].start_ms if j < len(pieces) else hi_ms
        hi = nxt if nxt is not None and nxt >= lo else lo + _estimate_ms(run, chars_per_s)
        for piece, (s, e) in zip(run, _spread(lo, hi, [len(r.text) + 1 for r in run]),
                                 strict=True):
            piece.start_ms, piece.end_ms = s, e
        prev_end = hi
        i = j


def _estimate_ms(pieces: list[_Piece], chars_per_s: float) -> int:
    chars = sum(len(p.text) + 1 for p in pieces)
    return max(500, round(chars / chars_per_s * 1000))


def _segment_pieces(segment: ExportSegment, cursor_ms: int,
                    chars_per_s: float) -> tuple[list[_Piece], Timing, str]:
    """The segment's pieces, their timing, and the newlines after its last piece."""
    text_pieces, trailing = _text_pieces(segment.text)
    pieces, timing = _timed_pieces(segment, text_pieces, cursor_ms, chars_per_s)
    return pieces, timing, trailing


def _timed_pieces(segment: ExportSegment, text_pieces: list[_Piece], cursor_ms: int,
                  chars_per_s: float) -> tuple[list[_Piece], Timing]:
    word_pieces = _word_pieces(segment)
    seg_start, seg_end = _ms(segment.start_s), _ms(segment.end_s)
    if seg_start is not None and seg_end is not None and seg_end < seg_start:
        seg_start = seg_end = None
    if word_pieces and not _same_text(word_pieces, segment.text) and segment.text.strip():
        # The words do not spell the text: keep the text (never lose it), the words' span.
        timed = [p for p in word_pieces if p.start_ms is not None and p.end_ms is not None]
        if timed and seg_start is None:
            seg_start, seg_end = timed[0].start_ms, timed[-1].end_ms
        word_pieces = []
    if word_pieces and any(p.start_ms is not None and p.end_ms is not None
                           for p in word_pieces):
        _fill_gaps(word_pieces, max(cursor_ms, seg_start or 0), seg_end, chars_per_s)
        return word_pieces, Timing.WORDS
    pieces = word_pieces or text_pieces
    if not pieces:
        return [], Timing.WORDS
    if seg_start is not None and seg_end is not None:
        timing = Timing.SEGMENTS
        lo, hi = max(seg_start, cursor_ms), max(seg_end, cursor_ms)
    else:
        timing = Timing.APPROXIMATE
        anchor = seg_start if seg_start is not None else cursor_ms
        lo = max(anchor, cursor_ms)
        hi = lo + _estimate_ms(pieces, chars_per_s)
        if seg_end is not None and seg_end > lo:
            hi = seg_end
    for piece, (s, e) in zip(pieces, _spread(lo, hi, [len(p.text) + 1 for p in pieces]),
                             strict=True):
        piece.start_ms, piece.end_ms = s, e
    return pieces, timing


def tokenize(segments: tuple[ExportSegment, ...] | list[ExportSegment], *,
             max_token_chars: int = 42, max_token_ms: int = 7000,
             chars_per_s: float = 15.0) -> TokenRun:
    """All segments' text as monotonic timed tokens, each at most `max_token_chars` long."""
    tokens: list[Token] = []
    timing = Timing.WORDS
    cursor = 0
    pending = ""  # newlines at the end of a segment: before the next token
    for segment in segments:
        pieces, seg_timing, trailing = _segment_pieces(segment, cursor, chars_per_s)
        pieces = _split_long(pieces, max_token_chars)
        if not pieces:
            pending += trailing
            continue
        pieces[0].brk = pending + pieces[0].brk
        pending = trailing
        timing = max(timing, seg_timing)
        for n, p in enumerate(pieces):
            start = max(cursor, p.start_ms if p.start_ms is not None else cursor)
            end = max(start, p.end_ms if p.end_ms is not None else start)
            end = min(end, start + max_token_ms)  # a word longer than a cue is a bad time
            tokens.append(Token(p.text, start, end, glue=p.glue and n > 0,
                                segment_start=n == 0, brk=p.brk))
            cursor = end
    return TokenRun(tuple(tokens), timing)
