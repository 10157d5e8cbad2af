"""SIGKILL of a recording process loses no committed segment; reopening recovers it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scribe_desktop.export import SessionStatus
from scribe_desktop.history import HistoryStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_session_keeps_every_committed_segment(tmp_path: Path) -> None:
    """Every acknowledged segment (and enrichment) survives SIGKILL and the session is
    marked interrupted on the next open."""
    db = tmp_path / "history.sqlite3"
    proc = subprocess.Popen([sys.executable, "-m", "tests.history.recording_child", str(db)],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, bufsize=1)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        begun = proc.stdout.readline().split()
        assert begun[0] == "begun", begun
        session_id = int(begun[1])
        texts = [f"committed segment number {n} with kitchen" for n in range(25)]
        for n, text in enumerate(texts):
            proc.stdin.write(text + "\n")
            proc.stdin.flush()
            assert proc.stdout.readline().strip() == f"ok {n}"
        proc.stdin.write("enrich 3\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "enriched 3"
        # One more in flight when the process dies: it may or may not be kept, nothing else.
        proc.stdin.write("in flight\n")
        proc.stdin.flush()
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        proc.stdin.close()
        proc.stdout.close()

    with HistoryStore.open(db) as store:
        assert store.load(session_id).status is SessionStatus.RECORDING
        assert store.recover_interrupted() == [session_id]
        session = store.load(session_id)
        assert session.status is SessionStatus.INTERRUPTED
        kept = [s.text for s in session.segments]
        assert kept[:25] == texts
        assert kept[25:] in ([], ["in flight"])
        assert session.segments[3].words and session.segments[3].words[0].start_s == 3.0
        assert session.segments[3].language_code == "en"
        assert [s.id for s in store.search("kitchen")] == [session_id]
        summary = store.list_sessions()[0]
        assert summary.status is SessionStatus.INTERRUPTED
        assert summary.segment_count == len(kept)
        audio = store.audio_path(session_id)
        assert audio is not None and audio.stat().st_size >= 25 * 1600
