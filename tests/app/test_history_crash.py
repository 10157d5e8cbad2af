"""Killing the real app with SIGKILL mid-dictation loses no committed segment, and the next
launch marks that session interrupted. The `scribe-desktop` process on Xvfb with
the virtual microphone (real_app.py), its history read back from its own data directory."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from scribe_desktop.export import SessionSource, SessionStatus
from scribe_desktop.history import HistoryStore
from tests.inject.x11_rig import X11Desktop, wait_until
from tests.rig.pulse import PulseRig
from tests.speech import SENTENCES, synth, words

from .real_app import RealApp

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


@pytest.fixture
def launches() -> Iterator[list[RealApp]]:
    """The launches of a test, killed at the end if the test failed before quitting them."""
    apps: list[RealApp] = []
    try:
        yield apps
    finally:
        for app in apps:
            if app.proc is not None and app.proc.poll() is None:
                app.kill()


def stored_texts(path: Path) -> list[tuple[str, str]]:
    """(status, text of all segments) per session, read as another process would."""
    if not path.exists():
        return []
    try:
        with HistoryStore.open(path) as store:
            return [(str(s.status), store.load(s.id).text) for s in store.list_sessions()]
    except sqlite3.OperationalError:  # the app is creating the schema right now
        return []


def test_a_killed_dictation_keeps_its_committed_segments_and_is_marked_interrupted(
        desktop: X11Desktop, pulse_rig: PulseRig, tmp_path: Path,
        launches: list[RealApp]) -> None:
    """SIGKILL while listening keeps the committed sentence; the next start recovers it."""
    sentence = SENTENCES[0]
    # the tail silence outlasts the VAD's 1.5 s: the sentence is committed while listening
    wav = synth(sentence, lead_silence_s=0.3, tail_silence_s=2.5)
    root = tmp_path / "app"
    app = RealApp(desktop, pulse_rig, root)
    launches.append(app)
    app.launch()
    app.wait_log(r"backend Local: ready", 60)
    mark = app.log_mark()
    app.key("ctrl+space")
    app.wait_log(r"--> listening", 20, mark)
    pulse_rig.play(wav)

    def committed() -> bool:
        return any(len(set(words(text)) & set(words(sentence))) >= 4
                   for _, text in stored_texts(app.history_path))
    wait_until(committed, 30, "the committed sentence in the app's history", poll_s=0.2)
    assert "--> committing" not in app.log_text()[mark:], "still dictating when killed"
    app.kill()  # SIGKILL to the app and its server child, mid-dictation
    [(status, text)] = stored_texts(app.history_path)
    assert status == SessionStatus.RECORDING  # nobody could mark it ended
    assert len(set(words(text)) & set(words(sentence))) >= 4, text

    again = RealApp(desktop, pulse_rig, root)  # same data directory, a new instance
    launches.append(again)
    again.launch()
    again.wait_log(r"history: .*\(1 interrupted sessions recovered\)", 30)
    with HistoryStore.open(again.history_path) as store:
        [summary] = store.list_sessions()
        session = store.load(summary.id)
    assert session.status == SessionStatus.INTERRUPTED
    assert session.meta.source == SessionSource.DICTATION
    assert session.text == text  # every committed segment survived
    assert session.duration_s is not None and session.duration_s > 0
    assert again.quit() == 0
    assert "Traceback" not in again.log_text(), again.tail()
