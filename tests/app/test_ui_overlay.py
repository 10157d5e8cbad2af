"""The live-partial overlay: shown while dictating when enabled, hidden when idle, and it
never takes the focus (offscreen, sync)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.ui.overlay import MAX_CHARS, PartialOverlay

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


def test_a_long_partial_shows_its_tail(overlay: PartialOverlay, worker: FakeWorker) -> None:
    """Only the last MAX_CHARS characters of a long partial are shown."""
    worker.state_changed.emit(DictationState.LISTENING)
    text = " ".join(f"word{i}" for i in range(100))
    worker.partial_changed.emit(text)
    assert overlay.text.text() == "…" + text[-MAX_CHARS:]


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
