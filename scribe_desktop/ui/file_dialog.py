"""Progress of "Transcribe file…": a progress bar fed by the `FileJob`'s `progress` (how far
into the file the transcript has reached) and a Cancel button that cancels the job. The
results themselves go to the file's own tab; this dialog closes when the job ends (finished,
cancelled or failed — the main window shows a failure itself). `file_filter()` is the file
picker's filter: exactly the extensions that decode on this machine.

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

from ..audio.formats import decodable_extensions
from .transcript_view import format_time

if TYPE_CHECKING:
    from ..qt.worker.api import FileJobApi

_STEPS = 1000


def file_filter() -> str:
    """"Audio and video (*.wav *.m4a …);;All files (*)" for what decodes here."""
    patterns = " ".join(f"*.{ext}" for ext in decodable_extensions())
    return f"Audio and video ({patterns});;All files (*)"


class FileTranscriptionDialog(QDialog):
    """Progress and Cancel for one file being transcribed by `job`."""

    def __init__(self, job: FileJobApi, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fileDialog")
        self.setWindowTitle("Transcribe file")
        self.setMinimumWidth(440)
        self._job = job
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

        job.progress.connect(self.set_progress)
        job.finished.connect(self._on_finished)
        job.failed.connect(self._on_failed)

    def set_progress(self, done_s: float, total_s: float) -> None:
        """Slot for the job's `progress`."""
        if total_s > 0:
            self.progress.setRange(0, _STEPS)
            self.progress.setValue(int(_STEPS * min(1.0, max(0.0, done_s / total_s))))
            self.progress.setFormat("%p%")
            self.status_label.setText(f"Transcribed {format_time(done_s)} of "
                                      f"{format_time(total_s)}")
        else:
            self.progress.setRange(0, 0)
            self.status_label.setText(f"Transcribed {format_time(done_s)}")

    def cancel(self) -> None:
        """Cancel button / Esc: cancel the job and close."""
        self.cancelled = True
        self._job.cancel()
        self._close()

    def _on_finished(self, _segments: object) -> None:
        self.progress.setRange(0, _STEPS)
        self.progress.setValue(_STEPS)
        self._close()

    def _on_failed(self, _error: object) -> None:
        if self.isVisible():
            self._close()  # the main window shows the error itself

    def _close(self) -> None:
        for signal, slot in ((self._job.progress, self.set_progress),
                             (self._job.finished, self._on_finished),
                             (self._job.failed, self._on_failed)):
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
