"""`HistoryStore`: the crash-safe session history (SQLite, WAL) in the user data directory.

    store = HistoryStore.open(default_history_path())   # or a path; creates it if needed
    store.recover_interrupted()                          # at app start: orphans -> interrupted
    rec = store.begin_session(SessionMeta(source=SessionSource.DICTATION, backend="local"))
    rec.add_segment(segment)      # on worker.segment_committed; durable on return
    rec.enrich(segment)           # on worker.segment_enriched
    rec.finish(SessionStatus.COMPLETED)

Thread-safe: one connection guarded by a lock. Several processes (the app, `transcribe`,
`listen`) may share one file: WAL lets readers run beside the writer, and a session still
being recorded by a live process is never taken for an interrupted one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..export.json_export import word_from_json
from ..export.model import (
    ExportSegment,
    ExportSession,
    SessionMeta,
    SessionSource,
    SessionStatus,
)
from ..paths.private import create_private_file, private_dir, tighten
from .recorder import SessionRecorder
from .schema import connect

APP_NAME = "scribe-desktop"
log = logging.getLogger(__name__)


def default_history_path() -> Path:
    """`<user data dir>/history.sqlite3` (e.g. ~/.local/share/scribe-desktop on Linux)."""
    from platformdirs import user_data_path

    folder = user_data_path(APP_NAME, appauthor=False)
    if folder.is_dir():
        tighten(folder)  # the app's own folder: an older version may have left it open
    return folder / "history.sqlite3"


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One row of the history list."""

    id: int
    started_at: datetime
    duration_s: float | None
    status: SessionStatus | str
    source: SessionSource | str
    backend: str | None
    preview: str  # the first words
    segment_count: int
    has_audio: bool = False
    snippet: str | None = None  # for search results: the matching text, hits in [brackets]


@dataclass(frozen=True, slots=True)
class DiskUsage:
    database_bytes: int
    audio_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.database_bytes + self.audio_bytes


def _process_token(pid: int) -> str | None:
    """The process's start time (Linux /proc), so a reused PID is not taken for the owner."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]  # field 22, starttime


def _alive(pid: int, token: str | None) -> bool:
    if pid == os.getpid():
        return True  # never take this process's own running sessions for orphans
    if sys.platform == "win32":
        return False  # os.kill(pid, 0) would terminate it on Windows; recover conservatively
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    current = _process_token(pid)
    return token is None or current is None or current == token


def _enum(cls: type[SessionSource] | type[SessionStatus], value: str) -> SessionSource | str:
    try:
        return cls(value)
    except ValueError:
        return value


class HistoryStore:
    """The session history; open with `HistoryStore.open(path)`, close with `close()`."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, fts: bool,
                 clock: Callable[[], float] = time.time) -> None:
        self._conn = conn
        self.path = path
        self.fts = fts  # True: SQLite FTS5 full-text search; False: LIKE
        self._clock = clock
        self._lock = threading.RLock()

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, use_fts: bool | None = None,
             clock: Callable[[], float] = time.time) -> HistoryStore:
        """Open or create the store at `path` (its folder is created 0700 if missing). The
        database is 0600, so SQLite gives its WAL and SHM files the same mode; an existing
        one is tightened if an older version left it readable by others."""
        p = Path(path)
        private_dir(p.parent)
        create_private_file(p)
        for own in (p.with_name(p.name + "-wal"), p.with_name(p.name + "-shm"),
                    p.parent / "audio"):
            tighten(own)
        conn, fts = connect(str(p), use_fts=use_fts)
        return cls(conn, p, fts=fts, clock=clock)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def audio_dir(self) -> Path:
        return self.path.parent / "audio"

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (committed, hence durable, on leaving the block)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # --- recording ----------------------------------------------------------------------

    def begin_session(self, meta: SessionMeta, *, keep_audio: bool = False,
                      audio_format: str | None = None) -> SessionRecorder:
        """Start recording a session (status RECORDING until `finish`). With `keep_audio`,
        `add_audio` appends raw audio of `audio_format` (e.g. "pcm_16000") to a file."""
        now = self._clock()
        started = meta.started_at or datetime.fromtimestamp(now, UTC)
        pid = os.getpid()
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO sessions (started_at, started_unix, updated_unix, status, source, "
                "backend, model_id, language_code, file, owner_pid, owner_token, audio_format) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (started.isoformat(), started.timestamp(), now, SessionStatus.RECORDING.value,
                 str(getattr(meta.source, "value", meta.source)), meta.backend, meta.model_id,
                 meta.language_code, meta.file, pid, _process_token(pid),
                 audio_format if keep_audio else None))
            session_id = int(cur.lastrowid or 0)
            audio_path = None
            if keep_audio:
                private_dir(self.audio_dir, own=True)
                audio_path = self.audio_dir / f"{session_id}.pcm"
                conn.execute("UPDATE sessions SET audio_file = ? WHERE id = ?",
                             (audio_path.name, session_id))
        return SessionRecorder(self, session_id, audio_path, self._clock)

    def finish_session(self, session_id: int, status: SessionStatus,
                       duration_s: float | None, now: float) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE sessions SET status = ?, ended_at = ?, updated_unix = ?, "
                "duration_s = coalesce(?, ? - started_unix) WHERE id = ?",
                (status.value, datetime.fromtimestamp(now, UTC).isoformat(), now, duration_s,
                 now, session_id))

    def recover_interrupted(self) -> list[int]:
        """Mark sessions whose recording process died as INTERRUPTED (their segments are all
        kept); returns their ids. Sessions recorded by a live process are left alone."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, owner_pid, owner_token FROM sessions WHERE status = ?",
                (SessionStatus.RECORDING.value,)).fetchall()
        orphans = [r["id"] for r in rows
                   if not (r["owner_pid"] and _alive(r["owner_pid"], r["owner_token"]))]
        if orphans:
            with self.transaction() as conn:
                for sid in orphans:
                    # The last write is when the session was last known to be running.
                    conn.execute(
                        "UPDATE sessions SET status = ?, duration_s = updated_unix - "
                        "started_unix, ended_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', "
                        "updated_unix, 'unixepoch') WHERE id = ? AND status = ?",
                        (SessionStatus.INTERRUPTED.value, sid, SessionStatus.RECORDING.value))
        return orphans

    # --- reading ------------------------------------------------------------------------

    def _summary(self, row: sqlite3.Row, snippet: str | None = None) -> SessionSummary:
        duration = row["duration_s"]
        if duration is None:  # still recording: so far
            duration = row["updated_unix"] - row["started_unix"]
        return SessionSummary(
            id=row["id"], started_at=datetime.fromisoformat(row["started_at"]),
            duration_s=duration, status=_enum(SessionStatus, row["status"]),
            source=_enum(SessionSource, row["source"]), backend=row["backend"],
            preview=row["preview"], segment_count=row["segment_count"],
            has_audio=row["audio_file"] is not None, snippet=snippet)

    def list_sessions(self, *, limit: int = -1, offset: int = 0) -> list[SessionSummary]:
        """Sessions, newest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM sessions ORDER BY started_unix DESC, id DESC LIMIT ? OFFSET ?",
                (limit, offset)).fetchall()
        return [self._summary(r) for r in rows]

    def search(self, text: str, *, limit: int = 500) -> list[SessionSummary]:
        """Sessions with a segment containing every word of `text` (prefix match), newest
        first, each with a snippet of its first matching segment."""
        terms = re.findall(r"\w+", text)
        if not terms:
            return self.list_sessions(limit=limit)
        with self._lock:
            if self.fts:
                query = " ".join('"' + t.replace('"', '""') + '"*' for t in terms)
                rows = self._conn.execute(
                    "SELECT s.*, snippet(segments_fts, 0, '[', ']', '…', 10) AS hit "
                    "FROM segments_fts JOIN segments g ON g.id = segments_fts.rowid "
                    "JOIN sessions s ON s.id = g.session_id WHERE segments_fts MATCH ? "
                    "ORDER BY s.started_unix DESC, s.id DESC, g.seq", (query,)).fetchall()
            else:
                clause = " AND ".join(["g.text LIKE ? ESCAPE '\\'"] * len(terms))
                args = ["%" + re.sub(r"([\\%_])", r"\\\1", t) + "%" for t in terms]
                rows = self._conn.execute(
                    f"SELECT s.*, g.text AS hit FROM segments g JOIN sessions s "
                    f"ON s.id = g.session_id WHERE {clause} "
                    f"ORDER BY s.started_unix DESC, s.id DESC, g.seq", args).fetchall()
        seen: set[int] = set()
        out: list[SessionSummary] = []
        for r in rows:
            if r["id"] in seen:
                continue
            seen.add(r["id"])
            out.append(self._summary(r, snippet=r["hit"]))
            if len(out) >= limit:
                break
        return out

    def load(self, session_id: int) -> ExportSession:
        """The whole session, ready to export; KeyError if there is none with that id."""
        with self._lock:
            row = self._conn.execute("SELECT * FROM sessions WHERE id = ?",
                                     (session_id,)).fetchone()
            if row is None:
                raise KeyError(session_id)
            segs = self._conn.execute(
                "SELECT * FROM segments WHERE session_id = ? ORDER BY seq",
                (session_id,)).fetchall()
        segments = tuple(
            ExportSegment(text=s["text"], shaped=s["shaped"],
                          words=tuple(word_from_json(w) for w in json.loads(s["words"]))
                          if s["words"] else (),
                          language_code=s["language_code"], start_s=s["start_s"],
                          end_s=s["end_s"])
            for s in segs)
        summary = self._summary(row)
        meta = SessionMeta(source=summary.source, backend=row["backend"],
                           model_id=row["model_id"], language_code=row["language_code"],
                           file=row["file"], started_at=summary.started_at)
        ended = datetime.fromisoformat(row["ended_at"]) if row["ended_at"] else None
        return ExportSession(segments=segments, meta=meta, id=session_id,
                             status=summary.status, ended_at=ended,
                             duration_s=summary.duration_s)

    def audio_path(self, session_id: int) -> Path | None:
        """The session's raw audio file, if it was kept (format: `audio_format`)."""
        with self._lock:
            row = self._conn.execute("SELECT audio_file FROM sessions WHERE id = ?",
                                     (session_id,)).fetchone()
        if row is None or row["audio_file"] is None:
            return None
        return self.audio_dir / str(row["audio_file"])

    def audio_format(self, session_id: int) -> str | None:
        """The format of the session's kept audio ("pcm_16000"), None if none was kept."""
        with self._lock:
            row = self._conn.execute("SELECT audio_file, audio_format FROM sessions "
                                     "WHERE id = ?", (session_id,)).fetchone()
        if row is None or row["audio_file"] is None:
            return None
        return str(row["audio_format"]) if row["audio_format"] else None

    def mark_retry(self, file: str, original_id: int) -> int | None:
        """Relabel the newest FILE session of `file` as a RETRY of `original_id`: its `file`
        becomes the original's audio path (the link). Returns its id, None if not found."""
        link = str(self.audio_path(original_id) or self.audio_dir / f"{original_id}.pcm")
        with self.transaction() as conn:
            row = conn.execute("SELECT id FROM sessions WHERE file = ? AND source = ? "
                               "ORDER BY id DESC LIMIT 1",
                               (file, SessionSource.FILE.value)).fetchone()
            if row is None:
                return None
            conn.execute("UPDATE sessions SET source = ?, file = ? WHERE id = ?",
                         (SessionSource.RETRY.value, link, row["id"]))
        return int(row["id"])

    def retry_origin(self, session_id: int) -> int | None:
        """For a RETRY session, the id of the session whose audio it transcribed."""
        with self._lock:
            row = self._conn.execute("SELECT source, file FROM sessions WHERE id = ?",
                                     (session_id,)).fetchone()
        if row is None or row["source"] != SessionSource.RETRY.value or not row["file"]:
            return None
        name = Path(str(row["file"])).stem  # "<audio dir>/<id>.pcm" (`mark_retry`)
        return int(name) if name.isdigit() else None

    def delete(self, session_id: int, *, compact: bool = True) -> bool:
        """Delete a session, its segments and its audio; False if it did not exist. With
        `compact`, the file then gives the freed pages back (`compact()`), so the disk figure
        the user sees falls instead of rising by the write-ahead log of the delete."""
        audio = self.audio_path(session_id)
        with self.transaction() as conn:
            cur = conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        if audio is not None:
            audio.unlink(missing_ok=True)
        if compact and cur.rowcount == 1:
            self.compact()
        return cur.rowcount == 1

    def compact(self) -> bool:
        """Copy the log into the database, rebuild it without free pages (VACUUM) and empty
        the log. False when another process holds it open in a way that prevents this (the
        space is then reused by later sessions instead)."""
        with self._lock:
            try:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._conn.execute("VACUUM")
                busy = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            except sqlite3.OperationalError as exc:  # "database is locked": a reader elsewhere
                log.info("history not compacted: %s", exc)
                return False
        return not busy

    def disk_usage(self) -> DiskUsage:
        """Bytes used by the database (with its WAL) and by kept audio."""
        db = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal"))
                 if p.exists())
        audio = sum(p.stat().st_size for p in self.audio_dir.glob("*.pcm")) \
            if self.audio_dir.exists() else 0
        return DiskUsage(db, audio)

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM sessions").fetchone()[0])
