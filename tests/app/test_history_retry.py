"""Retry from audio: a session's kept audio is transcribed again by the real worker
and the real local server, and recorded as a new session linked to the original."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from scribe_desktop.export import SessionMeta, SessionSource, SessionStatus
from scribe_desktop.history import HistoryStore
from scribe_desktop.qt.worker.retry import RetryError, retry_from_audio
from scribe_desktop.qt.worker.worker import DictationWorker
from scribe_desktop.ui.history_window import HistoryWindow
from tests.app.test_history_worker import store, worker  # noqa: F401  (fixtures)
from tests.speech import SENTENCES, pcm16, synth, wer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def cancelled_session_with_audio(history: HistoryStore, text: str) -> int:
    """A cancelled push-to-talk session with no text and `text` spoken in its kept audio."""
    rec = history.begin_session(SessionMeta(source=SessionSource.PUSH_TO_TALK, backend="local"),
                              keep_audio=True, audio_format="pcm_16000")
    rec.add_audio(pcm16(synth(text, rate_hz=16000)))
    rec.finish(SessionStatus.CANCELLED)
    return rec.id


async def test_a_session_retried_from_its_audio_gives_the_spoken_text(
        worker: DictationWorker, store: HistoryStore) -> None:  # noqa: F811
    """The kept audio of speech, retried, becomes a new RETRY session with the spoken text."""
    original = cancelled_session_with_audio(store, SENTENCES[0])
    assert store.load(original).text == ""
    new_id = await asyncio.wait_for(retry_from_audio(store, worker, original), 60)
    assert new_id is not None and new_id != original
    retried = store.load(new_id)
    assert retried.meta.source == SessionSource.RETRY
    assert retried.status == SessionStatus.COMPLETED
    assert store.retry_origin(new_id) == original
    assert wer(SENTENCES[0], retried.text) <= 0.35, retried.text
    assert store.load(original).text == ""  # the original is left as it was
    assert not list(Path(str(retried.meta.file)).parent.glob("*.wav"))  # no copy left behind


async def test_the_history_window_retries_the_selected_session(
        qtbot: QtBot, worker: DictationWorker, store: HistoryStore) -> None:  # noqa: F811
    """Retry from audio in the History window records and selects the new session."""
    original = cancelled_session_with_audio(store, SENTENCES[0])
    window = HistoryWindow(store, worker=worker)
    qtbot.addWidget(window)
    window.show_history()
    assert window.panel.select_session(original)
    window.panel.buttons["retry"].click()
    assert window.retry_task is not None
    new_id = await asyncio.wait_for(window.retry_task, 60)
    assert new_id is not None and window.panel.selected_id() == new_id
    assert wer(SENTENCES[0], store.load(new_id).text) <= 0.35


async def test_a_session_without_audio_cannot_be_retried(
        worker: DictationWorker, store: HistoryStore) -> None:  # noqa: F811
    """Retrying a session without kept audio raises RetryError and records nothing."""
    rec = store.begin_session(SessionMeta(backend="local"))
    rec.finish(SessionStatus.FAILED)
    with pytest.raises(RetryError):
        await retry_from_audio(store, worker, rec.id)
    assert store.count() == 1
