"""The shaped text beside the raw one in the history (schema 2, migrated from 1) and in
exports (the "shaped | raw" choice)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from scribe_desktop.core.transcript import (
    Segment,
    SegmentAdded,
    SegmentEnriched,
    TranscriptChange,
)
from scribe_desktop.export import ExportFormat, ExportSession, from_json, render
from scribe_desktop.export.model import ExportSegment, SessionMeta, SessionStatus, TextForm
from scribe_desktop.history import HistoryStore
from scribe_desktop.history.schema import SCHEMA_VERSION
from scribe_desktop.protocol.messages import Word
from scribe_desktop.shaping import ShapedDocument, ShapingRules

RULES = ShapingRules(commands=True)

# The history schema as version 1 wrote it (before segments.shaped).
V1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL,
    started_unix REAL NOT NULL, updated_unix REAL NOT NULL, ended_at TEXT,
    status TEXT NOT NULL, source TEXT NOT NULL, backend TEXT, model_id TEXT,
    language_code TEXT, file TEXT, duration_s REAL, preview TEXT NOT NULL DEFAULT '',
    segment_count INTEGER NOT NULL DEFAULT 0, owner_pid INTEGER, owner_token TEXT,
    audio_file TEXT, audio_format TEXT);
CREATE TABLE segments (
    id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id)
    ON DELETE CASCADE, seq INTEGER NOT NULL, source_index INTEGER, text TEXT NOT NULL,
    start_s REAL, end_s REAL, language_code TEXT, words TEXT, committed_unix REAL NOT NULL,
    UNIQUE (session_id, seq));
INSERT INTO sessions (started_at, started_unix, updated_unix, ended_at, status, source)
    VALUES ('2025-01-02T03:04:05+00:00', 1735787045, 1735787050,
            '2025-01-02T03:04:10+00:00', 'completed', 'dictation');
INSERT INTO segments (session_id, seq, text, committed_unix)
    VALUES (1, 0, 'an old segment', 1735787046);
PRAGMA user_version = 1;
"""


def shaped_changes(*texts: str) -> list[TranscriptChange]:
    doc = ShapedDocument()
    out: list[TranscriptChange] = []
    for n, text in enumerate(texts):
        out += doc.apply(SegmentAdded(Segment(n, text)), RULES)
    return out


def test_a_version_1_history_gains_the_shaped_column(tmp_path: Path) -> None:
    """Opening a schema-1 database adds segments.shaped; old segments export as recognised."""
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(V1)
    conn.close()
    with HistoryStore.open(path) as store:
        old = store.load(1)
        assert old.segments[0].shaped is None and not old.has_shaped
        assert old.with_form(TextForm.SHAPED).text == "an old segment"
        with store.begin_session(SessionMeta()) as rec:
            rec.add_segment(Segment(0, "hello new line", shaped="Hello\n"))
        assert store.load(rec.id).segments[0].shaped == "Hello\n"
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    HistoryStore.open(path).close()  # opening again migrates nothing twice


def test_the_history_keeps_both_texts_and_follows_later_edits(tmp_path: Path) -> None:
    """Raw and shaped text are stored; a later "scratch that" blanks the earlier shaped."""
    with HistoryStore.open(tmp_path / "h.sqlite3") as store:
        rec = store.begin_session(SessionMeta())
        for change in shaped_changes("first part.", "second part", "scratch that"):
            if isinstance(change, SegmentAdded):
                rec.add_segment(change.segment)
            elif isinstance(change, SegmentEnriched):
                rec.enrich(change.segment)
        rec.finish(SessionStatus.COMPLETED)
        session = store.load(rec.id)
    assert [(s.text, s.shaped) for s in session.segments] == [
        ("first part.", "First part."), ("second part", ""), ("scratch that", "")]
    assert session.with_form(TextForm.SHAPED).text == "First part."
    assert session.text == "first part. second part scratch that"


def shaped_session() -> ExportSession:
    words = (Word("hello", 0.0, 0.4), Word(" ", 0.4, 1.0, "spacing"),
             Word("new", 1.0, 1.2), Word(" ", 1.2, 1.3, "spacing"), Word("line", 1.3, 1.6),
             Word(" ", 1.6, 2.2, "spacing"), Word("world", 2.2, 2.6))
    doc = ShapedDocument()
    doc.apply(SegmentAdded(Segment(0, "hello new line world", words=words)), RULES)
    doc.apply(SegmentAdded(Segment(1, "oops", words=(Word("oops", 3.0, 3.3),))), RULES)
    doc.apply(SegmentAdded(Segment(2, "scratch that", words=(Word("scratch", 4.0, 4.3),
                                                            Word(" ", 4.3, 4.4, "spacing"),
                                                            Word("that", 4.4, 4.6)))), RULES)
    return ExportSession.from_segments(doc.segments)


def test_a_shaped_txt_export_keeps_spoken_line_breaks() -> None:
    """TXT in the shaped form has the new line and not the scratched segment."""
    session = shaped_session()
    assert session.has_shaped
    assert render(session.with_form(TextForm.SHAPED), ExportFormat.TXT).text == \
        "Hello\nWorld\n"
    # The raw form keeps a line per segment, as Copy all does.
    assert render(session, ExportFormat.TXT).text == "hello new line world\noops\nscratch that\n"


def test_shaped_subtitles_keep_the_segment_times_on_one_line() -> None:
    """SRT cues of shaped text are timed by their segment and never hold a blank line."""
    srt = render(shaped_session().with_form(TextForm.SHAPED), ExportFormat.SRT).text
    assert "Hello World" in srt and "oops" not in srt
    assert srt.startswith("1\n00:00:00,000 --> 00:00:02,600\n")


def test_shaped_json_names_its_form_and_keeps_the_raw_text() -> None:
    """JSON says which text it holds, keeps the recognised text, and reads back."""
    shaped = shaped_session().with_form(TextForm.SHAPED)
    text = render(shaped, ExportFormat.JSON).text
    data = json.loads(text)
    assert data["text_form"] == "shaped"
    assert [(s["text"], s["raw_text"]) for s in data["segments"]] == [
        ("Hello\nWorld", "hello new line world")]
    back = from_json(text)
    assert back.text_form is TextForm.SHAPED
    assert back.segments[0].raw == "hello new line world"
    raw = json.loads(render(shaped_session(), ExportFormat.JSON).text)
    assert raw["text_form"] == "raw" and raw["segments"][0]["text"] == "hello new line world"


def test_segments_never_shaped_export_their_raw_text() -> None:
    """A session without shaped text offers nothing to choose; its shaped form is the raw."""
    session = ExportSession(segments=(ExportSegment("as said"),))
    assert not session.has_shaped
    assert session.with_form(TextForm.SHAPED).text == "as said"
