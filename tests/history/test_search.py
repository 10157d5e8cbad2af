"""History search in windows of the newest sessions: the same sessions, order and snippets as
a search of everything, page after page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scribe_desktop.core.transcript import Segment
from scribe_desktop.export import SessionMeta
from scribe_desktop.history import HistoryStore, search

WORDS = ["kitchen", "window", "harbour", "weather", "garden", "letter", "river", "market"]


def said(n: int, k: int) -> str:
    """Text of segment k of session n: the rarer a word, the fewer sessions say it."""
    chosen = [w for i, w in enumerate(WORDS) if (n * 7 + k * 3) % (i + 2) == 0]
    return " ".join(chosen or ["silence"]) + f" number {n}."


@pytest.fixture(scope="module", params=[True, False], ids=["fts5", "like"])
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """160 sessions: some started out of order, two recorded at once, three segments each."""
    path: Path = tmp_path_factory.mktemp("search") / "history.sqlite3"
    store = HistoryStore.open(path, use_fts=request.param)
    store._conn.execute("PRAGMA synchronous=OFF")  # durability is not what is tested here
    n = 0
    while n < 160:
        # every other pair starts "in the past", and every pair records interleaved
        past = n % 4 == 0
        meta = [SessionMeta(started_at=datetime(2020, 1, 1 + (n % 28), tzinfo=UTC)
                            if past and i == 0 else None) for i in range(2)]
        recs = [store.begin_session(m) for m in meta]
        for k in range(3):
            for i, rec in enumerate(recs):
                rec.add_segment(Segment(k, said(n + i, k)))
        for rec in recs:
            rec.finish()
        n += 2
    yield store
    store.close()


def everything(store: HistoryStore, text: str) -> list[tuple[int, str]]:
    """The plain definition: every listed session with a segment that has every term, as a
    word prefix (FTS5) or anywhere (the LIKE fallback)."""
    terms = [t.lower() for t in re.findall(r"\w+", text)]
    out = []
    for summary in store.list_sessions():
        for seg in store.load(summary.id).segments:
            words = re.findall(r"\w+", seg.text.lower())
            if all(any(w.startswith(t) for w in words) if store.fts else t in seg.text.lower()
                   for t in terms):
                out.append((summary.id, seg.text))
                break
    return out


@pytest.mark.parametrize("text", ["kitchen", "harb", "market river", "window garden",
                                  "number 7", "nothing"])
def test_windows_find_what_a_search_of_everything_finds(
        filled: HistoryStore, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """With small windows, pages of results are the plain search's sessions in order."""
    monkeypatch.setattr(search, "MIN_WINDOW", 4)
    monkeypatch.setattr(search, "WINDOW_PER_RESULT", 1)
    expected = everything(filled, text)
    pages = [filled.search(text, limit=7, offset=o) for o in range(0, len(expected) + 7, 7)]
    found = [s for page in pages for s in page]
    assert [s.id for s in found] == [sid for sid, _ in expected]
    for summary, (_sid, segment_text) in zip(found, expected, strict=True):
        assert summary.snippet is not None
        # the snippet is of the first matching segment (FTS marks the hits in brackets)
        assert summary.snippet.replace("[", "").replace("]", "") in segment_text
    assert filled.search(text) == found[:500]
