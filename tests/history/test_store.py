"""The history store: recording, enrichment, listing, search, deletion, audio and recovery."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scribe_desktop.core.transcript import Segment
from scribe_desktop.export import (
    ExportFormat,
    SessionMeta,
    SessionSource,
    SessionStatus,
    render,
)
from scribe_desktop.history import HistoryStore
from scribe_desktop.protocol.messages import Word, WordType


class FakeClock:
    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(params=[True, False], ids=["fts5", "like"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    s = HistoryStore.open(tmp_path / "h" / "history.sqlite3", use_fts=request.param)
    assert s.fts is request.param
    yield s
    s.close()


def test_database_uses_wal_and_full_sync(tmp_path: Path) -> None:
    """The database is in WAL mode with synchronous=FULL on every connection."""
    with HistoryStore.open(tmp_path / "db.sqlite3") as s:
        conn = s._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_recorded_session_loads_with_segments_and_enrichment(store: HistoryStore) -> None:
    """Segments and their later enrichment load back in order with words and language."""
    rec = store.begin_session(SessionMeta(source=SessionSource.DICTATION, backend="local",
                                          model_id="scribe_v2_realtime"))
    rec.add_segment(Segment(0, "Open the door."))
    rec.add_segment(Segment(1, "  "))  # an empty commit adds nothing (rule C5)
    rec.add_segment(Segment(1, "Turn on the lights."))
    words = (Word("Open", 0.1, 0.4), Word(" ", 0.4, 0.5, WordType.SPACING),
             Word("the", 0.5, 0.6), Word(" ", 0.6, 0.6, WordType.SPACING),
             Word("door.", 0.6, 1.0))
    assert rec.enrich(Segment(0, "Open the door.", words, "en"))
    rec.finish(SessionStatus.COMPLETED)
    session = store.load(rec.id)
    assert session.status is SessionStatus.COMPLETED
    assert [s.text for s in session.segments] == ["Open the door.", "Turn on the lights."]
    assert session.segments[0].words == words
    assert session.segments[0].language_code == "en"
    assert (session.segments[0].start_s, session.segments[0].end_s) == (0.1, 1.0)
    assert session.meta.model_id == "scribe_v2_realtime"
    assert "Open the door." in render(session, ExportFormat.SRT).text


def test_sessions_list_newest_first_with_preview_and_duration(tmp_path: Path) -> None:
    """The list is newest first, with the first words and the duration."""
    clock = FakeClock()
    with HistoryStore.open(tmp_path / "db.sqlite3", clock=clock) as s:
        ids = []
        for n in range(3):
            rec = s.begin_session(SessionMeta())
            rec.add_segment(Segment(0, f"session number {n} " + "word " * 50))
            clock.t += 42.5
            rec.finish()
            ids.append(rec.id)
            clock.t += 100
        listed = s.list_sessions()
        assert [x.id for x in listed] == ids[::-1]
        assert listed[0].preview.startswith("session number 2")
        assert len(listed[0].preview) <= 120
        assert listed[0].duration_s == pytest.approx(42.5)
        assert listed[0].status is SessionStatus.COMPLETED
        assert [x.id for x in s.list_sessions(limit=1, offset=1)] == [ids[1]]


def test_search_finds_a_spoken_word(store: HistoryStore) -> None:
    """Search finds the session where a word was said, by prefix, case and accent blind."""
    a = store.begin_session(SessionMeta())
    a.add_segment(Segment(0, "Please open the kitchen window."))
    a.finish()
    b = store.begin_session(SessionMeta())
    b.add_segment(Segment(0, "The café is closed today."))
    b.add_segment(Segment(1, "Tomorrow the kitchen is open."))
    b.finish()
    assert [x.id for x in store.search("kitchen")] == [b.id, a.id]
    assert [x.id for x in store.search("KITCH")] == [b.id, a.id]
    assert [x.id for x in store.search("window")] == [a.id]
    assert [x.id for x in store.search("kitchen window")] == [a.id]
    assert store.search("giraffe") == []
    assert "kitchen" in (store.search("kitchen")[0].snippet or "").lower()
    assert [x.id for x in store.search('50% "off" _')] == []  # no SQL/FTS syntax leaks
    if store.fts:  # unicode61 remove_diacritics: "cafe" finds "café"
        assert [x.id for x in store.search("cafe")] == [b.id]


def test_delete_removes_session_segments_and_audio(store: HistoryStore) -> None:
    """Deleting a session removes it, its segments from search, and its audio file."""
    rec = store.begin_session(SessionMeta(), keep_audio=True, audio_format="pcm_16000")
    rec.add_audio(b"\x01\x02" * 1000)
    rec.add_segment(Segment(0, "Delete me please."))
    rec.finish()
    audio = store.audio_path(rec.id)
    assert audio is not None and audio.stat().st_size == 2000
    assert store.disk_usage().audio_bytes == 2000
    assert store.delete(rec.id)
    assert not audio.exists()
    assert store.search("delete") == []
    assert store.list_sessions() == []
    with pytest.raises(KeyError):
        store.load(rec.id)
    assert not store.delete(rec.id)


def test_the_disk_figure_falls_after_a_delete(store: HistoryStore) -> None:
    """Deleting a long session makes the history smaller on disk, not larger (its log is
    emptied and the freed pages returned)."""
    words = " ".join(f"word{n}" for n in range(40))
    keep = store.begin_session(SessionMeta())
    keep.add_segment(Segment(0, "A short one that stays."))
    keep.finish()
    big = store.begin_session(SessionMeta())
    for n in range(400):
        big.add_segment(Segment(n, f"{words} {n}."))
    big.finish()
    store.compact()
    before = store.disk_usage().total_bytes
    assert store.delete(big.id)
    after = store.disk_usage().total_bytes
    assert before - after > 64 * 1024, (before, after)  # the big session was ~90 KB of text
    assert [s.id for s in store.list_sessions()] == [keep.id]
    assert not Path(f"{store.path}-wal").exists() or Path(f"{store.path}-wal").stat().st_size == 0


def test_audio_is_off_by_default(store: HistoryStore) -> None:
    """Without keep_audio, add_audio writes nothing."""
    rec = store.begin_session(SessionMeta())
    rec.add_audio(b"\x00" * 100)
    rec.finish()
    assert store.audio_path(rec.id) is None
    assert store.disk_usage().audio_bytes == 0
    assert store.disk_usage().database_bytes > 0


def test_context_manager_records_failure_and_cancellation(store: HistoryStore) -> None:
    """A recorder used as a context manager ends FAILED on an error, CANCELLED on Ctrl+C."""
    with pytest.raises(RuntimeError), store.begin_session(SessionMeta()) as rec:
        raise RuntimeError("boom")
    assert store.load(rec.id).status is SessionStatus.FAILED
    with pytest.raises(KeyboardInterrupt), store.begin_session(SessionMeta()) as rec2:
        raise KeyboardInterrupt
    assert store.load(rec2.id).status is SessionStatus.CANCELLED
    with store.begin_session(SessionMeta()) as rec3:
        pass
    assert store.load(rec3.id).status is SessionStatus.COMPLETED
    with pytest.raises(RuntimeError, match="finished"):
        rec3.add_segment(Segment(0, "late"))


def test_own_running_session_is_not_recovered(store: HistoryStore) -> None:
    """A session this live process is recording is not marked interrupted."""
    rec = store.begin_session(SessionMeta(started_at=datetime(2025, 1, 1, tzinfo=UTC)))
    rec.add_segment(Segment(0, "still going"))
    assert store.recover_interrupted() == []
    assert store.load(rec.id).status is SessionStatus.RECORDING


def test_orphan_of_a_dead_process_is_recovered(tmp_path: Path) -> None:
    """A RECORDING session whose owner process is gone becomes INTERRUPTED, text intact."""
    clock = FakeClock()
    path = tmp_path / "db.sqlite3"
    with HistoryStore.open(path, clock=clock) as s:
        rec = s.begin_session(SessionMeta())
        clock.t += 12.0
        rec.add_segment(Segment(0, "orphaned text"))
    conn = sqlite3.connect(path)
    conn.execute("UPDATE sessions SET owner_pid = 2147483646, owner_token = 'x'")
    conn.commit()
    conn.close()
    with HistoryStore.open(path) as s:
        assert s.recover_interrupted() == [rec.id]
        loaded = s.load(rec.id)
        assert loaded.status is SessionStatus.INTERRUPTED
        assert loaded.text == "orphaned text"
        assert loaded.duration_s == pytest.approx(12.0)
        assert loaded.ended_at is not None
        assert s.recover_interrupted() == []


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    """A database written by a newer app version is not silently modified."""
    path = tmp_path / "db.sqlite3"
    HistoryStore.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        HistoryStore.open(path)
