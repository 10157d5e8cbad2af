"""The main window's dialogs and side windows: Settings, Export, History, the message log,
About and the welcome (Help → Welcome…, and at the first start). A base class of
`main_window.MainWindow`, which holds the controls and panes these read; each dialog is
opened with `open()`/`show()`, never `exec()` (test-rig.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QMainWindow

from ..hotkey.backends import ListenerStatus
from ..qt.settings import Settings
from ..session.user_errors import UserError
from . import about
from .cloud_settings import KeyStore
from .message_log import MessageLog
from .settings_dialog import SettingsDialog
from .status_bar import StatusBar
from .transcript_tabs import TranscriptTabs

if TYPE_CHECKING:
    from ..history import HistoryStore
    from ..models import ModelStore
    from ..qt.worker.api import WorkerApi
    from .history_window import HistoryWindow
    from .tray import Tray
    from .welcome import Welcome


class WindowDialogs(QMainWindow):
    """Opens the window's dialogs; `MainWindow` sets the attributes declared here."""

    show_log_requested = Signal()  # an error's "Show log" action; the app knows the file

    worker: WorkerApi
    settings: Settings
    status: StatusBar
    tabs: TranscriptTabs
    tray: Tray | None
    key_store: KeyStore
    history: HistoryStore | None
    hotkey_status: ListenerStatus | None
    settings_dialog: SettingsDialog | None
    history_window: HistoryWindow | None
    message_log: MessageLog | None
    welcome: Welcome | None
    model_store: ModelStore | None  # the speech models' store (None: the default one)
    model_endpoint: str | None  # where models download from (None: the Hub)
    reinsert: Callable[[str], object]
    _devices: list[str]

    def open_settings(self, field: str | None = None) -> SettingsDialog:
        """Settings (Ctrl+,): a non-blocking dialog; OK applies and saves. `field`: the
        setting to show and focus (an error's "Open Settings")."""
        if self.settings_dialog is not None and self.settings_dialog.isVisible():
            self.settings_dialog.raise_()
            self.settings_dialog.show_field(field)
            return self.settings_dialog
        dialog = SettingsDialog(self.settings, key_store=self.key_store, devices=self._devices,
                                hotkey_status=self.hotkey_status, history=self.history,
                                capabilities=self.worker.capabilities_for,
                                session_key_set=self.worker.api_keys.session_only,
                                tray_available=self.tray is not None and self.tray.available,
                                parent=self)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings()))
        dialog.test_connection_requested.connect(self.worker.test_connection)
        dialog.api_key_entered.connect(self.worker.set_api_key)
        # a model installed or removed changes what "the best installed" is: the local
        # server starts again with it (a running dictation keeps the old one until it ends)
        dialog.models.models_changed.connect(self.worker.reload_backend)
        self.settings_dialog = dialog
        dialog.open()
        dialog.show_field(field)
        return dialog

    def apply_settings(self, settings: Settings) -> None:
        """Hand edited settings to the worker (which validates, applies and announces them
        with `settings_changed`; the app persists them from there)."""
        if settings != self.settings:
            self.worker.apply_settings(settings)

    def _on_connection_tested(self, error: object) -> None:
        """Slot for `worker.connection_tested` (None: the connection works)."""
        dialog = self.settings_dialog
        if dialog is None or not dialog.isVisible():
            return
        if isinstance(error, UserError):
            dialog.set_test_result(False, f"{error.title}: {error.message}")
        else:
            dialog.set_test_result(True, "Connected: the backend accepted the settings.")

    def export_transcript(self) -> QDialog | None:
        """File → Export…: the tab in front as TXT, SRT, WebVTT or JSON."""
        if not self.tabs.current_pane.segments:
            self.status.showMessage("Nothing to export yet", 4000)
            return None
        from ..export import SessionMeta
        from .export_dialog import ExportDialog

        meta = SessionMeta(backend=self.settings.backend.value, model_id=self.settings.model_id,
                           language_code=self.settings.language or None)
        dialog = ExportDialog(self.tabs.session(meta), self, file_stem=self.tabs.export_stem())
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

    def open_message_log(self) -> MessageLog:
        """View → Messages…: the status bar's messages of this run, in full."""
        if self.message_log is None:
            self.message_log = MessageLog(self.status, self)
        self.message_log.show()
        self.message_log.raise_()
        return self.message_log


    def show_about(self) -> None:
        about.show_about(self)

    def open_welcome(self, step: int = 0) -> Welcome:
        """Help → Welcome… (and the first start): microphone, test, hotkey, speech model."""
        if self.welcome is not None and self.welcome.isVisible():
            self.welcome.go(step)
            self.welcome.raise_()
            return self.welcome
        from ..models import ModelStore
        from .welcome import Welcome

        store = self.model_store if self.model_store is not None else ModelStore()
        welcome = Welcome(self.worker, self.settings, devices=self._devices, store=store,
                          endpoint=self.model_endpoint, hotkey_status=self.hotkey_status,
                          parent=self)
        welcome.completed.connect(self._welcome_completed)
        self.welcome = welcome
        welcome.go(step)
        welcome.show()
        return welcome

    def _welcome_completed(self, _finished: bool) -> None:
        """Finished or skipped: it is not shown by itself again."""
        if not self.settings.welcome_done:
            self.apply_settings(dataclasses.replace(self.settings, welcome_done=True))
