"""View → History…: a non-modal window around `HistoryPanel` (issue 6), and the read-only
view of one opened session.

    window = HistoryWindow(store, parent)        # store: history.HistoryStore
    window.reinsert_requested.connect(...)       # str: the text to insert again
    window.show_history()                        # shows, raises and refreshes

The main window owns one; it refreshes the list whenever the worker reports a finished
session (`session_recorded`), so a dictation appears in History as soon as it ends.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..export import ExportSession
from ..history import HistoryStore
from .history_panel import Confirm, HistoryPanel, format_duration


class SessionViewer(QDialog):
    """One stored session's text, read-only, with Copy and Close."""

    def __init__(self, session: ExportSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionViewer")
        self.session = session
        started = session.meta.started_at
        when = f"{started.astimezone():%Y-%m-%d %H:%M}" if started else "Session"
        self.setWindowTitle(f"{when} · {format_duration(session.duration_s)}")
        self.resize(560, 380)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setPlainText(session.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(session.text))
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)


class HistoryWindow(QDialog):
    """The history panel in its own window (not modal: dictation goes on beside it)."""

    reinsert_requested = Signal(str)

    def __init__(self, store: HistoryStore, parent: QWidget | None = None, *,
                 confirm: Confirm | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyWindow")
        self.setWindowTitle("History")
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setModal(False)
        self.resize(720, 520)
        self.panel = HistoryPanel(store, self, confirm=confirm)
        self.panel.reinsert_requested.connect(self.reinsert_requested)
        self.panel.session_opened.connect(self.open_session)
        self.viewer: SessionViewer | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.panel)

    def show_history(self) -> None:
        self.panel.refresh()
        self.show()
        self.raise_()
        self.activateWindow()

    def refresh(self) -> None:
        """Reload the list if the window is open (a closed one reloads when shown)."""
        if self.isVisible():
            self.panel.refresh()

    def open_session(self, session: object) -> SessionViewer | None:
        """Slot for the panel's `session_opened`: the session's text in a read-only view."""
        if not isinstance(session, ExportSession):
            return None
        if self.viewer is not None:
            self.viewer.close()
        self.viewer = SessionViewer(session, self)
        self.viewer.show()
        return self.viewer
