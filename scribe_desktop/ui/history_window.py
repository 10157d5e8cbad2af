"""View → History…: a non-modal window around `HistoryPanel`, and the read-only
view of one opened session.

    window = HistoryWindow(store, parent)        # store: history.HistoryStore
    window.reinsert_requested.connect(...)       # str: the text to insert again
    window.show_history()                        # shows, raises and refreshes

With a `worker` (the app's dictation worker), "Retry from
audio" transcribes the selected session's kept audio again as a new session (`retry_done`
gives its id, or None); without one the request is only re-emitted for the owner.

The main window owns one; it refreshes the list whenever the worker reports a finished
session (`session_recorded`), so a dictation appears in History as soon as it ends.
"""

from __future__ import annotations

import asyncio
import logging

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
from ..qt.worker.api import WorkerApi
from ..qt.worker.retry import RetryError, retry_from_audio
from .history_panel import Confirm, HistoryPanel, format_duration

log = logging.getLogger(__name__)


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
    retry_requested = Signal(int)
    retry_done = Signal(object)  # int | None: the new session's id

    def __init__(self, store: HistoryStore, parent: QWidget | None = None, *,
                 confirm: Confirm | None = None, worker: WorkerApi | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyWindow")
        self.setWindowTitle("History")
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setModal(False)
        self.resize(720, 520)
        self.panel = HistoryPanel(store, self, confirm=confirm)
        self.panel.reinsert_requested.connect(self.reinsert_requested)
        self.panel.session_opened.connect(self.open_session)
        self.panel.retry_requested.connect(self.retry_requested)
        self.store = store
        self.worker = worker
        self.retry_task: asyncio.Task[int | None] | None = None
        if worker is not None:
            self.panel.retry_requested.connect(self.retry)
        self.viewer: SessionViewer | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.panel)

    def show_history(self) -> None:
        """Show the window; reopened, it starts from the whole list (a search typed last
        time would otherwise greet the user with "0 matches")."""
        if not self.isVisible():
            self.panel.search_box.blockSignals(True)
            self.panel.search_box.clear()
            self.panel.search_box.blockSignals(False)
        self.panel.refresh()
        self.show()
        self.raise_()
        self.activateWindow()

    def refresh(self) -> None:
        """Reload the list if the window is open (a closed one reloads when shown)."""
        if self.isVisible():
            self.panel.refresh()

    def retry(self, session_id: int) -> asyncio.Task[int | None] | None:
        """Transcribe the session's kept audio again (one retry at a time)."""
        if self.worker is None or (self.retry_task is not None and not self.retry_task.done()):
            return None
        self.panel.buttons["retry"].setEnabled(False)
        self.panel.show_message("Transcribing the kept audio again…")
        self.retry_task = asyncio.ensure_future(
            retry_from_audio(self.store, self.worker, session_id))
        self.retry_task.add_done_callback(self._retried)
        return self.retry_task

    def _retried(self, task: asyncio.Task[int | None]) -> None:
        new_id: int | None = None
        message = "The retry recorded nothing (see the error shown, if any)."
        if task.cancelled():
            message = "The retry was cancelled."
        elif isinstance(task.exception(), RetryError):
            message = str(task.exception())
        elif task.exception() is not None:
            log.error("retry from audio failed", exc_info=task.exception())
            message = f"The retry failed: {task.exception()}"
        else:
            new_id = task.result()
        self.panel.refresh()
        if new_id is not None:
            self.panel.select_session(new_id)
            message = "Retried from the kept audio: the new session is selected."
        self.panel.show_message(message)
        self.retry_done.emit(new_id)

    def open_session(self, session: object) -> SessionViewer | None:
        """Slot for the panel's `session_opened`: the session's text in a read-only view."""
        if not isinstance(session, ExportSession):
            return None
        if self.viewer is not None:
            self.viewer.close()
        self.viewer = SessionViewer(session, self)
        self.viewer.show()
        return self.viewer
