"""The status bar: messages in full, backend (Local, or ElevenLabs + region), connection
state, session time and how far the live text runs behind the voice, from the worker's
`status_changed(WorkerStatus)`; and, permanently, whether the global dictation hotkey works
here, so a user on Wayland learns once and for all to bind `scribe-desktop --toggle` instead.

Messages: QStatusBar draws a temporary message in whatever room the permanent fields leave
(about 25 characters in a normal window), cutting it off. Here a message is a stretching
label of its own, elided in the middle only when the window really is too narrow, with the
whole text as its tooltip; every message is also kept in `log` (View → Messages…).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QStatusBar, QWidget

from ..core.lifecycle import DictationState
from ..hotkey.backends import TOGGLE_HINT, ListenerStatus
from ..qt.settings import Settings
from ..qt.worker.status import WorkerStatus
from .hotkey_settings import chord_label
from .labels import state_label
from .transcript_view import format_time

LOG_LIMIT = 500
LAG_TIP = ("How far the live text runs behind your voice: the time from sending a piece of "
           "audio to seeing its words in the live pane.")


def lag_text(latency_ms: float | None) -> str:
    """"Live text 0.2 s behind" (or a dash before the first live text)."""
    if latency_ms is None:
        return "Live text –"
    return f"Live text {max(latency_ms, 0.0) / 1000:.1f} s behind"


@dataclass(frozen=True, slots=True)
class LoggedMessage:
    at: datetime
    text: str


class ElidedLabel(QLabel):
    """A one-line label that shows its whole text when it fits and elides the middle when
    it does not; the tooltip always holds the whole text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    @property
    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.width() - 2, 0)
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, width)
        super().setText(shown)


class StatusBar(QStatusBar):
    """A message field and four permanent fields (five once the hotkey status is known).
    `showMessage(text, timeout_ms)` shows `text` in full and logs it."""

    message_logged = Signal(object)  # LoggedMessage

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(True)
        self.setStyleSheet("QStatusBar::item { border: none; }")
        self.message = ElidedLabel(self)
        self.message.setObjectName("statusMessage")
        self.message.setContentsMargins(4, 0, 4, 0)
        self.addWidget(self.message, 1)
        self.log: list[LoggedMessage] = []
        self._clear = QTimer(self)
        self._clear.setSingleShot(True)
        self._clear.timeout.connect(lambda: self.message.set_full_text(""))
        self.backend_label = self._field("backendLabel", "Backend", "Local")
        self.connection_label = self._field("connectionLabel", "Connection", "Idle")
        self.session_label = self._field("sessionLabel", "Session time", "Session 00:00")
        self.latency_label = self._field("latencyLabel", LAG_TIP, lag_text(None))
        self.hotkey_label = self._field("hotkeyLabel", "", "")
        self.hotkey_label.hide()  # until the app says what it found (set_hotkey)

    def _field(self, name: str, tip: str, text: str) -> QLabel:
        if len(self.findChildren(QLabel)) > 1:  # the message label comes first
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

    # -- messages --------------------------------------------------------------------------
    def showMessage(self, text: str, timeout: int | None = 0) -> None:
        """Show `text` whole (for `timeout` ms; 0: until the next one) and log it."""
        entry = LoggedMessage(datetime.now().astimezone(), text)
        self.log.append(entry)
        del self.log[:-LOG_LIMIT]
        self.message.set_full_text(text)
        if timeout:
            self._clear.start(timeout)
        else:
            self._clear.stop()
        self.message_logged.emit(entry)

    def log_only(self, text: str) -> None:
        """Keep `text` in the log without showing it (a warning that does not matter now)."""
        entry = LoggedMessage(datetime.now().astimezone(), text)
        self.log.append(entry)
        del self.log[:-LOG_LIMIT]
        self.message_logged.emit(entry)

    def currentMessage(self) -> str:
        return self.message.full_text

    def clearMessage(self) -> None:
        self._clear.stop()
        self.message.set_full_text("")

    # -- fields ----------------------------------------------------------------------------
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
        self.latency_label.setText(lag_text(status.last_partial_latency_ms))
