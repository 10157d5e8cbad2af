"""Streamed exports: the file written piece by piece is the rendered text, JSON reads back as
its data, and the timing found without tokens is the tokenizer's."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scribe_desktop.export import (
    ExportFormat,
    ExportOptions,
    ExportSegment,
    ExportSession,
    render,
    stream,
    write,
)
from scribe_desktop.export.json_export import to_json_data
from scribe_desktop.export.tokens import run_timing, tokenize
from scribe_desktop.protocol.messages import Word, WordType
from tests.export.test_cues import segments
from tests.export.test_formats import session

SEPARATORS = st.sampled_from([" ", "\n", "\n\n", " \n ", "\r\n", "\u00a0", "\t"])


@st.composite
def lines_segments(draw: st.DrawFn) -> ExportSegment:
    """Segments whose text has newlines and odd spaces, with or without (timed) words."""
    said = draw(st.lists(st.from_regex(r"[A-Za-z.,]{1,50}", fullmatch=True), max_size=10))
    seps = [draw(SEPARATORS) for _ in range(len(said) + 1)]
    text = seps[0] + "".join(w + s for w, s in zip(said, seps[1:], strict=True))
    if draw(st.booleans()):
        return ExportSegment(text)
    t = draw(st.floats(0, 100))
    words: list[Word] = []
    for w in said:
        if draw(st.booleans()):
            words.append(Word(" ", t, t, WordType.SPACING))
        words.append(Word(w, t, t + 0.3) if draw(st.booleans()) else Word(w))
        t += 0.4
    return ExportSegment(text, tuple(words))


ANY_SEGMENTS = st.lists(st.one_of(segments(), lines_segments()), max_size=6)


@settings(max_examples=200, deadline=None)
@given(ANY_SEGMENTS)
def test_json_text_reads_back_as_its_data(segs) -> None:
    """The streamed JSON text parses to exactly the document's data."""
    s = ExportSession(segments=tuple(segs))
    assert json.loads(render(s, ExportFormat.JSON).text) == to_json_data(s)


@settings(max_examples=200, deadline=None)
@given(ANY_SEGMENTS)
def test_timing_without_tokens_is_the_tokenizers(segs) -> None:
    """`run_timing` gives the tokenizer's timing, and None exactly when there are no tokens."""
    run = tokenize(segs)
    assert run_timing(segs) == (run.timing if run.tokens else None)


@settings(max_examples=100, deadline=None)
@given(ANY_SEGMENTS, st.sampled_from(list(ExportFormat)), st.booleans())
def test_written_text_is_the_rendered_text(segs, fmt, timestamps) -> None:
    """`write` sends a file the same text and timing as `render` returns."""
    s = ExportSession(segments=tuple(segs))
    options = ExportOptions(timestamps=timestamps)
    out = io.StringIO()
    written = write(s, fmt, out, options)
    rendered = render(s, fmt, options)
    assert out.getvalue() == rendered.text
    assert written.timing == rendered.timing and written.warning == rendered.warning


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_stream_comes_in_pieces_and_writes_a_utf8_file(tmp_path: Path, fmt) -> None:
    """A session streams in several pieces, and a file written from them reads back whole."""
    streamed = stream(session(), fmt)
    pieces = list(streamed.chunks)
    assert len(pieces) > 1
    target = tmp_path / f"talk{fmt.suffix}"
    with target.open("w", encoding="utf-8", newline="\n") as file:
        write(session(), fmt, file)
    assert target.read_text(encoding="utf-8") == "".join(pieces) == render(session(), fmt).text
