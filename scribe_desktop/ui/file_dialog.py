"""Progress of "Transcribe file…": a progress bar fed by `worker.file_progress` and a Cancel
button wired to `worker.cancel_file()`. The results themselves go to the committed pane (the
main window listens to `worker.file_finished`); this dialog only closes when they arrive.

Shown with `open()` (window-modal, non-blocking): never `exec()`, see test-rig.md.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from .transcript_view import format_time

if TYPE_CHECKING:  # the real worker pulls in the client; widgets only need its signals
    from ..qt.worker.worker import DictationWorker

_STEPS = 1000


class FileTranscriptionDialog(QDialog):
    """Progress and Cancel for one file being transcribed by `worker`."""

    def __init__(self, worker: DictationWorker, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fileDialog")
        self.setWindowTitle("Transcribe file")
        self.setMinimumWidth(440)
        self._worker = worker
        self.path = path
        self.cancelled = False

        name = QLabel(f"<b>{_escape(Path(path).name)}</b>", self)
        name.setTextFormat(Qt.TextFormat.RichText)
        self.status_label = QLabel("Starting…", self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy until the first progress report
        self.progress.setTextVisible(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.rejected.connect(self.cancel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(name)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)

        worker.file_progress.connect(self.set_progress)
        worker.file_finished.connect(self._on_finished)
        worker.error.connect(self._on_error)

    def set_progress(self, done_s: float, total_s: float) -> None:
        """Slot for `worker.file_progress`."""
        if total_s > 0:
            self.progress.setRange(0, _STEPS)
            self.progress.setValue(int(_STEPS * min(1.0, max(0.0, done_s / total_s))))
            self.progress.setFormat("%p%")
            self.status_label.setText(f"{format_time(done_s)} of {format_time(total_s)}")
        else:
            self.progress.setRange(0, 0)
            self.status_label.setText(f"{format_time(done_s)} transcribed")

    def cancel(self) -> None:
        """Cancel button / Esc: ask the worker to stop and close."""
        self.cancelled = True
        self._worker.cancel_file()
        self._close()

    def _on_finished(self, _segments: object) -> None:
        self.progress.setRange(0, _STEPS)
        self.progress.setValue(_STEPS)
        self._close()

    def _on_error(self, _error: object) -> None:
        if self.isVisible():
            self._close()  # the main window shows the error itself

    def _close(self) -> None:
        for signal, slot in ((self._worker.file_progress, self.set_progress),
                             (self._worker.file_finished, self._on_finished),
                             (self._worker.error, self._on_error)):
            with contextlib.suppress(RuntimeError, TypeError):  # already disconnected
                signal.disconnect(slot)
        self.done(QDialog.DialogCode.Rejected if self.cancelled else QDialog.DialogCode.Accepted)

    def reject(self) -> None:  # Esc and the window's close button mean Cancel
        if not self.cancelled and self.isVisible():
            self.cancel()
        else:
            super().reject()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
