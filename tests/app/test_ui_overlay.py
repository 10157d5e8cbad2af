"""The live-partial overlay: shown while dictating when enabled, hidden when idle, and it
never takes the focus (offscreen, sync)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.ui.overlay import MAX_LINES, PartialOverlay

from .ui_fakes import FakeWorker


@pytest.fixture
def worker() -> FakeWorker:
    return FakeWorker()


@pytest.fixture
def overlay(qtbot: QtBot, worker: FakeWorker) -> Iterator[PartialOverlay]:
    widget = PartialOverlay(worker)
    qtbot.addWidget(widget)
    yield widget
    widget.hide()


def test_shows_the_live_partial_while_dictating_and_hides_when_idle(
        overlay: PartialOverlay, worker: FakeWorker) -> None:
    """Listening shows it with each partial; idle (or an error) hides it."""
    assert overlay.isHidden()
    worker.state_changed.emit(DictationState.CONNECTING)
    assert overlay.isVisible()
    worker.state_changed.emit(DictationState.LISTENING)
    worker.partial_changed.emit("open the")
    assert overlay.text.text() == "open the"
    worker.partial_changed.emit("open the door")
    assert overlay.text.text() == "open the door" and overlay.isVisible()
    worker.state_changed.emit(DictationState.COMMITTING)
    assert overlay.isVisible()  # still finishing: the text is still coming
    worker.state_changed.emit(DictationState.IDLE)
    assert overlay.isHidden()
    worker.state_changed.emit(DictationState.LISTENING)
    assert overlay.isVisible() and overlay.text.text() == ""  # not the last dictation's
    worker.state_changed.emit(DictationState.ERROR)
    assert overlay.isHidden()


def lines_of(label: QLabel) -> int:
    metrics = label.fontMetrics()
    rect = metrics.boundingRect(QRect(0, 0, label.width(), 1 << 20),
                                int(Qt.TextFlag.TextWordWrap), label.text())
    return round(rect.height() / metrics.lineSpacing())


def test_a_two_line_partial_grows_the_overlay_and_a_long_one_shows_its_tail(
        overlay: PartialOverlay, worker: FakeWorker) -> None:
    """Two lines of partial are shown whole (the overlay grows, nothing clipped); a longer
    one shows its last words in two lines."""
    worker.state_changed.emit(DictationState.LISTENING)
    worker.partial_changed.emit("open the door")
    one_line = overlay.height()
    two = "please call me back tomorrow morning and bring the report about the new office"
    worker.partial_changed.emit(two)
    assert overlay.text.text() == two and lines_of(overlay.text) == 2
    assert overlay.height() > one_line  # grown, not clipped
    assert overlay.text.height() >= overlay.text.heightForWidth(overlay.text.width())
    bottom = overlay.geometry().bottom()
    text = " ".join(f"word{i}" for i in range(100))
    worker.partial_changed.emit(text)
    shown = overlay.text.text()
    assert shown.startswith("…") and text.endswith(shown[1:])
    assert lines_of(overlay.text) == MAX_LINES
    assert overlay.geometry().bottom() == bottom  # anchored at the screen's bottom


def test_the_outcome_is_shown_for_a_moment_after_the_dictation(
        qtbot: QtBot, overlay: PartialOverlay, worker: FakeWorker) -> None:
    """After a dictation the overlay says how it ended, then hides by itself."""
    worker.state_changed.emit(DictationState.LISTENING)
    worker.state_changed.emit(DictationState.IDLE)
    assert overlay.isHidden()
    overlay.show_outcome("not inserted", "The focused app did not take the pasted text.")
    assert overlay.isVisible() and overlay.state_text.text() == "Not inserted"
    assert "did not take" in overlay.text.text()
    qtbot.waitUntil(overlay.isHidden, timeout=5000)
    overlay.show_outcome("nothing heard")
    assert overlay.state_text.text() == "Nothing heard"
    worker.state_changed.emit(DictationState.CONNECTING)  # a new dictation takes over
    assert overlay.state_text.text() != "Nothing heard" and overlay.text.text() == ""


def test_disabled_it_never_shows_and_disabling_hides_it(qtbot: QtBot,
                                                        worker: FakeWorker) -> None:
    """show_overlay off: dictating shows nothing; turning it off while shown hides it."""
    overlay = PartialOverlay(worker, enabled=False)
    qtbot.addWidget(overlay)
    worker.state_changed.emit(DictationState.LISTENING)
    worker.partial_changed.emit("hello")
    assert overlay.isHidden()
    overlay.enabled = True  # settings changed mid-dictation
    assert overlay.isVisible()
    overlay.enabled = False
    assert overlay.isHidden()


def test_it_is_a_frameless_on_top_window_that_never_accepts_focus(
        overlay: PartialOverlay) -> None:
    """Window flags and attributes keep it from taking the focus or the mouse."""
    flags = overlay.windowFlags()
    for flag in (Qt.WindowType.WindowDoesNotAcceptFocus, Qt.WindowType.WindowStaysOnTopHint,
                 Qt.WindowType.FramelessWindowHint):
        assert flags & flag, flag
    assert overlay.isWindow() and overlay.parent() is None
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert overlay.focusPolicy() == Qt.FocusPolicy.NoFocus
    for child in overlay.findChildren(QWidget):
        assert child.focusPolicy() == Qt.FocusPolicy.NoFocus, child


def test_showing_it_does_not_move_the_focus(qtbot: QtBot, overlay: PartialOverlay,
                                            worker: FakeWorker) -> None:
    """The focused field keeps the focus while the overlay appears, updates and hides."""
    window = QWidget()
    qtbot.addWidget(window)
    field = QLineEdit(window)
    QVBoxLayout(window).addWidget(field)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=2000)
    active = QApplication.activeWindow()
    worker.state_changed.emit(DictationState.LISTENING)
    qtbot.waitExposed(overlay)
    worker.partial_changed.emit("typing into the field")
    QApplication.processEvents()
    assert overlay.isVisible()
    assert QApplication.focusWidget() is field
    assert QApplication.activeWindow() is active and active is not overlay
    worker.state_changed.emit(DictationState.IDLE)
    QApplication.processEvents()
    assert QApplication.focusWidget() is field
