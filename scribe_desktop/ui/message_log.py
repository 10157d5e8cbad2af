"""View → Messages…: every status-bar message of this run with its time, newest last, so a
note that vanished (or was elided in a narrow window) can be read in full afterwards."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from .status_bar import LoggedMessage, StatusBar


def line(entry: LoggedMessage) -> str:
    return f"{entry.at:%H:%M:%S}  {entry.text}"


class MessageLog(QDialog):
    """A read-only list of `status.log`, following new messages while open."""

    def __init__(self, status: StatusBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageLog")
        self.setWindowTitle("Messages")
        self.resize(620, 320)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setPlaceholderText("No messages yet.")
        self.text.setPlainText("\n".join(line(e) for e in status.log))
        status.message_logged.connect(self._append)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)

    def _append(self, entry: object) -> None:
        if isinstance(entry, LoggedMessage):
            self.text.appendPlainText(line(entry))

    def lines(self) -> list[str]:
        return [ln for ln in self.text.toPlainText().splitlines() if ln]
