"""TXT, SRT, WebVTT and JSON exports, checked with real consumers (srt, webvtt-py, ffmpeg)."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import srt
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from scribe_desktop.export import (
    SCHEMA_VERSION,
    ExportFormat,
    ExportOptions,
    ExportSegment,
    ExportSession,
    SessionMeta,
    SessionSource,
    SessionStatus,
    build_cues,
    from_json,
    render,
    to_txt,
)
from scribe_desktop.protocol.messages import Word
from tests.export.sessions import timed_segment
from tests.export.test_cues import segments

LONG = ("Good morning everyone. Today we will talk about the history of the printing press, "
        "which changed how ideas spread across Europe. It began in Mainz around 1450; within "
        "fifty years, presses worked in more than two hundred cities & towns <really>.")


def session() -> ExportSession:
    return ExportSession(
        segments=(timed_segment(LONG, start_s=0.5),
                  timed_segment("A second segment after a long pause.", start_s=60.0),
                  timed_segment("Ünïcode wörds — and “quotes”.", start_s=64.0,
                                language_code="de")),
        meta=SessionMeta(source=SessionSource.FILE, backend="local", model_id="scribe_v2",
                         file="/tmp/talk.wav",
                         started_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)),
        id=7, status=SessionStatus.COMPLETED,
        ended_at=datetime(2025, 1, 2, 3, 6, 5, tzinfo=UTC), duration_s=120.0)


def squash(text: str) -> str:
    return "".join(text.split())


def test_srt_parses_with_the_srt_library() -> None:
    """The SRT export parses back with `srt` into the same cues and text."""
    rendered = render(session(), ExportFormat.SRT)
    subs = list(srt.parse(rendered.text))
    assert len(subs) > 4
    assert [s.index for s in subs] == list(range(1, len(subs) + 1))
    assert squash("".join(s.content for s in subs)) == squash(session().text)
    for a, b in itertools.pairwise(subs):
        assert a.end <= b.start
    assert not rendered.approximate and rendered.warning is None


def test_vtt_parses_with_webvtt_py() -> None:
    """The VTT export parses with webvtt-py; escaped markup reads back as the text."""
    rendered = render(session(), ExportFormat.VTT)
    assert rendered.text.startswith("WEBVTT\n")
    captions = webvtt.from_string(rendered.text).captions
    assert len(captions) == len(list(srt.parse(render(session(), "srt").text)))
    text = "".join(c.raw_text for c in captions)
    unescaped = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert squash(unescaped) == squash(session().text)
    assert "-->" not in "".join(c.raw_text for c in captions)
    assert captions[0].start == "00:00:00.500"


def test_vtt_without_times_has_an_approximate_note() -> None:
    """A session without any times gets a NOTE in VTT and a warning for SRT."""
    untimed = ExportSession(segments=(ExportSegment("No times."), ExportSegment("None here.")))
    vtt = render(untimed, ExportFormat.VTT)
    assert "\nNOTE Timing is approximate" in vtt.text
    assert len(webvtt.from_string(vtt.text).captions) == 2
    srt_out = render(untimed, ExportFormat.SRT)
    assert srt_out.approximate and srt_out.warning
    assert "approximate" not in srt_out.text.lower()


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
@pytest.mark.parametrize("fmt", [ExportFormat.SRT, ExportFormat.VTT])
def test_ffmpeg_converts_the_subtitles_to_ass(tmp_path: Path, fmt: ExportFormat) -> None:
    """`ffmpeg -i out.srt out.ass` (and .vtt) succeeds and keeps every cue."""
    src = tmp_path / f"out{fmt.suffix}"
    src.write_text(render(session(), fmt).text, encoding="utf-8")
    out = tmp_path / "out.ass"
    proc = subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(src),
                           str(out)], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    dialogues = [ln for ln in out.read_text(encoding="utf-8").splitlines()
                 if ln.startswith("Dialogue:")]
    assert len(dialogues) == len(list(srt.parse(render(session(), "srt").text)))
    assert "printing" in out.read_text(encoding="utf-8")


def test_txt_has_paragraphs_at_long_pauses_and_a_line_per_segment() -> None:
    """The TXT export starts a paragraph after the 60 s pause and a line at each segment."""
    text, _ = to_txt(session())
    paras = text.strip().split("\n\n")
    assert len(paras) == 2
    assert paras[0] == " ".join(LONG.split())
    assert paras[1] == "A second segment after a long pause.\nÜnïcode wörds — and “quotes”."


def test_txt_timestamps_prefix_each_paragraph() -> None:
    """With timestamps each paragraph starts with its [HH:MM:SS] start."""
    rendered = render(session(), ExportFormat.TXT, ExportOptions(timestamps=True))
    paras = rendered.text.strip().split("\n\n")
    assert paras[0].startswith("[00:00:00] Good morning")
    assert paras[1].startswith("[00:01:00] A second")


def test_txt_without_times_keeps_all_text_in_one_paragraph() -> None:
    """Untimed segments form one paragraph, a line each, with every word."""
    untimed = ExportSession(segments=(ExportSegment("one two"), ExportSegment(" three ")))
    assert render(untimed, "txt").text == "one two\nthree\n"


def test_json_schema_has_every_key_and_round_trips() -> None:
    """The JSON export carries the versioned schema and reads back to the same session."""
    original = session()
    rendered = render(original, ExportFormat.JSON)
    data = json.loads(rendered.text)
    assert data["schema"] == "scribe-desktop/transcript"
    assert data["schema_version"] == SCHEMA_VERSION == 1
    assert set(data) == {"schema", "schema_version", "session", "language_code", "timing",
                         "text_form", "text", "segments"}
    assert set(data["session"]) == {"id", "source", "status", "backend", "model_id",
                                    "requested_language_code", "file", "started_at",
                                    "ended_at", "duration_s"}
    assert data["timing"] == "words" and data["language_code"] == "en"
    assert data["session"]["started_at"] == "2025-01-02T03:04:05+00:00"
    seg = data["segments"][2]
    assert set(seg) == {"index", "text", "raw_text", "start_s", "end_s", "language_code",
                        "words"}
    assert seg["language_code"] == "de" and seg["start_s"] == 64.0
    assert set(seg["words"][0]) == {"text", "start_s", "end_s", "type", "speaker_id", "logprob"}
    back = from_json(rendered.text)
    assert render(back, ExportFormat.JSON).text == rendered.text
    assert back.meta == original.meta and back.text == original.text


def test_json_rejects_other_documents() -> None:
    """from_json refuses JSON that is not a transcript, or a newer schema version."""
    with pytest.raises(ValueError, match="not a scribe-desktop"):
        from_json('{"a": 1}')
    newer = json.loads(render(session(), "json").text)
    newer["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(ValueError, match="newer"):
        from_json(json.dumps(newer))


def test_json_keeps_unknown_times_as_null() -> None:
    """NaN or missing word times are written as null, so the file stays valid JSON."""
    s = ExportSession(segments=(ExportSegment("a", (Word("a", float("nan"), None),)),))
    data = json.loads(render(s, "json").text)
    assert data["segments"][0]["words"][0]["start_s"] is None
    assert data["timing"] == "approximate"


def test_format_for_path_reads_the_suffix() -> None:
    """A file name's suffix selects the format."""
    assert ExportFormat.for_path("talk.SRT") is ExportFormat.SRT
    assert ExportFormat.for_path("talk") is None


@settings(max_examples=150, deadline=None)
@given(st.lists(segments(), max_size=5))
def test_any_session_gives_srt_and_vtt_the_parsers_accept(segs) -> None:
    """For any segments, `srt` and webvtt-py read back exactly the cues that were built."""
    s = ExportSession(segments=tuple(segs))
    n_cues = len(build_cues(segs).cues)
    assert len(list(srt.parse(render(s, ExportFormat.SRT).text))) == n_cues
    assert len(webvtt.from_string(render(s, ExportFormat.VTT).text).captions) == n_cues
    json.loads(render(s, ExportFormat.JSON).text)
