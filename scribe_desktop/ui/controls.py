"""The main window's control row: Start/Stop, Commit now, Clear, and the microphone picker
with its rescan button. Only widgets: the window connects them to the worker."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from ..core.lifecycle import DictationState
from .labels import toggle_label


class ControlBar(QWidget):
    """The buttons and the microphone picker, in one row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.toggle_button = QPushButton(toggle_label(DictationState.IDLE), self)
        self.toggle_button.setObjectName("toggleButton")
        self.toggle_button.setToolTip("Start or stop dictation (Ctrl+Space, F9)")
        self.toggle_button.setMinimumWidth(140)
        self.commit_button = QPushButton("Commit now", self)
        self.commit_button.setToolTip("Commit the live text now (manual commit strategy, "
                                      "Ctrl+Enter)")
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setToolTip("Clear both panes")
        for button in (self.toggle_button, self.commit_button, self.clear_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            row.addWidget(button)
        row.addSpacing(16)
        mic_label = QLabel("Microphone:", self)
        row.addWidget(mic_label)
        self.device_combo = QComboBox(self)
        self.device_combo.setObjectName("deviceCombo")
        self.device_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.device_combo.setMinimumContentsLength(14)
        self.device_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        mic_label.setBuddy(self.device_combo)
        row.addWidget(self.device_combo, 1)
        # PortAudio only sees a microphone plugged in after start-up once it rescans
        self.rescan_button = QPushButton("\u21bb", self)
        self.rescan_button.setObjectName("rescanDevices")
        self.rescan_button.setToolTip("Look for microphones again (F5)")
        self.rescan_button.setShortcut("F5")
        self.rescan_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.rescan_button.setFixedWidth(self.rescan_button.sizeHint().height() + 6)
        row.addWidget(self.rescan_button)
