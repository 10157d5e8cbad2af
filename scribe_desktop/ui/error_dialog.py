"""The error dialog for a `UserError`: title, message, and an action button when the error
names one (for example "Open Settings").

Non-blocking: `show_error()` uses `show()`, never `exec()`, so the worker's error signal can be
delivered from the asyncio loop (qasync) without a nested event loop. One dialog is reused: a
second error replaces the first rather than stacking windows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ..session.user_errors import UserError

TEXT_WIDTH_PX = 380


class ErrorDialog(QDialog):
    """Shows one UserError; emits `action_requested(action)` when its button is pressed."""

    action_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setModal(False)
        self.error: UserError | None = None

        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("errorTitle")
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        self.title_label.setWordWrap(True)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("errorMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        text = QVBoxLayout()
        text.setSpacing(8)
        text.addWidget(self.title_label)
        text.addWidget(self.message_label)
        text.addStretch(1)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(icon)
        top.addLayout(text, 1)

        self.buttons = QDialogButtonBox(self)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.action_button = QPushButton(self)
        self.action_button.setObjectName("errorAction")
        self.buttons.addButton(self.action_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.rejected.connect(self.reject)
        self.action_button.clicked.connect(self._on_action)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(16)
        layout.addLayout(top, 1)
        layout.addWidget(self.buttons)

    def show_error(self, error: UserError) -> None:
        """Fill in `error` and show the dialog without blocking."""
        self.error = error
        self.setWindowTitle(error.title)
        for label, text in ((self.title_label, error.title),
                            (self.message_label, error.message)):
            label.setText(text)
            # a word-wrapped label's size hint guesses its width; fix it so the whole text
            # gets the height it needs (otherwise the last line can be cut off)
            label.setFixedWidth(TEXT_WIDTH_PX)
            label.setMinimumHeight(label.heightForWidth(TEXT_WIDTH_PX))
        if error.action:
            self.action_button.setText(error.action)
            self.action_button.show()
            self.action_button.setDefault(True)
        else:
            self.action_button.hide()
            self.close_button.setDefault(True)
        self.adjustSize()
        self.show()
        self.raise_()
        self.activateWindow()

    def _on_action(self) -> None:
        action = self.error.action if self.error else None
        self.accept()
        if action:
            self.action_requested.emit(action)
