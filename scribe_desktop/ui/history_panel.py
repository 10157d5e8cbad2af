"""The history panel: past sessions newest first, full-text search, and per-session actions.

    panel = HistoryPanel(store, parent)            # store: history.HistoryStore
    panel.reinsert_requested.connect(...)          # str: text to type into the focused app
    panel.session_opened.connect(...)              # export.ExportSession: show it
    panel.retry_requested.connect(...)             # int: session id to retry from its audio
    panel.refresh()                                # after a session ends (or on show)

Actions on the selected session: Open (double-click too), Copy (clipboard), Re-insert, Export…
(an `ExportDialog`, opened window-modal), Retry from audio (only for sessions whose audio was
kept: the owner transcribes it again, `history.retry`), Delete (after confirmation). The
footer shows the disk space the history uses. `confirm` replaces the confirmation message box
(tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..export import ExportSession, SessionStatus
from ..history import HistoryStore, SessionSummary
from .export_dialog import ExportDialog

Confirm = Callable[[QWidget, str, str], bool]  # (parent, title, question) -> yes?
PageLoader = Callable[[int, int], list[SessionSummary]]  # (offset, limit) -> rows
SEARCH_DELAY_MS = 200
PAGE_ROWS = 200  # rows loaded at once; more as the list is scrolled
COLUMNS = ("Time", "Duration", "Text")
_ROOT = QModelIndex()  # the invalid index: the table's root


def _ask(parent: QWidget, title: str, question: str) -> bool:
    answer = QMessageBox.question(parent, title, question,
                                  QMessageBox.StandardButton.Yes
                                  | QMessageBox.StandardButton.Cancel,
                                  QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Yes


def format_duration(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return "—"
    total = round(seconds)
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


class SessionTableModel(QAbstractTableModel):
    """Session summaries as rows: time, duration, first words (or the search hit). Rows come
    a page at a time from `load(offset, limit)`: the view asks for more (`fetchMore`) as the
    user scrolls, so a history of 10,000 sessions lists as fast as one of 1,000."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sessions: list[SessionSummary] = []
        self._load: PageLoader = lambda _offset, _limit: []
        self.complete = True  # every row is loaded

    def set_loader(self, load: PageLoader, rows: int = PAGE_ROWS) -> None:
        """Show the first `rows` rows of a new source."""
        self.beginResetModel()
        self._load = load
        self.sessions = load(0, rows)
        self.complete = len(self.sessions) < rows
        self.endResetModel()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> bool:
        return not parent.isValid() and not self.complete

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> None:
        if parent.isValid() or self.complete:
            return
        page = self._load(len(self.sessions), PAGE_ROWS)
        self.complete = len(page) < PAGE_ROWS
        if page:
            first = len(self.sessions)
            self.beginInsertRows(_ROOT, first, first + len(page) - 1)
            self.sessions.extend(page)
            self.endInsertRows()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.sessions)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self.sessions[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return s.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
            if index.column() == 1:
                return format_duration(s.duration_s)
            text = s.snippet or s.preview or "(no text)"
            if s.status not in (SessionStatus.COMPLETED, SessionStatus.RECORDING):
                text = f"[{getattr(s.status, 'value', s.status)}] {text}"
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return s.preview
        if role == Qt.ItemDataRole.UserRole:
            return s.id
        return None


class HistoryPanel(QWidget):
    """Browse, search and act on stored sessions."""

    reinsert_requested = Signal(str)
    session_opened = Signal(object)  # ExportSession
    session_deleted = Signal(int)
    retry_requested = Signal(int)  # history id of a session with kept audio

    def __init__(self, store: HistoryStore, parent: QWidget | None = None, *,
                 confirm: Confirm | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self.store = store
        self._confirm = confirm or _ask
        self.export_dialog: ExportDialog | None = None
        self._current: ExportSession | None = None
        self._query = ""  # what the list shows: "" all sessions, else a search

        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("historySearch")
        self.search_box.setPlaceholderText("Search transcripts")
        self.search_box.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_box.returnPressed.connect(self.refresh)

        self.model = SessionTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("historyTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # selectionChanged, not currentRowChanged: the latter fires before the selection
        # moves, so the previous row would be loaded
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())

        self.detail = QPlainTextEdit(self)
        self.detail.setObjectName("historyDetail")
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Select a session to see its text.")

        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, label, slot in (("open", "Open", self.open_selected),
                                 ("copy", "Copy", self.copy_selected),
                                 ("reinsert", "Re-insert", self.reinsert_selected),
                                 ("export", "Export…", self.export_selected),
                                 ("retry", "Retry from audio", self.retry_selected),
                                 ("delete", "Delete…", self.delete_selected)):
            button = QPushButton(label, self)
            button.clicked.connect(slot)
            self.buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        self.footer = QLabel(self)
        self.footer.setObjectName("historyFooter")

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_box)
        layout.addWidget(splitter, 1)
        layout.addLayout(row)
        layout.addWidget(self.footer)
        self._update_buttons()

    # --- list ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the list (searching if the search box has text), keeping the selection."""
        self._search_timer.stop()
        keep = self.selected_id()
        query = self.search_box.text().strip()
        store = self.store
        load: PageLoader = (
            (lambda offset, limit: store.search(query, limit=limit, offset=offset)) if query
            else (lambda offset, limit: store.list_sessions(limit=limit, offset=offset)))
        # the same list again: as many rows as were shown (scrolled to), so the selection
        # stays in view; another search starts at its first page
        same = query == self._query
        self._query = query
        self.model.set_loader(load, max(PAGE_ROWS, len(self.model.sessions)) if same
                              else PAGE_ROWS)
        ids = [s.id for s in self.model.sessions]
        if keep in ids:
            self.table.selectRow(ids.index(keep))
        else:
            self._selection_changed()
        usage = self.store.disk_usage()
        audio = f", audio {format_bytes(usage.audio_bytes)}" if usage.audio_bytes else ""
        n = len(ids) if query else self.store.count()
        more = "" if self.model.complete or not query else "+"
        found = (f"{n}{more} match{'es' if n != 1 or more else ''}" if query
                 else f"{n} session{'s' if n != 1 else ''}")
        self.footer.setText(f"{found} · history uses {format_bytes(usage.total_bytes)} on "
                            f"disk{audio}")

    def search(self, text: str) -> None:
        """Show the sessions matching `text` now (no typing delay)."""
        self.search_box.setText(text)
        self.refresh()

    def selected_id(self) -> int | None:
        index = self.table.selectionModel().currentIndex()
        rows = self.table.selectionModel().selectedRows()
        if not rows and not index.isValid():
            return None
        row = rows[0].row() if rows else index.row()
        if not 0 <= row < len(self.model.sessions):
            return None
        return self.model.sessions[row].id

    def select_session(self, session_id: int) -> bool:
        ids = [s.id for s in self.model.sessions]
        if session_id not in ids:
            return False
        self.table.selectRow(ids.index(session_id))
        return True

    def _selection_changed(self, *_args: object) -> None:
        sid = self.selected_id()
        self._current = None
        if sid is not None:
            try:
                # the text only: the words (most of a long session's load) wait for an action
                self._current = self.store.load(sid, words=False)
            except KeyError:
                self._current = None
        self.detail.setPlainText(self._current.text if self._current else "")
        self._update_buttons()

    def selected_summary(self) -> SessionSummary | None:
        sid = self.selected_id()
        return next((s for s in self.model.sessions if s.id == sid), None)

    def can_retry(self) -> bool:
        """The selected session has kept audio to transcribe again."""
        summary = self.selected_summary()
        return self._current is not None and summary is not None and summary.has_audio \
            and summary.status != SessionStatus.RECORDING

    def _update_buttons(self) -> None:
        has = self._current is not None
        for button in self.buttons.values():
            button.setEnabled(has)
        self.buttons["retry"].setEnabled(self.can_retry())
        self.buttons["retry"].setToolTip(
            "Transcribe this session's kept audio again, as a new session"
            if self.can_retry() else "Only sessions whose audio was kept can be retried "
            "(Settings: keep session audio)")

    # --- actions ------------------------------------------------------------------------

    def selected_session(self) -> ExportSession | None:
        """The selected session with its words (loaded now), or None."""
        if self._current is None or self._current.id is None:
            return self._current
        try:
            return self.store.load(self._current.id)
        except KeyError:  # deleted meanwhile (another process)
            return None

    def open_selected(self) -> None:
        session = self.selected_session()
        if session is not None:
            self.session_opened.emit(session)

    def copy_selected(self) -> None:
        if self._current is not None:
            QGuiApplication.clipboard().setText(self._current.text)

    def reinsert_selected(self) -> None:
        if self._current is not None and self._current.text:
            self.reinsert_requested.emit(self._current.text)

    def retry_selected(self) -> None:
        summary = self.selected_summary()
        if summary is not None and self.can_retry():
            self.retry_requested.emit(summary.id)

    def show_message(self, text: str) -> None:
        """A one-line outcome under the list (e.g. of a retry), until the next refresh."""
        self.footer.setText(text)

    def export_selected(self) -> ExportDialog | None:
        """Open the export dialog for the selected session (window-modal, non-blocking)."""
        session = self.selected_session()
        if session is None:
            return None
        started = session.meta.started_at
        stem = f"transcript-{started.astimezone():%Y%m%d-%H%M}" if started else "transcript"
        self.export_dialog = ExportDialog(session, self, file_stem=stem)
        self.export_dialog.open()
        return self.export_dialog

    def delete_selected(self) -> bool:
        """Delete the selected session after the user confirms; True if deleted."""
        if self._current is None or self._current.id is None:
            return False
        sid = self._current.id
        preview = self._current.text[:80] + ("…" if len(self._current.text) > 80 else "")
        if not self._confirm(self, "Delete session",
                             f"Delete this session and its text for good?\n\n{preview}"):
            return False
        self.store.delete(sid)
        self.session_deleted.emit(sid)
        self.refresh()
        return True
