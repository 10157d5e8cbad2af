"""The history database's schema and connection settings (SQLite, WAL).

Durability: `journal_mode=WAL` + `synchronous=FULL`. In WAL mode NORMAL already survives a
killed process (the WAL is in the OS cache), but a power cut or OS crash can lose the last
transactions; FULL fsyncs the WAL on every commit, so a segment is on disk when
`add_segment` returns ("each committed segment is durable"). Commits are one per
utterance, so the fsync (about a millisecond on an SSD; see bench/export_bench.py) is cheap.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 2  # 2: segments.shaped

_TABLES = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,           -- ISO 8601 with offset
    started_unix REAL NOT NULL,
    updated_unix REAL NOT NULL,         -- last write: the end of an interrupted session
    ended_at TEXT,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    backend TEXT,
    model_id TEXT,
    language_code TEXT,
    file TEXT,
    duration_s REAL,
    preview TEXT NOT NULL DEFAULT '',   -- the first words, for the history list
    segment_count INTEGER NOT NULL DEFAULT 0,
    owner_pid INTEGER,                  -- the recording process, to tell orphans apart
    owner_token TEXT,                   -- its start time (Linux), against PID reuse
    audio_file TEXT,                    -- name in the audio folder; NULL: no audio kept
    audio_format TEXT
);
CREATE INDEX IF NOT EXISTS sessions_started ON sessions(started_unix DESC, id DESC);
CREATE INDEX IF NOT EXISTS sessions_status ON sessions(status);
CREATE TABLE IF NOT EXISTS segments (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    source_index INTEGER,               -- transcript.Segment.index, to find it on enrich
    text TEXT NOT NULL,                 -- as recognised
    shaped TEXT,                        -- made ready to use (shaping/); NULL: never shaped
    start_s REAL,
    end_s REAL,
    language_code TEXT,
    words TEXT,                         -- JSON list (json_export.word_to_json), or NULL
    committed_unix REAL NOT NULL,
    UNIQUE (session_id, seq)
);
"""

_FTS = """
CREATE VIRTUAL TABLE IF NOT EXISTS segments_fts USING fts5(
    text, content='segments', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER IF NOT EXISTS segments_ai AFTER INSERT ON segments BEGIN
    INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS segments_ad AFTER DELETE ON segments BEGIN
    INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER IF NOT EXISTS segments_au AFTER UPDATE OF text ON segments BEGIN
    INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
END;
"""


def fts5_available(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x)")
        conn.execute("DROP TABLE temp.fts5_probe")
    except sqlite3.OperationalError:
        return False
    return True


def _add_column(conn: sqlite3.Connection, table: str, column: str) -> None:
    """A migration step that is safe when another process just made it (its own
    autocommit transaction; a column already there is the same result)."""
    try:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
    except sqlite3.OperationalError as exc:
        if "duplicate column" not in str(exc):
            conn.close()
            raise


def connect(path: str, *, use_fts: bool | None = None) -> tuple[sqlite3.Connection, bool]:
    """Open (creating if needed) the database; returns it and whether FTS5 search is on.

    `use_fts=False` forces the LIKE fallback (for tests of it); None uses FTS5 if the
    SQLite library has it. A database created without FTS5 keeps using LIKE.
    """
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per write.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        conn.close()
        raise RuntimeError(f"the history database {path} is from a newer scribe-desktop "
                           f"(schema {version}, this app knows {SCHEMA_VERSION})")
    if 0 < version < 2:
        _add_column(conn, "segments", "shaped TEXT")
    has_fts_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'segments_fts'").fetchone() is not None
    # The FTS table is made with a new database only; a database made without it keeps LIKE.
    create_fts = version == 0 and use_fts is not False and fts5_available(conn)
    try:
        conn.executescript("BEGIN IMMEDIATE;" + _TABLES + (_FTS if create_fts else "")
                           + f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()
        raise
    return conn, (has_fts_table or create_fts) and use_fts is not False
