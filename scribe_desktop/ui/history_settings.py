"""The settings dialog's "History" tab: keep each session's audio (with what the
history uses on disk now), and live export — a file that committed text is appended to as it
arrives (`live_export.py`), chosen with a file dialog, in plain text or SRT captions.

Every session is recorded in the history whatever these say; they only add to it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ..qt.settings import LiveExportFormat, Settings, field_spec
from .history_panel import format_bytes

if TYPE_CHECKING:
    from ..history.store import DiskUsage

FORMAT_LABELS = {
    LiveExportFormat.TXT: "Plain text, one line per segment (.txt)",
    LiveExportFormat.SRT: "SubRip captions (.srt)",
}


class DiskUsageSource(Protocol):
    """What the tab needs of history.HistoryStore."""

    def disk_usage(self) -> DiskUsage: ...


def _choose_file(parent: QWidget, current: str) -> str:
    path, _ = QFileDialog.getSaveFileName(
        parent, "Live export file", current or str(Path.home() / "scribe-live.txt"),
        "Text or captions (*.txt *.srt);;All files (*)",
        options=QFileDialog.Option.DontConfirmOverwrite)  # it is appended to, not replaced
    return path


class HistoryTab(QWidget):
    """Edits the History fields of `Settings`; `edited()` returns them."""

    def __init__(self, settings: Settings, history: DiskUsageSource | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyTab")
        self._history = history
        # the file chooser, replaceable (tests): (parent, current path) -> path or ""
        self.choose_file: Callable[[QWidget, str], str] = _choose_file
        form = QFormLayout(self)

        self.keep_audio = QCheckBox(field_spec("keep_session_audio").label, self)
        self.keep_audio.setChecked(settings.keep_session_audio)
        self.keep_audio.setToolTip(field_spec("keep_session_audio").help)
        form.addRow("", self.keep_audio)
        self.usage = QLabel(self)
        self.usage.setObjectName("historyUsage")
        self.usage.setWordWrap(True)
        self.usage.setStyleSheet("color: #6b7280;")
        form.addRow("", self.usage)
        self.refresh_usage()

        self.export_path = QLineEdit(settings.live_export_path, self)
        self.export_path.setObjectName("liveExportPath")
        self.export_path.setPlaceholderText("Off")
        self.export_path.setClearButtonEnabled(True)
        self.export_path.setToolTip(field_spec("live_export_path").help)
        self.browse = QPushButton("Choose…", self)
        self.browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.export_path, 1)
        path_row.addWidget(self.browse)
        form.addRow(field_spec("live_export_path").label + ":", path_row)
        self.export_format = QComboBox(self)
        for fmt in LiveExportFormat:
            self.export_format.addItem(FORMAT_LABELS.get(fmt, fmt.value), fmt)
        self.export_format.setCurrentIndex(
            max(0, self.export_format.findData(settings.live_export_format)))
        form.addRow(field_spec("live_export_format").label + ":", self.export_format)
        note = QLabel(field_spec("live_export_path").help, self)
        note.setWordWrap(True)
        note.setStyleSheet("color: #6b7280;")
        form.addRow("", note)
        self.export_path.textChanged.connect(self._on_path_changed)
        self._on_path_changed()

    def refresh_usage(self) -> None:
        """Show what the history uses on disk now (nothing without a history this run)."""
        if self._history is None:
            self.usage.setText("No history is kept this run.")
            return
        try:
            usage = self._history.disk_usage()
        except OSError as exc:
            self.usage.setText(f"The history's disk use cannot be read: {exc}")
            return
        audio = f", of which kept audio {format_bytes(usage.audio_bytes)}" \
            if usage.audio_bytes else ""
        self.usage.setText(f"The history uses {format_bytes(usage.total_bytes)} on disk"
                           f"{audio}.")

    def _browse(self) -> None:
        path = self.choose_file(self, self.export_path.text().strip())
        if not path:
            return  # cancelled: keep what was there
        self.export_path.setText(path)
        suffix = Path(path).suffix.lower().lstrip(".")
        if suffix in {f.value for f in LiveExportFormat}:  # the file's name says the format
            self.export_format.setCurrentIndex(
                self.export_format.findData(LiveExportFormat(suffix)))

    def _on_path_changed(self) -> None:
        self.export_format.setEnabled(bool(self.export_path.text().strip()))

    def edited(self) -> dict[str, object]:
        """The tab's fields, for `dataclasses.replace(settings, **edited)`."""
        return {
            "keep_session_audio": self.keep_audio.isChecked(),
            "live_export_path": self.export_path.text().strip(),
            "live_export_format": LiveExportFormat(self.export_format.currentData()),
        }
