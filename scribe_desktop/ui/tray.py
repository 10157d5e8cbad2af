"""The system tray icon: its picture shows the dictation state; its menu starts/stops
dictation, shows the window and quits. Talks to the worker only through `toggle()` and
`state_changed` (the tray is one more trigger of the one state machine, architecture §3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ..core.lifecycle import DictationState
from .icons import state_icon, state_icon_name
from .labels import state_label, toggle_label

if TYPE_CHECKING:
    from ..qt.worker.api import WorkerApi


class Tray(QObject):
    """Owns the QSystemTrayIcon and its menu. `available` is False where the desktop has no
    tray (then close-to-tray must not hide the only window)."""

    show_window_requested = Signal()
    quit_requested = Signal()

    def __init__(self, worker: WorkerApi, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = worker
        self.state = DictationState.IDLE
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu()
        self.toggle_action = QAction(toggle_label(self.state), self.menu)
        self.toggle_action.triggered.connect(worker.toggle)
        self.show_action = QAction("Show window", self.menu)
        self.show_action.triggered.connect(self.show_window_requested)
        self.quit_action = QAction("Quit", self.menu)
        self.quit_action.triggered.connect(self.quit_requested)
        self.menu.addAction(self.toggle_action)
        self.menu.addAction(self.show_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        worker.state_changed.connect(self.set_state)
        self.set_state(DictationState.IDLE)

    @property
    def available(self) -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    @property
    def icon_name(self) -> str:
        """File name of the icon shown now (tests check this)."""
        return state_icon_name(self.state)

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def set_state(self, state: object) -> None:
        """Slot for `worker.state_changed`."""
        if not isinstance(state, DictationState):
            return
        self.state = state
        self.icon.setIcon(state_icon(state))
        self.icon.setToolTip(f"scribe-desktop — {state_label(state)}")
        self.toggle_action.setText(toggle_label(state))

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            self.show_window_requested.emit()
        elif reason == QSystemTrayIcon.ActivationReason.MiddleClick:
            self._worker.toggle()
