"""Live export appends each committed segment to a TXT or SRT file, flushed as it comes."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import srt

from scribe_desktop.core.transcript import Segment
from scribe_desktop.export import ExportFormat
from scribe_desktop.export.live import LiveExporter
from tests.export.sessions import timed_segment


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_txt_live_export_appends_and_flushes_each_segment(tmp_path: Path) -> None:
    """Each segment is readable in the file before the exporter closes; old text is kept."""
    path = tmp_path / "captions.txt"
    path.write_text("earlier\n", encoding="utf-8")
    with LiveExporter.open(path, ExportFormat.TXT) as live:
        live.add_segment(Segment(0, "Hello  world."))
        assert path.read_text(encoding="utf-8") == "earlier\nHello world.\n"
        live.add_segment(Segment(1, "   "))
        live.add_segment(Segment(2, "Second line."))
        assert path.read_text(encoding="utf-8").endswith("Hello world.\nSecond line.\n")
    assert live.closed and live.segments_written == 2


def test_srt_live_export_stays_a_valid_growing_srt(tmp_path: Path) -> None:
    """After every segment the file parses as SRT with numbered, non-overlapping cues."""
    path = tmp_path / "captions.srt"
    clock = FakeClock()
    live = LiveExporter.open(path, "srt", clock=clock)
    clock.t += 3.0
    live.add_segment(Segment(0, "No word times in this one."))  # clock times
    first = list(srt.parse(path.read_text(encoding="utf-8")))
    assert len(first) == 1 and first[0].end.total_seconds() == pytest.approx(3.0)
    seg = timed_segment("Now with word times, a long sentence that needs more than one "
                        "cue to show everything it says.", start_s=4.0)
    live.add_segment(seg)
    clock.t += 20.0
    # words from a new stream (times restart at 0): clock times instead, after the last cue
    live.add_segment(timed_segment("After a reconnect.", start_s=0.0))
    live.close()
    subs = list(srt.parse(path.read_text(encoding="utf-8")))
    assert [s.index for s in subs] == list(range(1, len(subs) + 1))
    assert len(subs) >= 4
    assert subs[1].start.total_seconds() == pytest.approx(4.0)
    for a, b in itertools.pairwise(subs):
        assert a.end <= b.start
    assert subs[-1].content == "After a reconnect."
    assert subs[-1].end.total_seconds() == pytest.approx(23.0)


def test_live_export_refuses_other_formats(tmp_path: Path) -> None:
    """Only TXT and SRT can be written live."""
    with pytest.raises(ValueError, match="TXT or SRT"):
        LiveExporter.open(tmp_path / "x.vtt", "vtt")
