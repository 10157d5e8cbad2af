"""The history panel and the export dialog, driven as a user would (offscreen, sync tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
import srt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from scribe_desktop.core.transcript import Segment
from scribe_desktop.export import (
    ExportFormat,
    ExportSegment,
    ExportSession,
    SessionMeta,
    SessionStatus,
    from_json,
)
from scribe_desktop.history import HistoryStore
from scribe_desktop.ui.export_dialog import ExportDialog
from scribe_desktop.ui.history_panel import PAGE_ROWS, HistoryPanel, format_duration


@pytest.fixture
def store(tmp_path: Path):
    s = HistoryStore.open(tmp_path / "history.sqlite3")
    for texts in (["Open the garden door.", "Then water the roses."],
                  ["Turn on the kitchen lights."],
                  ["Call mom tomorrow at noon."]):
        rec = s.begin_session(SessionMeta(backend="local"))
        for n, text in enumerate(texts):
            rec.add_segment(Segment(n, text))
        rec.finish()
    yield s
    s.close()


class Confirm:
    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, parent, title: str, question: str) -> bool:
        self.asked.append(question)
        return self.answer


def make_panel(qtbot: QtBot, store: HistoryStore, confirm: Confirm | None = None) -> HistoryPanel:
    panel = HistoryPanel(store, confirm=confirm or Confirm(True))
    qtbot.addWidget(panel)
    panel.refresh()
    return panel


def rows(panel: HistoryPanel) -> list[str]:
    m = panel.model
    return [m.data(m.index(r, 2)) for r in range(m.rowCount())]


def test_panel_lists_sessions_newest_first_with_time_duration_and_first_words(
        qtbot: QtBot, store: HistoryStore) -> None:
    """Rows show newest first, each with a time, a duration and its first words."""
    panel = make_panel(qtbot, store)
    assert rows(panel) == ["Call mom tomorrow at noon.", "Turn on the kitchen lights.",
                           "Open the garden door. Then water the roses."]
    m = panel.model
    assert len(m.data(m.index(0, 0))) == len("2025-01-01 10:00")
    assert ":" in m.data(m.index(0, 1))
    assert panel.footer.text().startswith("3 sessions · history uses ")
    assert not panel.buttons["copy"].isEnabled()


def test_search_finds_a_spoken_word(qtbot: QtBot, store: HistoryStore) -> None:
    """Typing a word said in one session shows only that session, with the hit marked."""
    panel = make_panel(qtbot, store)
    panel.search_box.setText("kitchen")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=3000)
    assert "[kitchen]" in rows(panel)[0]
    assert panel.footer.text().startswith("1 match")
    panel.search("")
    assert panel.model.rowCount() == 3


def test_long_history_lists_a_page_and_more_as_the_user_scrolls(
        qtbot: QtBot, tmp_path: Path) -> None:
    """A long history shows its first page at once, the rest as the list is scrolled."""
    total = 2 * PAGE_ROWS + 100
    store = HistoryStore.open(tmp_path / "long.sqlite3")
    store._conn.execute("PRAGMA synchronous=OFF")  # durability is not what is tested here
    for n in range(total):
        rec = store.begin_session(SessionMeta(backend="local"))
        rec.add_segment(Segment(0, f"Note {n} about the {'garden' if n % 2 else 'kitchen'}."))
        rec.finish()

    def scrolled_to(panel: HistoryPanel, count: int) -> None:
        def there() -> bool:
            panel.table.scrollToBottom()  # the view fetches a page when it reaches the end
            return panel.model.rowCount() == count
        qtbot.waitUntil(there, timeout=5000)

    panel = make_panel(qtbot, store)
    panel.resize(600, 400)
    panel.show()
    assert panel.model.rowCount() == PAGE_ROWS
    assert rows(panel)[0] == f"Note {total - 1} about the garden."
    assert panel.footer.text().startswith(f"{total} sessions")
    scrolled_to(panel, total)
    assert rows(panel)[-1] == "Note 0 about the kitchen."
    panel.table.selectRow(total - 10)
    kept = panel.selected_id()
    panel.refresh()  # after a session ends: the scrolled rows and the selection stay
    assert panel.model.rowCount() == total and panel.selected_id() == kept

    searching = make_panel(qtbot, store)
    searching.resize(600, 400)
    searching.show()
    searching.search("garden note")
    assert searching.model.rowCount() == PAGE_ROWS
    assert searching.footer.text().startswith(f"{PAGE_ROWS}+ matches")
    scrolled_to(searching, total // 2)
    assert all("[garden]" in row for row in rows(searching))
    store.close()


def test_open_copy_and_reinsert_the_selected_session(qtbot: QtBot,
                                                     store: HistoryStore) -> None:
    """Selecting shows the text; Open, Copy and Re-insert hand it on."""
    panel = make_panel(qtbot, store)
    panel.table.selectRow(2)
    assert panel.detail.toPlainText() == "Open the garden door. Then water the roses."
    with qtbot.waitSignal(panel.session_opened, timeout=1000) as opened:
        panel.buttons["open"].click()
    assert isinstance(opened.args[0], ExportSession)
    assert len(opened.args[0].segments) == 2
    panel.buttons["copy"].click()
    assert QGuiApplication.clipboard().text() == "Open the garden door. Then water the roses."
    with qtbot.waitSignal(panel.reinsert_requested, timeout=1000) as reinserted:
        panel.buttons["reinsert"].click()
    assert reinserted.args == ["Open the garden door. Then water the roses."]


def test_delete_asks_first_and_keeps_the_session_on_cancel(qtbot: QtBot,
                                                          store: HistoryStore) -> None:
    """Delete asks for confirmation; No keeps the session, Yes removes it."""
    confirm = Confirm(False)
    panel = make_panel(qtbot, store, confirm)
    panel.table.selectRow(0)
    assert not panel.delete_selected()
    assert confirm.asked and "Call mom" in confirm.asked[0]
    assert panel.model.rowCount() == 3
    confirm.answer = True
    with qtbot.waitSignal(panel.session_deleted, timeout=1000):
        panel.buttons["delete"].click()
    assert rows(panel) == ["Turn on the kitchen lights.",
                           "Open the garden door. Then water the roses."]
    assert store.count() == 2


def test_interrupted_sessions_are_labelled(qtbot: QtBot, store: HistoryStore) -> None:
    """A session that did not complete says how it ended."""
    rec = store.begin_session(SessionMeta())
    rec.add_segment(Segment(0, "Cut short"))
    rec.finish(SessionStatus.INTERRUPTED)
    panel = make_panel(qtbot, store)
    assert rows(panel)[0] == "[interrupted] Cut short"


def test_export_dialog_writes_the_file_the_user_chose(qtbot: QtBot, store: HistoryStore,
                                                      tmp_path: Path) -> None:
    """Export… from the panel writes the chosen SRT file with the session's text."""
    panel = make_panel(qtbot, store)
    panel.table.selectRow(2)
    dialog = panel.export_selected()
    assert dialog is not None and dialog.isVisible()
    chosen = tmp_path / "out" / "garden.srt"
    chosen.parent.mkdir()
    dialog._ask_path = lambda parent, start, name_filter: str(chosen)
    dialog.browse()
    assert dialog.format is ExportFormat.SRT
    assert dialog.note_label.isVisibleTo(dialog)  # no times: the approximate note shows
    with qtbot.waitSignal(dialog.exported, timeout=1000) as done:
        dialog.save_button.click()
    assert done.args == [chosen]
    assert dialog.result() == QDialog.DialogCode.Accepted
    subs = list(srt.parse(chosen.read_text(encoding="utf-8")))
    assert [s.content for s in subs] == ["Open the garden door.", "Then water the roses."]


def test_export_dialog_switches_format_and_suffix(qtbot: QtBot, tmp_path: Path) -> None:
    """Choosing JSON renames the target's suffix and writes the JSON schema there."""
    session = ExportSession(segments=(ExportSegment("Hello.", start_s=0.0, end_s=1.0),))
    dialog = ExportDialog(session, directory=tmp_path, file_stem="talk")
    qtbot.addWidget(dialog)
    assert dialog.path_edit.text() == str(tmp_path / "talk.txt")
    dialog.set_format(ExportFormat.JSON)
    assert dialog.path_edit.text() == str(tmp_path / "talk.json")
    assert not dialog.timestamps_box.isVisibleTo(dialog)
    dialog.accept()
    assert from_json((tmp_path / "talk.json").read_text(encoding="utf-8")).text == "Hello."


def test_export_dialog_reports_an_unwritable_path(qtbot: QtBot, tmp_path: Path) -> None:
    """A path that cannot be written keeps the dialog open with the reason."""
    dialog = ExportDialog(ExportSession(segments=(ExportSegment("Hi."),)))
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "missing-dir" / "x.txt"))
    dialog.show()
    dialog.accept()
    assert dialog.written is None
    assert dialog.error_label.isVisibleTo(dialog)
    assert "Cannot write" in dialog.error_label.text()


def test_format_duration() -> None:
    """Durations read as m:ss, or h:mm:ss past an hour."""
    assert format_duration(65.4) == "1:05"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(None) == "—"



def test_retry_from_audio_is_enabled_only_with_kept_audio(qtbot: QtBot,
                                                          store: HistoryStore) -> None:
    """Retry from audio is enabled for a session with kept audio and emits its id."""
    rec = store.begin_session(SessionMeta(backend="local"), keep_audio=True,
                              audio_format="pcm_16000")
    rec.add_segment(Segment(0, "Kept audio here."))
    rec.add_audio(b"\x00\x01" * 1600)
    rec.finish(SessionStatus.CANCELLED)
    panel = make_panel(qtbot, store)
    assert panel.select_session(rec.id)
    assert panel.buttons["retry"].isEnabled()
    with qtbot.waitSignal(panel.retry_requested, timeout=2000) as blocker:
        panel.buttons["retry"].click()
    assert blocker.args == [rec.id]
    without = next(s.id for s in store.list_sessions() if not s.has_audio)
    assert panel.select_session(without)
    assert panel.buttons["copy"].isEnabled() and not panel.buttons["retry"].isEnabled()
    with qtbot.assertNotEmitted(panel.retry_requested):
        panel.retry_selected()
