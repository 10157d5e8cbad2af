"""The main window: microphone picker and level, Start/Stop, Commit now, Clear, the live
pane, the transcript tabs (the dictation and one per transcribed file), the status bar, menus
and shortcuts.

It talks to the dictation worker only through its public surface (`qt.worker.api.WorkerApi`:
signals and slots). Dialogs are opened with `open()`/`show()`, never `exec()`, so
signals delivered on the qasync loop never meet a nested event loop (test-rig.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ..core.lifecycle import DictationState
from ..core.transcript import Segment
from ..hotkey.backends import ListenerStatus
from ..protocol.options import CommitStrategy
from ..qt.settings import Settings
from ..session.user_errors import (
    GET_MODEL,
    OPEN_SETTINGS,
    SHOW_LOG,
    TRY_AGAIN,
    AppErrorKind,
    UserError,
)
from .cloud_settings import KeyStore
from .controls import ControlBar
from .error_dialog import ErrorDialog
from .file_dialog import FileTranscriptionDialog, file_filter
from .icons import app_icon, state_icon
from .labels import state_label, toggle_label
from .level_meter import LevelMeter
from .menus import build_menus
from .message_log import MessageLog
from .settings_dialog import SettingsDialog
from .status_bar import StatusBar
from .transcript_tabs import TranscriptTabs
from .transcript_view import LivePane
from .window_dialogs import WindowDialogs

if TYPE_CHECKING:
    from ..history import HistoryStore
    from ..qt.worker.api import WorkerApi
    from ..qt.worker.status import WorkerStatus
    from .history_window import HistoryWindow
    from .tray import Tray

DEFAULT_DEVICE_LABEL = "System default"
TOGGLE_SHORTCUTS = ("Ctrl+Space", "F9")
COMMIT_SHORTCUT = "Ctrl+Return"


class MainWindow(WindowDialogs):
    """The app's window. `quit_requested` asks the app to shut down (File → Quit, or closing
    the window when it does not close to the tray); the dialogs it opens are in
    `window_dialogs.WindowDialogs`."""

    quit_requested = Signal()

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
        self.message_log: MessageLog | None = None
        self.welcome = None
        self.model_store = None
        self.model_endpoint = None
        # History's Re-insert; the app sets the push-to-talk inserter's path when there is one
        self.reinsert: Callable[[str], object] = self.copy_for_reinsert
        self._devices: list[str] = []
        self.clock: Callable[[], float] = time.monotonic
        self._first_take_at: float | None = None  # when the dictation tab's first take began

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
        self.tabs = TranscriptTabs(body)
        self.committed = self.tabs.dictation
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(body)

    def _connect_worker(self) -> None:
        w = self.worker
        w.state_changed.connect(self.set_state)
        w.partial_changed.connect(self.live.set_partial)
        w.segment_committed.connect(self.add_segment)
        w.segment_enriched.connect(self.committed.enrich_segment)
        w.level_changed.connect(self.level_meter.set_levels)
        w.device_warning.connect(self._on_device_warning)
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
        was_active, self.state = self.state.active, state
        self.toggle_button.setText(toggle_label(state))
        self.toggle_button.setIcon(state_icon(state))
        self.toggle_button.setProperty("active", state.active)
        self.state_label.setText(state_label(state))
        self.status.set_state(state)
        self.actions_.toggle.setText(toggle_label(state))
        if state == DictationState.CONNECTING and not was_active:
            self._begin_take()
        if not state.active:
            self.level_meter.reset()
            self.live.set_partial("")
        self._update_commit_enabled()

    def _begin_take(self) -> None:
        """A dictation starts: its segments go on the dictation tab's clock after the
        earlier ones (each connection's word times start at 0)."""
        now = self.clock()
        if self._first_take_at is None or not self.committed.segments:
            self.committed.clear_segments()  # takes that committed nothing leave no gap
            self._first_take_at = now
        self.committed.begin_take(now - self._first_take_at)
        self.tabs.setCurrentWidget(self.committed)

    def add_segment(self, segment: Segment) -> None:
        """Slot for `worker.segment_committed`: session time stands in for missing word times."""
        self.committed.add_segment(segment, self.session_s)

    def set_status(self, status: WorkerStatus) -> None:
        """Slot for `worker.status_changed`."""
        self.session_s = status.session_s
        self.status.set_worker_status(status)

    def set_devices(self, names: list[str]) -> None:
        """Slot for `worker.devices_changed`: the microphones by the names the desktop shows,
        the system default marked; the remembered one stays selected by name, listed as not
        connected while it is unplugged."""
        self._devices = [str(n) for n in names]
        wanted = self.settings.device_name
        default = self.worker.default_device()
        combo = self.device_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(f"{DEFAULT_DEVICE_LABEL} ({default})" if default
                      else DEFAULT_DEVICE_LABEL, None)
        for name in self._devices:
            combo.addItem(f"{name} (default)" if name == default else name, name)
        if wanted and wanted not in self._devices:
            combo.addItem(f"{wanted} (not connected)", wanted)
        index = combo.findData(wanted) if wanted else 0
        combo.setCurrentIndex(max(index, 0))
        combo.setToolTip("The microphone, as the system's sound settings name it")
        combo.blockSignals(False)

    def set_hotkey_status(self, status: ListenerStatus | None) -> None:
        """What the app found about global hotkeys (listener.detect()); shown
        permanently in the status bar and in the settings dialog."""
        self.hotkey_status = status
        self.status.set_hotkey(self.settings, status)

    def show_device_warning(self, message: str) -> None:
        """A notice for the user now (the app's notices: hotkey, recovered sessions...)."""
        self.status.showMessage(message, 8000)

    def _on_device_warning(self, message: str) -> None:
        """Slot for `worker.device_warning`: shown while dictating, when it matters; while
        idle (the microphone stays open for the pre-roll) only kept in the message log."""
        if self.state.active:
            self.status.showMessage(message, 8000)
        else:
            self.status.log_only(message)

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
        """Clear the dictation tab, or close the file tab in front."""
        if self.tabs.current_file is not None:
            self.tabs.close_tab(self.tabs.currentIndex())
            return
        self.worker.clear()
        self.live.set_partial("")
        self.committed.clear_segments()
        self._first_take_at = None

    def copy_all(self) -> None:
        """Edit → Copy all: the tab in front, a line per segment."""
        QGuiApplication.clipboard().setText(self.tabs.current_pane.plain_text())
        self.status.showMessage("Transcript copied to the clipboard", 3000)

    def _on_device_chosen(self, index: int) -> None:
        name = self.device_combo.itemData(index)
        if name != self.settings.device_name:
            self.worker.select_device(name)  # the worker emits settings_changed

    def choose_file(self) -> None:
        """File → Transcribe file…: pick a file, then transcribe it."""
        dialog = QFileDialog(self, "Transcribe file", "", file_filter())
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.transcribe_file)
        dialog.open()

    def transcribe_file(self, path: str) -> FileTranscriptionDialog:
        """Start transcribing `path` in a tab of its own and show its progress dialog."""
        self.last_file = path
        job = self.worker.transcribe_file(path)
        self.tabs.add_file(job, path)
        self.file_dialog = FileTranscriptionDialog(job, path, self)
        self.file_dialog.open()
        return self.file_dialog

    def _on_settings_changed(self, settings: object) -> None:
        """Slot for `worker.settings_changed`: the settings now in force."""
        if isinstance(settings, Settings):
            self.settings = settings
            self.set_devices(self._devices)
            self._update_commit_enabled()
            self.status.set_hotkey(settings, self.hotkey_status)

    def run_error_action(self, action: str) -> None:
        """What an error dialog's action button does (user_errors' action labels)."""
        error = self.error_dialog.error
        if action == OPEN_SETTINGS:
            self.open_settings(error.settings_field if error is not None else None)
        elif action == SHOW_LOG:
            self.show_log_requested.emit()
        elif action == GET_MODEL:
            self.open_welcome(step=3)
        elif action == TRY_AGAIN:
            if error is not None and error.kind == AppErrorKind.FILE_FAILED and self.last_file:
                self.transcribe_file(self.last_file)
            else:
                self.worker.start()

    def show_window(self) -> None:
        self.show()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.raise_()
        self.activateWindow()

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
