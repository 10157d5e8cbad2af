"""Plain-text export: one line per committed segment, paragraphs at long pauses, optional
timestamps. Pure.

Each segment starts a new line, as the window's "Copy all" does; a paragraph (a blank line)
starts where the speaker paused for `paragraph_pause_s` or more (between segments or between
words). Without any times there are no pauses to see: the lines form one paragraph.
"""

from __future__ import annotations

from .model import ExportSession
from .tokens import Timing, Token, tokenize


def clock(seconds: float) -> str:
    """`H:MM:SS` style clock, always with hours (`00:01:05`)."""
    total = int(seconds)
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"


def _paragraphs(tokens: tuple[Token, ...], pause_ms: int) -> list[list[list[Token]]]:
    """Paragraphs of lines of tokens: a long pause starts a paragraph, a segment a line."""
    paras: list[list[list[Token]]] = []
    for n, t in enumerate(tokens):
        if n == 0 or t.start_ms - tokens[n - 1].end_ms >= pause_ms:
            paras.append([[t]])
        elif t.segment_start:
            paras[-1].append([t])
        else:
            paras[-1][-1].append(t)
    return paras


def _text(tokens: list[Token]) -> str:
    return "".join(("" if n == 0 or t.glue else t.brk or " ") + t.text
                   for n, t in enumerate(tokens))


def _lines(para: list[list[Token]]) -> str:
    return "\n".join(_text(line) for line in para)


def to_txt(session: ExportSession, *, timestamps: bool = False,
           paragraph_pause_s: float = 2.0) -> tuple[str, Timing]:
    """The session as text, a line per segment and a blank line between paragraphs;
    `timestamps` prefixes each paragraph with `[HH:MM:SS]` (its start). Returns the text and
    how exact the times are."""
    # Long words are not cut here: max_token_chars only matters for subtitle lines.
    run = tokenize(list(session.segments), max_token_chars=1 << 30, max_token_ms=1 << 40)
    paras = _paragraphs(run.tokens, round(paragraph_pause_s * 1000))
    lines = [(f"[{clock(p[0][0].start_ms / 1000)}] " if timestamps else "") + _lines(p)
             for p in paras]
    return ("\n\n".join(lines) + "\n" if lines else ""), run.timing
