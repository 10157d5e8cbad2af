"""The main window as the user sees it, driven by a fake worker's signals (offscreen, sync)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.protocol.options import CommitStrategy
from scribe_desktop.qt.settings import Settings
from scribe_desktop.ui.main_window import MainWindow

from .ui_fakes import FakeStatus, FakeWorker, as_worker, segment


@pytest.fixture
def worker() -> FakeWorker:
    return FakeWorker()


@pytest.fixture
def window(qtbot: QtBot, worker: FakeWorker) -> MainWindow:
    settings = Settings(commit_strategy=CommitStrategy.MANUAL)
    win = MainWindow(as_worker(worker), settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_partial_is_shown_in_the_live_pane_and_replaced(window: MainWindow,
                                                        worker: FakeWorker) -> None:
    """Each partial replaces the previous one in the live pane (rule C3)."""
    worker.partial_changed.emit("open the")
    assert window.live.partial() == "open the"
    worker.partial_changed.emit("open the door")
    assert window.live.partial() == "open the door"
    assert window.committed.plain_text() == ""


def test_live_pane_is_grey_italic_and_never_takes_focus(qtbot: QtBot, window: MainWindow,
                                                        worker: FakeWorker) -> None:
    """The live pane looks provisional and focus never lands on it."""
    assert window.live.font().italic()
    assert window.live.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert window.live.isReadOnly()
    worker.partial_changed.emit("something")
    window.activateWindow()
    window.committed.setFocus()
    qtbot.mouseClick(window.live.viewport(), Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is window.committed
    worker.partial_changed.emit("something else")
    assert QApplication.focusWidget() is window.committed
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is not window.live


def test_committed_segments_show_word_times_else_session_time(window: MainWindow,
                                                              worker: FakeWorker) -> None:
    """Segments show mm:ss from word timestamps, or the session time without them."""
    worker.status_changed.emit(FakeStatus(session_s=65.2))
    worker.partial_changed.emit("open the door")
    worker.segment_committed.emit(segment(0, "Open the door.", start_s=3.4))
    worker.segment_committed.emit(segment(1, "Turn on the lights."))
    assert window.committed.time_labels() == ["00:03", "01:05"]
    text = window.committed.toPlainText()
    assert "00:03  Open the door." in text and "01:05  Turn on the lights." in text


def test_enrichment_updates_the_segment_in_place(window: MainWindow,
                                                 worker: FakeWorker) -> None:
    """segment_enriched rewrites its paragraph instead of adding one (rule C4)."""
    worker.status_changed.emit(FakeStatus(session_s=20.0))
    worker.segment_committed.emit(segment(0, "first"))
    worker.segment_committed.emit(segment(1, "second"))
    worker.segment_enriched.emit(segment(0, "first", start_s=12.0))
    assert window.committed.time_labels() == ["00:12", "00:20"]
    assert window.committed.document().blockCount() == 2
    assert window.committed.toPlainText().splitlines() == ["00:12  first", "00:20  second"]


def test_committed_text_is_selectable_and_copy_all_copies_it(window: MainWindow,
                                                             worker: FakeWorker) -> None:
    """The committed pane is selectable and Edit → Copy all puts the text on the clipboard."""
    worker.segment_committed.emit(segment(0, "alpha beta", start_s=1.0))
    worker.segment_committed.emit(segment(1, "gamma", start_s=2.0))
    flags = window.committed.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    window.committed.selectAll()
    assert "alpha beta" in window.committed.textCursor().selectedText()
    window.actions_.copy_all.trigger()
    assert QGuiApplication.clipboard().text() == "alpha beta\ngamma"


def test_auto_scroll_stops_when_scrolled_up_and_resumes_at_bottom(
        window: MainWindow, worker: FakeWorker) -> None:
    """New text scrolls into view only while the user is at the bottom."""
    window.resize(600, 420)
    bar = window.committed.verticalScrollBar()
    for i in range(40):
        worker.segment_committed.emit(segment(i, f"line number {i} of the dictation"))
    QApplication.processEvents()
    assert bar.maximum() > 0
    assert bar.value() == bar.maximum()
    bar.setValue(0)  # the user scrolls up
    worker.segment_committed.emit(segment(40, "while reading"))
    QApplication.processEvents()
    assert bar.value() == 0
    assert not window.committed.follows_bottom
    bar.setValue(bar.maximum())  # back to the bottom
    worker.segment_committed.emit(segment(41, "resumes"))
    QApplication.processEvents()
    assert window.committed.follows_bottom
    assert bar.value() == bar.maximum()


@pytest.mark.parametrize(("strategy", "state", "enabled"), [
    (CommitStrategy.MANUAL, DictationState.IDLE, False),
    (CommitStrategy.MANUAL, DictationState.CONNECTING, False),
    (CommitStrategy.MANUAL, DictationState.LISTENING, True),
    (CommitStrategy.MANUAL, DictationState.COMMITTING, False),
    (CommitStrategy.MANUAL, DictationState.ERROR, False),
    (CommitStrategy.VAD, DictationState.LISTENING, False),
])
def test_commit_button_is_enabled_only_for_manual_while_listening(
        qtbot: QtBot, worker: FakeWorker, strategy: CommitStrategy, state: DictationState,
        enabled: bool) -> None:
    """Commit now works only with the manual strategy while listening."""
    window = MainWindow(as_worker(worker), Settings(commit_strategy=strategy))
    qtbot.addWidget(window)
    worker.state_changed.emit(state)
    assert window.commit_button.isEnabled() is enabled
    assert window.actions_.commit.isEnabled() is enabled
    qtbot.mouseClick(window.commit_button, Qt.MouseButton.LeftButton)
    assert ("commit_now" in worker.names()) is enabled


def test_start_stop_toggle_follows_the_state(qtbot: QtBot, window: MainWindow,
                                             worker: FakeWorker) -> None:
    """The toggle calls worker.toggle() and its label follows the dictation state."""
    qtbot.mouseClick(window.toggle_button, Qt.MouseButton.LeftButton)
    assert worker.names() == ["toggle"]
    assert window.toggle_button.text() == "Start dictation"
    worker.state_changed.emit(DictationState.LISTENING)
    assert window.toggle_button.text() == "Stop dictation"
    assert window.state_label.text() == "Listening"
    worker.level_changed.emit(-12.0, -6.0)
    assert window.level_meter.level_db == pytest.approx(-12.0, abs=0.5)
    worker.state_changed.emit(DictationState.IDLE)
    assert window.toggle_button.text() == "Start dictation"


def test_window_shortcuts_toggle_dictation(qtbot: QtBot, window: MainWindow,
                                           worker: FakeWorker) -> None:
    """Ctrl+Space and F9 toggle dictation from anywhere in the window."""
    window.activateWindow()
    window.committed.setFocus()
    qtbot.keyClick(window.committed, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.committed, Qt.Key.Key_F9)
    assert worker.names() == ["toggle", "toggle"]


def test_clear_empties_both_panes(window: MainWindow, worker: FakeWorker) -> None:
    """Clear empties the live and committed panes and tells the worker."""
    worker.partial_changed.emit("live")
    worker.segment_committed.emit(segment(0, "done", start_s=0.0))
    window.actions_.clear.trigger()
    assert window.live.partial() == "" and window.committed.plain_text() == ""
    assert "clear" in worker.names()


def test_status_bar_shows_backend_connection_time_and_latency(window: MainWindow,
                                                              worker: FakeWorker) -> None:
    """The status bar shows what the worker reports."""
    worker.status_changed.emit(FakeStatus("ElevenLabs (EU)", "Connected", 83.0, 142.4))
    assert window.status.backend_label.text() == "ElevenLabs (EU)"
    assert window.status.connection_label.text() == "Connected"
    assert window.status.session_label.text() == "Session 01:23"
    assert window.status.latency_label.text() == "Live text 0.1 s behind"


def test_microphone_picker_remembers_the_device_by_name(window: MainWindow,
                                                        worker: FakeWorker) -> None:
    """The chosen microphone is kept by name across device list changes."""
    worker.devices_changed.emit(["Built-in Mic", "USB Headset"])
    combo = window.device_combo
    combo.setCurrentIndex(combo.findData("USB Headset"))
    combo.activated.emit(combo.currentIndex())
    assert ("select_device", ("USB Headset",)) in worker.calls
    assert window.settings.device_name == "USB Headset"  # from worker.settings_changed
    worker.devices_changed.emit(["Built-in Mic"])  # unplugged
    assert combo.currentData() == "USB Headset"
    assert combo.currentText() == "USB Headset (not connected)"
    worker.devices_changed.emit(["USB Headset", "Built-in Mic"])  # back
    assert combo.currentText() == "USB Headset"


def test_microphones_show_the_desktop_names_with_the_default_marked(
        window: MainWindow, worker: FakeWorker, tmp_path: Path) -> None:
    """The picker lists the sound settings' names, marks the default, keeps the choice."""
    from .widget_shots import save_shot

    worker.default_device_name = "VirtualMic"
    worker.devices_changed.emit(["VirtualMic", "Blue Yeti"])
    combo = window.device_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "System default (VirtualMic)", "VirtualMic (default)", "Blue Yeti"]
    combo.setCurrentIndex(2)
    combo.activated.emit(2)
    assert ("select_device", ("Blue Yeti",)) in worker.calls
    assert combo.currentText() == "Blue Yeti"
    combo.showPopup()
    popup = combo.view().window()
    save_shot(popup, "microphones-by-name", tmp_path, min_size=(200, 60))
    combo.hidePopup()


def test_refresh_button_asks_the_worker_to_rescan(window: MainWindow,
                                                  worker: FakeWorker) -> None:
    """The refresh button next to the picker (F5) rescans the microphones."""
    assert window.rescan_button.shortcut().toString() == "F5"
    window.rescan_button.click()
    assert ("rescan_devices", ()) in worker.calls


def test_menus_have_the_agreed_shortcuts(window: MainWindow) -> None:
    """File, Edit, Settings and Help carry the documented shortcuts."""
    a = window.actions_
    shortcuts = {a.transcribe_file: "Ctrl+O", a.export: "Ctrl+E", a.quit: "Ctrl+Q",
                 a.copy_all: "Ctrl+Shift+C", a.settings: "Ctrl+,"}
    for action, keys in shortcuts.items():
        assert action.shortcut().toString() == keys
    titles = [m.title() for m in window.menuBar().findChildren(type(window.menuBar().addMenu("x")))
              if m.title() != "x"]
    assert {"&File", "&Edit", "&Settings", "&Help"} <= set(titles)


def test_quit_action_asks_the_app_to_quit(qtbot: QtBot, window: MainWindow) -> None:
    """File → Quit emits quit_requested."""
    with qtbot.waitSignal(window.quit_requested, timeout=1000):
        window.actions_.quit.trigger()


def test_close_without_tray_quits_and_with_tray_hides(qtbot: QtBot, worker: FakeWorker) -> None:
    """Closing quits unless close-to-tray is on and a tray exists."""

    class AvailableTray:
        available = True

    window = MainWindow(as_worker(worker), Settings(close_to_tray=True))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.quit_requested, timeout=1000):
        window.close()
    window.tray = AvailableTray()  # type: ignore[assignment]
    window.show()
    with qtbot.assertNotEmitted(window.quit_requested):
        window.close()
    assert not window.isVisible()
    window.settings = dataclasses.replace(window.settings, close_to_tray=False)
    assert not window.closes_to_tray()


def test_export_opens_the_export_dialog_with_the_committed_segments(
        window: MainWindow, worker: FakeWorker) -> None:
    """File → Export… offers the committed transcript, or says there is nothing yet."""
    assert window.actions_.export.isEnabled()
    assert window.export_transcript() is None  # nothing committed yet
    worker.segment_committed.emit(segment(0, "export me", start_s=1.0))
    dialog = window.export_transcript()
    assert dialog is not None and dialog.isVisible()
    assert [s.text for s in dialog.session.segments] == ["export me"]  # type: ignore[attr-defined]
