"""Full-text search of the history: sessions with a matching segment, newest first, a page at
a time, at a cost bounded by the page rather than by the size of the history.

A query over every matching segment costs time in proportion to the history (a common word
matches thousands of segments in 10,000 sessions: ~100 ms with snippets). Instead the search
looks at a window of the newest sessions first: the segments of the newest W sessions all
have ids at or above the smallest of them (`lo`), so the full-text index is asked only for
matches at or above `lo` (FTS5 seeks there), and only sessions inside the window are kept.
The window's hits are exactly the newest hits overall. If the window holds fewer hits than
the page needs, it grows fourfold and the search runs again; a window as large as the
history is the plain query, which is also what a rare word gets at once (fewer matching
segments than the window has sessions: reading them all is cheap). Snippets (which
re-tokenize the text) are made only for the page's segments, from one range query: FTS5
looks up single rowids slowly with MATCH.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

MIN_WINDOW = 256  # sessions looked at first
WINDOW_PER_RESULT = 4  # the first window holds this many sessions per result wanted
SNIPPET = "snippet(segments_fts, 0, '[', ']', '…', 10)"


@dataclass(frozen=True, slots=True)
class Hit:
    row: sqlite3.Row  # the session's row
    snippet: str  # its first matching segment, hits in [brackets] (FTS) or whole (LIKE)


@dataclass(frozen=True, slots=True)
class _Match:
    """The WHERE clause that selects matching segments (alias g), and its arguments."""

    fts_query: str | None
    like_clause: str
    like_args: tuple[str, ...]


def _match(terms: list[str], fts: bool) -> _Match:
    if fts:
        # every term as a quoted prefix: no FTS syntax from the user's text
        return _Match(" ".join('"' + t.replace('"', '""') + '"*' for t in terms), "", ())
    clause = " AND ".join(["g.text LIKE ? ESCAPE '\\'"] * len(terms))
    return _Match(None, clause, tuple("%" + re.sub(r"([\\%_])", r"\\\1", t) + "%"
                                      for t in terms))


def search(conn: sqlite3.Connection, text: str, *, fts: bool, limit: int,
           offset: int = 0) -> list[Hit]:
    """Sessions with a segment containing every word of `text` (prefix match), newest first,
    `limit` of them after skipping `offset`. The caller holds the store's lock."""
    terms = re.findall(r"\w+", text)
    if not terms or limit <= 0:
        return []
    match = _match(terms, fts)
    want = offset + limit
    total = int(conn.execute("SELECT count(*) FROM sessions").fetchone()[0])
    window = max(MIN_WINDOW, WINDOW_PER_RESULT * want)
    if _fewer_matches(conn, match, window):
        window = total  # a rare word: asking for all of its matches costs less
    while True:
        edge = None if window >= total else tuple(conn.execute(
            "SELECT started_unix, id FROM sessions ORDER BY started_unix DESC, id DESC "
            "LIMIT 1 OFFSET ?", (window - 1,)).fetchone())
        rows = _newest_hits(conn, match, edge, want)
        if len(rows) >= want or edge is None:
            return _with_snippets(conn, match, rows[offset:])
        window *= 4


def _fewer_matches(conn: sqlite3.Connection, match: _Match, n: int) -> bool:
    """Whether fewer than `n` segments match (FTS5 only: it reads at most `n` rowids)."""
    if match.fts_query is None:
        return False
    found = conn.execute("SELECT count(*) FROM (SELECT rowid FROM segments_fts WHERE "
                         "segments_fts MATCH ? LIMIT ?)", (match.fts_query, n)).fetchone()[0]
    return int(found) < n


def _newest_hits(conn: sqlite3.Connection, match: _Match, edge: tuple[float, int] | None,
                 want: int) -> list[sqlite3.Row]:
    """The `want` newest sessions with a match, among those at or above `edge` (the window's
    oldest (started_unix, id); None: all), each with its first matching segment (`seg`,
    and `hit`, its text)."""
    lo = 0
    inside = ""
    edge_args: tuple[object, ...] = ()
    if edge is not None:
        inside, edge_args = "WHERE (s.started_unix, s.id) >= (?, ?)", edge
        lo = conn.execute(
            "SELECT min(g.id) FROM segments g WHERE g.session_id IN "
            "(SELECT id FROM sessions WHERE (started_unix, id) >= (?, ?))", edge).fetchone()[0]
        lo = lo or 0
    if match.fts_query is not None:
        matching = "g.id IN (SELECT rowid FROM segments_fts WHERE segments_fts MATCH ? " \
                   "AND rowid >= ?)"
        args: tuple[object, ...] = (match.fts_query, lo)
    else:
        matching, args = f"{match.like_clause} AND g.id >= ?", (*match.like_args, lo)
    # min(g.seq) with bare columns: g.id and g.text come from the row with the least seq
    return conn.execute(
        "SELECT s.*, m.seg AS seg, m.text AS hit FROM ("
        f"SELECT g.session_id AS sid, g.id AS seg, g.text AS text, min(g.seq) FROM segments g "
        f"WHERE {matching} GROUP BY g.session_id) m "
        f"JOIN sessions s ON s.id = m.sid {inside} "
        "ORDER BY s.started_unix DESC, s.id DESC LIMIT ?", (*args, *edge_args, want)).fetchall()


def _with_snippets(conn: sqlite3.Connection, match: _Match,
                   rows: list[sqlite3.Row]) -> list[Hit]:
    if match.fts_query is None or not rows:
        return [Hit(r, r["hit"]) for r in rows]
    segs = [r["seg"] for r in rows]
    snippets = dict(conn.execute(
        f"SELECT rowid, {SNIPPET} FROM segments_fts WHERE segments_fts MATCH ? "
        "AND rowid BETWEEN ? AND ?", (match.fts_query, min(segs), max(segs))).fetchall())
    return [Hit(r, snippets.get(r["seg"], r["hit"])) for r in rows]
