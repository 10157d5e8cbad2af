"""The status bar: backend (Local, or ElevenLabs + region), connection state, session time and
the latency of the last partial, from the worker's `status_changed(WorkerStatus)`; and,
permanently, whether the global dictation hotkey works here, so a user on
Wayland learns once and for all to bind `scribe-desktop --toggle` instead."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QStatusBar, QWidget

from ..core.lifecycle import DictationState
from ..hotkey.backends import TOGGLE_HINT, ListenerStatus
from ..qt.settings import Settings
from ..qt.worker.status import WorkerStatus
from .hotkey_settings import chord_label
from .labels import state_label
from .transcript_view import format_time


class StatusBar(QStatusBar):
    """Four permanent fields (five once the hotkey status is known); `showMessage()` still
    works for transient notes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(True)
        self.setStyleSheet("QStatusBar::item { border: none; }")
        self.backend_label = self._field("backendLabel", "Backend", "Local")
        self.connection_label = self._field("connectionLabel", "Connection", "Idle")
        self.session_label = self._field("sessionLabel", "Session time", "Session 00:00")
        self.latency_label = self._field("latencyLabel",
                                         "Latency of the last partial transcript", "Latency –")
        self.hotkey_label = self._field("hotkeyLabel", "", "")
        self.hotkey_label.hide()  # until the app says what it found (set_hotkey)

    def _field(self, name: str, tip: str, text: str) -> QLabel:
        if self.findChildren(QLabel):
            separator = QFrame(self)
            separator.setFrameShape(QFrame.Shape.VLine)
            separator.setFrameShadow(QFrame.Shadow.Sunken)
            self.addPermanentWidget(separator)
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setToolTip(tip)
        label.setContentsMargins(6, 0, 6, 0)
        self.addPermanentWidget(label)
        return label

    def set_hotkey(self, settings: Settings, status: ListenerStatus | None) -> None:
        """Show the dictation hotkey and mode, that it is off, or that there is no global
        hotkey here and what to use instead. `status` None: unknown (the field stays hidden)."""
        if status is None:
            self.hotkey_label.hide()
            return
        if not settings.hotkey_enabled:
            text = "Hotkey off"
            tip = ("The global hotkey is turned off (Settings → Dictation hotkey). "
                   + TOGGLE_HINT)
        elif status.available:
            text = f"Hotkey: {chord_label(settings.hotkey)} ({settings.hotkey_mode.value})"
            tip = status.message
        else:
            text = "No global hotkey — use scribe-desktop --toggle"
            tip = status.message
        self.hotkey_label.setText(text)
        self.hotkey_label.setToolTip(tip)
        self.hotkey_label.show()

    def set_state(self, state: DictationState) -> None:
        """Before the worker reports a connection, show the dictation state."""
        self.connection_label.setText(state_label(state))

    def set_worker_status(self, status: WorkerStatus) -> None:
        """Slot for `worker.status_changed`."""
        if status.backend_label:
            self.backend_label.setText(status.backend_label)
        self.connection_label.setText(status.connection)
        self.session_label.setText(f"Session {format_time(status.session_s)}")
        latency = status.last_partial_latency_ms
        self.latency_label.setText("Latency –" if latency is None
                                   else f"Latency {latency:.0f} ms")
