"""The main window: microphone picker and level, Start/Stop, Commit now, Clear, the live and
committed panes, the status bar, menus and shortcuts.

It talks to the dictation worker only through its public surface (`qt.worker.api.WorkerApi`:
signals and slots). Dialogs are opened with `open()`/`show()`, never `exec()`, so
signals delivered on the qasync loop never meet a nested event loop (test-rig.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QGuiApplication,
    QHideEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from ..core.lifecycle import DictationState
from ..core.transcript import Segment
from ..hotkey.backends import ListenerStatus
from ..protocol.options import CommitStrategy
from ..qt.settings import Settings
from ..session.user_errors import OPEN_SETTINGS, SHOW_LOG, TRY_AGAIN, AppErrorKind, UserError
from . import about
from .cloud_settings import KeyStore
from .controls import ControlBar
from .error_dialog import ErrorDialog
from .file_dialog import FileTranscriptionDialog
from .icons import app_icon, state_icon
from .labels import state_label, toggle_label
from .level_meter import LevelMeter
from .menus import build_menus
from .settings_dialog import SettingsDialog
from .status_bar import StatusBar
from .transcript_view import CommittedPane, LivePane

if TYPE_CHECKING:
    from ..history import HistoryStore
    from ..qt.worker.api import WorkerApi
    from ..qt.worker.status import WorkerStatus
    from .history_window import HistoryWindow
    from .tray import Tray

DEFAULT_DEVICE_LABEL = "System default"
TOGGLE_SHORTCUTS = ("Ctrl+Space", "F9")
COMMIT_SHORTCUT = "Ctrl+Return"
AUDIO_FILE_FILTER = ("Audio and video (*.wav *.mp3 *.m4a *.ogg *.opus *.flac *.webm *.mp4 "
                     "*.aac *.wma);;All files (*)")


class MainWindow(QMainWindow):
    """The app's window. `quit_requested` asks the app to shut down (File → Quit, or closing
    the window when it does not close to the tray)."""

    quit_requested = Signal()
    show_log_requested = Signal()  # an error's "Show log" action; the app knows the file

    def __init__(self, worker: WorkerApi, settings: Settings, *,
                 tray: Tray | None = None, key_store: KeyStore | None = None,
                 history: HistoryStore | None = None,
                 parent: QWidget | None = None) -> None:
        """`key_store` is only read (defaults to the worker's `api_keys.store`); `history`
        is what View → History… browses (None: no history this run)."""
        super().__init__(parent)
        self.worker = worker
        self.settings = settings
        self.last_file: str | None = None
        self.tray = tray
        self.key_store = key_store if key_store is not None else worker.api_keys.store
        self.state = DictationState.IDLE
        self.session_s: float | None = None
        self.error_dialog = ErrorDialog(self)
        self.settings_dialog: SettingsDialog | None = None
        self.hotkey_status: ListenerStatus | None = None  # set by the app (set_hotkey_status)
        self.file_dialog: FileTranscriptionDialog | None = None
        self.history = history
        self.history_window: HistoryWindow | None = None
        # History's Re-insert; the app sets the push-to-talk inserter's path when there is one
        self.reinsert: Callable[[str], object] = self.copy_for_reinsert
        self._devices: list[str] = []

        self.setWindowTitle("scribe-desktop")
        self.setWindowIcon(app_icon())
        self.resize(760, 560)
        self.setMinimumSize(520, 380)
        self._build_body()
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.actions_ = build_menus(self)
        self.shortcuts: list[QShortcut] = []
        for keys, slot in [*((k, self.worker.toggle) for k in TOGGLE_SHORTCUTS),
                           (COMMIT_SHORTCUT, self.commit_now)]:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
            self.shortcuts.append(shortcut)
        self._connect_worker()
        self.error_dialog.action_requested.connect(self.run_error_action)
        self.set_devices([])
        self.set_state(DictationState.IDLE)
        self.committed.setFocus()

    # -- layout ----------------------------------------------------------------------------
    def _build_body(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(14, 12, 14, 8)
        layout.setSpacing(8)

        self.controls = ControlBar(body)
        self.toggle_button = self.controls.toggle_button
        self.commit_button = self.controls.commit_button
        self.clear_button = self.controls.clear_button
        self.device_combo = self.controls.device_combo
        self.rescan_button = self.controls.rescan_button
        self.toggle_button.clicked.connect(self.worker.toggle)
        self.commit_button.clicked.connect(self.commit_now)
        self.clear_button.clicked.connect(self.clear)
        self.device_combo.activated.connect(self._on_device_chosen)
        self.rescan_button.clicked.connect(self.worker.rescan_devices)
        layout.addWidget(self.controls)

        meter_row = QHBoxLayout()
        meter_row.setSpacing(8)
        self.state_label = QLabel(state_label(DictationState.IDLE), body)
        self.state_label.setObjectName("stateLabel")
        self.state_label.setMinimumWidth(110)
        self.level_meter = LevelMeter(body)
        meter_row.addWidget(self.state_label)
        meter_row.addWidget(self.level_meter, 1)
        layout.addLayout(meter_row)

        layout.addWidget(_heading("Live", body))
        self.live = LivePane(body)
        layout.addWidget(self.live)
        layout.addWidget(_heading("Transcript", body))
        self.committed = CommittedPane(body)
        layout.addWidget(self.committed, 1)
        self.setCentralWidget(body)

    def _connect_worker(self) -> None:
        w = self.worker
        w.state_changed.connect(self.set_state)
        w.partial_changed.connect(self.live.set_partial)
        w.segment_committed.connect(self.add_segment)
        w.segment_enriched.connect(self.committed.enrich_segment)
        w.level_changed.connect(self.level_meter.set_levels)
        w.device_warning.connect(self.show_device_warning)
        w.devices_changed.connect(self.set_devices)
        w.error.connect(self.show_error)
        w.status_changed.connect(self.set_status)
        w.settings_changed.connect(self._on_settings_changed)
        w.connection_tested.connect(self._on_connection_tested)
        w.session_recorded.connect(self._on_session_recorded)

    # -- worker -> view --------------------------------------------------------------------
    def set_state(self, state: object) -> None:
        """Slot for `worker.state_changed`."""
        if not isinstance(state, DictationState):
            return
        self.state = state
        self.toggle_button.setText(toggle_label(state))
        self.toggle_button.setIcon(state_icon(state))
        self.toggle_button.setProperty("active", state.active)
        self.state_label.setText(state_label(state))
        self.status.set_state(state)
        self.actions_.toggle.setText(toggle_label(state))
        if not state.active:
            self.level_meter.reset()
            self.live.set_partial("")
        self._update_commit_enabled()

    def add_segment(self, segment: Segment) -> None:
        """Slot for `worker.segment_committed`: session time stands in for missing word times."""
        self.committed.add_segment(segment, self.session_s)

    def set_status(self, status: WorkerStatus) -> None:
        """Slot for `worker.status_changed`."""
        self.session_s = status.session_s
        self.status.set_worker_status(status)

    def set_devices(self, names: list[str]) -> None:
        """Slot for `worker.devices_changed`: keep the remembered device selected by name,
        listing it as unavailable while it is unplugged."""
        self._devices = [str(n) for n in names]
        wanted = self.settings.device_name
        combo = self.device_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(DEFAULT_DEVICE_LABEL, None)
        for name in self._devices:
            combo.addItem(name, name)
        if wanted and wanted not in self._devices:
            combo.addItem(f"{wanted} (not connected)", wanted)
        index = combo.findData(wanted) if wanted else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def set_hotkey_status(self, status: ListenerStatus | None) -> None:
        """What the app found about global hotkeys (listener.detect()); shown
        permanently in the status bar and in the settings dialog."""
        self.hotkey_status = status
        self.status.set_hotkey(self.settings, status)

    def show_device_warning(self, message: str) -> None:
        self.status.showMessage(message, 8000)

    def show_error(self, error: object) -> None:
        """Slot for `worker.error`: the non-blocking error dialog."""
        if isinstance(error, UserError):
            self.error_dialog.show_error(error)

    # -- user actions ----------------------------------------------------------------------
    @property
    def manual_commit(self) -> bool:
        return self.settings.commit_strategy == CommitStrategy.MANUAL

    def _update_commit_enabled(self) -> None:
        enabled = self.manual_commit and self.state == DictationState.LISTENING
        self.commit_button.setEnabled(enabled)
        self.actions_.commit.setEnabled(enabled)

    def commit_now(self) -> None:
        if self.commit_button.isEnabled():
            self.worker.commit_now()

    def clear(self) -> None:
        self.worker.clear()
        self.live.set_partial("")
        self.committed.clear_segments()

    def copy_all(self) -> None:
        QGuiApplication.clipboard().setText(self.committed.plain_text())
        self.status.showMessage("Transcript copied to the clipboard", 3000)

    def _on_device_chosen(self, index: int) -> None:
        name = self.device_combo.itemData(index)
        if name != self.settings.device_name:
            self.worker.select_device(name)  # the worker emits settings_changed

    def choose_file(self) -> None:
        """File → Transcribe file…: pick a file, then transcribe it."""
        dialog = QFileDialog(self, "Transcribe file", "", AUDIO_FILE_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.transcribe_file)
        dialog.open()

    def transcribe_file(self, path: str) -> FileTranscriptionDialog:
        """Start transcribing `path` and show its progress dialog."""
        self.last_file = path
        job = self.worker.transcribe_file(path)
        self.file_dialog = FileTranscriptionDialog(job, path, self)
        self.file_dialog.open()
        return self.file_dialog

    def open_settings(self) -> SettingsDialog:
        """Settings (Ctrl+,): a non-blocking dialog; OK applies and saves."""
        if self.settings_dialog is not None and self.settings_dialog.isVisible():
            self.settings_dialog.raise_()
            return self.settings_dialog
        dialog = SettingsDialog(self.settings, key_store=self.key_store, devices=self._devices,
                                hotkey_status=self.hotkey_status, history=self.history,
                                parent=self)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings()))
        dialog.test_connection_requested.connect(self.worker.test_connection)
        dialog.api_key_entered.connect(self.worker.set_api_key)
        # a model installed or removed changes what "the best installed" is: the local
        # server starts again with it (a running dictation keeps the old one until it ends)
        dialog.models.models_changed.connect(self.worker.reload_backend)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def apply_settings(self, settings: Settings) -> None:
        """Hand edited settings to the worker (which validates, applies and announces them
        with `settings_changed`; the app persists them from there)."""
        if settings != self.settings:
            self.worker.apply_settings(settings)

    def _on_settings_changed(self, settings: object) -> None:
        """Slot for `worker.settings_changed`: the settings now in force."""
        if isinstance(settings, Settings):
            self.settings = settings
            self.set_devices(self._devices)
            self._update_commit_enabled()
            self.status.set_hotkey(settings, self.hotkey_status)

    def _on_connection_tested(self, error: object) -> None:
        """Slot for `worker.connection_tested` (None: the connection works)."""
        dialog = self.settings_dialog
        if dialog is None or not dialog.isVisible():
            return
        if isinstance(error, UserError):
            dialog.set_test_result(False, error.message)
        else:
            dialog.set_test_result(True, "Connected: the backend accepted the settings.")

    def run_error_action(self, action: str) -> None:
        """What an error dialog's action button does (user_errors' action labels)."""
        error = self.error_dialog.error
        if action == OPEN_SETTINGS:
            self.open_settings()
        elif action == SHOW_LOG:
            self.show_log_requested.emit()
        elif action == TRY_AGAIN:
            if error is not None and error.kind == AppErrorKind.FILE_FAILED and self.last_file:
                self.transcribe_file(self.last_file)
            else:
                self.worker.start()

    def export_transcript(self) -> QDialog | None:
        """File → Export…: the committed transcript as TXT, SRT, WebVTT or JSON."""
        if not self.committed.segments:
            self.status.showMessage("Nothing to export yet", 4000)
            return None
        from ..export import ExportSession, SessionMeta
        from .export_dialog import ExportDialog

        meta = SessionMeta(backend=self.settings.backend.value, model_id=self.settings.model_id,
                           language_code=self.settings.language or None)
        dialog = ExportDialog(ExportSession.from_segments(self.committed.segments, meta), self)
        dialog.exported.connect(lambda path: self.status.showMessage(f"Exported to {path}",
                                                                     6000))
        dialog.open()
        return dialog

    # -- history -------------------------------------------------------------------
    def open_history(self) -> HistoryWindow | None:
        """View → History… (Ctrl+H): past sessions, search, open, copy, re-insert, delete,
        export. A non-modal window, refreshed whenever a session ends."""
        if self.history is None:
            self.status.showMessage("History is not available in this run", 4000)
            return None
        if self.history_window is None:
            from .history_window import HistoryWindow

            self.history_window = HistoryWindow(self.history, self, worker=self.worker)
            self.history_window.reinsert_requested.connect(lambda text: self.reinsert(text))
        self.history_window.show_history()
        return self.history_window

    def _on_session_recorded(self, _history_id: int) -> None:
        """Slot for `worker.session_recorded`."""
        if self.history_window is not None:
            self.history_window.refresh()

    def copy_for_reinsert(self, text: str) -> None:
        """Re-insert without push-to-talk: the text goes to the clipboard."""
        QGuiApplication.clipboard().setText(text)
        self.status.showMessage("Copied to the clipboard: paste it where it should go", 6000)

    def show_about(self) -> None:
        about.show_about(self)

    def show_window(self) -> None:
        self.show()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.raise_()
        self.activateWindow()

    # -- what is shown decides what is measured --------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._watch_levels()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._watch_levels()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self._watch_levels()

    def _watch_levels(self) -> None:
        """The level meter gets levels only while it can be seen (minimised or in the tray,
        measuring them would only cost CPU)."""
        self.worker.watch_levels("main window", self.isVisible() and not self.isMinimized())

    def closes_to_tray(self) -> bool:
        return bool(self.tray is not None and self.tray.available
                    and self.settings.close_to_tray)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.closes_to_tray():
            event.ignore()
            self.hide()
            return
        event.accept()
        self.quit_requested.emit()


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.setStyleSheet("color: #4b5563; margin-top: 4px;")
    return label
