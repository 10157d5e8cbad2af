"""View → History… in the main window, and the app's history at startup (offscreen, sync)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from scribe_desktop.app.desktop import DesktopApp
from scribe_desktop.core.transcript import Segment
from scribe_desktop.export import SessionMeta, SessionSource, SessionStatus
from scribe_desktop.history import HistoryStore
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.settings_store import SettingsStore
from scribe_desktop.ui.history_panel import format_bytes
from scribe_desktop.ui.history_window import HistoryWindow, SessionViewer
from scribe_desktop.ui.main_window import MainWindow

from .ui_fakes import FakeWorker, as_worker

TEXTS = (["Open the garden door.", "Then water the roses."], ["Call mom tomorrow at noon."])


class RecordingWorker(FakeWorker):
    """The fake worker plus the history's `session_recorded` signal."""

    session_recorded = Signal(int)
    notice = Signal(str)


def add_session(store: HistoryStore, texts: list[str],
                source: SessionSource = SessionSource.DICTATION) -> int:
    rec = store.begin_session(SessionMeta(source=source, backend="local"))
    for n, text in enumerate(texts):
        rec.add_segment(Segment(n, text))
    rec.finish(SessionStatus.COMPLETED)
    return rec.id


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore.open(tmp_path / "history.sqlite3") as s:
        for texts in TEXTS:
            add_session(s, texts)
        yield s


@pytest.fixture
def worker() -> RecordingWorker:
    return RecordingWorker()


@pytest.fixture
def window(qtbot: QtBot, worker: RecordingWorker, store: HistoryStore) -> MainWindow:
    win = MainWindow(as_worker(worker), Settings(), history=store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def open_from_menu(window: MainWindow) -> HistoryWindow:
    action = window.actions_.history
    assert action is not None and action.shortcut().toString() == "Ctrl+H"
    action.trigger()
    history = window.history_window
    assert history is not None and history.isVisible()
    return history


def test_history_opens_from_the_view_menu_and_lists_sessions_newest_first(
        window: MainWindow) -> None:
    """View → History… shows every stored session, the newest first."""
    menus = [a.text() for a in window.menuBar().actions()]
    assert "&View" in menus
    history = open_from_menu(window)
    rows = history.panel.model.sessions
    assert [s.preview for s in rows] == [" ".join(t) for t in reversed(TEXTS)]
    assert "2 sessions" in history.panel.footer.text()


def test_reopening_history_clears_the_last_search(window: MainWindow, tmp_path: Path) -> None:
    """A search left in a closed History window is cleared when it is opened again."""
    from .widget_shots import save_shot

    history = open_from_menu(window)
    history.panel.search("zzzz-no-such-word")
    assert "0 matches" in history.panel.footer.text()
    history.close()
    history = open_from_menu(window)
    assert history.panel.search_box.text() == ""
    assert len(history.panel.model.sessions) == len(TEXTS)
    assert "2 sessions" in history.panel.footer.text()
    save_shot(history, "history-reopened", tmp_path)


def test_deleting_a_session_lowers_the_disk_figure(window: MainWindow,
                                                   store: HistoryStore) -> None:
    """The footer's disk figure is smaller after a delete than before it."""
    long_id = add_session(store, [" ".join(f"w{n}" for n in range(300))] * 40)
    window.history_window = HistoryWindow(store, window, confirm=lambda *_args: True)
    history = open_from_menu(window)
    before = store.disk_usage().total_bytes
    shown_before = history.panel.footer.text()
    assert history.panel.select_session(long_id)
    assert history.panel.delete_selected()
    assert store.disk_usage().total_bytes < before
    assert history.panel.footer.text() != shown_before
    assert format_bytes(store.disk_usage().total_bytes) in history.panel.footer.text()


def test_a_finished_session_appears_without_reopening(window: MainWindow,
                                                      worker: RecordingWorker,
                                                      store: HistoryStore) -> None:
    """The open History window reloads when the worker reports a recorded session."""
    history = open_from_menu(window)
    new_id = add_session(store, ["Book the train to Lyon."], SessionSource.PUSH_TO_TALK)
    worker.session_recorded.emit(new_id)
    assert history.panel.model.sessions[0].id == new_id


def test_opening_a_session_shows_its_text_read_only(qtbot: QtBot, window: MainWindow) -> None:
    """Open shows the selected session's whole text in a read-only view."""
    history = open_from_menu(window)
    history.panel.table.selectRow(1)
    history.panel.open_selected()
    viewer = history.viewer
    assert isinstance(viewer, SessionViewer) and viewer.isVisible()
    assert viewer.text.isReadOnly()
    assert viewer.text.toPlainText() == " ".join(TEXTS[0])


def test_reinsert_without_push_to_talk_copies_to_the_clipboard(window: MainWindow) -> None:
    """Re-insert with no push-to-talk puts the text on the clipboard and says so."""
    QGuiApplication.clipboard().setText("")
    history = open_from_menu(window)
    history.panel.table.selectRow(0)
    history.panel.reinsert_selected()
    assert QGuiApplication.clipboard().text() == " ".join(TEXTS[1])
    assert "clipboard" in window.status.currentMessage().lower()


def test_reinsert_goes_to_the_apps_handler(window: MainWindow) -> None:
    """Re-insert calls the handler the app installs (the push-to-talk inserter's path)."""
    inserted: list[str] = []
    window.reinsert = inserted.append
    history = open_from_menu(window)
    history.panel.table.selectRow(0)
    history.panel.buttons["reinsert"].click()
    assert inserted == [" ".join(TEXTS[1])]


def test_without_a_store_history_says_it_is_unavailable(qtbot: QtBot,
                                                        worker: RecordingWorker) -> None:
    """With no history store, View → History… explains instead of opening."""
    win = MainWindow(as_worker(worker), Settings())
    qtbot.addWidget(win)
    assert win.open_history() is None
    assert "not available" in win.status.currentMessage()


def test_the_app_recovers_interrupted_sessions_and_says_how_many(
        qtbot: QtBot, tmp_path: Path) -> None:
    """At startup, sessions of a dead process become interrupted, with one notice."""
    path = tmp_path / "history.sqlite3"
    with HistoryStore.open(path) as s:
        orphan = s.begin_session(SessionMeta(backend="local"))
        orphan.add_segment(Segment(0, "Committed before the crash."))
        done = add_session(s, ["A finished one."])
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        with s.transaction() as conn:  # as if a process that is gone had recorded it
            conn.execute("UPDATE sessions SET owner_pid = ?, owner_token = NULL WHERE id = ?",
                         (dead.pid, orphan.id))
    qt_app = QApplication.instance()
    assert isinstance(qt_app, QApplication)
    app = DesktopApp(qt_app, settings_store=SettingsStore(tmp_path / "settings.ini"),
                     history_path=path)
    notices = app._open_history()
    assert app.history is not None
    try:
        assert notices == ["Recovered 1 interrupted session into History "
                           "(View → History…)."]
        stored = app.history.load(orphan.id)
        assert stored.status == SessionStatus.INTERRUPTED
        assert stored.text == "Committed before the crash."
        assert app.history.load(done).status == SessionStatus.COMPLETED
        assert app._open_history() == []  # once only
    finally:
        app.history.close()
        app.instance.close()


def test_an_unusable_history_path_is_a_notice_not_a_crash(qtbot: QtBot,
                                                           tmp_path: Path) -> None:
    """A history path that cannot be opened turns history off with one notice."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the folder should be")
    qt_app = QApplication.instance()
    assert isinstance(qt_app, QApplication)
    app = DesktopApp(qt_app, settings_store=SettingsStore(tmp_path / "settings.ini"),
                     history_path=blocker / "history.sqlite3")
    try:
        notices = app._open_history()
        assert app.history is None
        assert len(notices) == 1 and "History is off" in notices[0]
    finally:
        app.instance.close()
