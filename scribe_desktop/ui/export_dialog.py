"""File → Export…: write a session as TXT, SRT, WebVTT or JSON to a file the user chooses.

    dialog = ExportDialog(session, parent)   # session: export.ExportSession
    dialog.exported.connect(...)             # the Path written
    dialog.open()                            # window-modal, no nested event loop

`accept()` (the Save button) renders with `export.render` and writes UTF-8; on failure the
dialog stays open and says why. `ask_path` replaces the native save dialog (tests). "Text"
chooses the shaped text (as inserted: spoken commands, replacements, numbers applied) or the
raw text as recognised; it is offered when the two differ.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..export import ExportFormat, ExportOptions, ExportSession, render
from ..export.cues import APPROXIMATE_NOTE
from ..export.model import TextForm
from ..export.tokens import Timing, tokenize
from ..session.user_errors import AppErrorKind, user_error_for

AskPath = Callable[[QWidget, str, str], str]  # (parent, start path, filter) -> path or ""


def _native_ask_path(parent: QWidget, start: str, name_filter: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, "Export transcript", start, name_filter)
    return str(path)


def _filter_for(fmt: ExportFormat) -> str:
    return f"{fmt.label} (*{fmt.suffix})"


class ExportDialog(QDialog):
    """Choose format, options and file; Save writes the file and emits `exported(Path)`."""

    exported = Signal(object)  # pathlib.Path

    def __init__(self, session: ExportSession, parent: QWidget | None = None, *,
                 directory: str | Path | None = None, file_stem: str = "transcript",
                 fmt: ExportFormat = ExportFormat.TXT, ask_path: AskPath | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export transcript")
        self.setMinimumWidth(480)
        self.session = session
        self.written: Path | None = None
        self._ask_path = ask_path or _native_ask_path
        self._approximate = tokenize(list(session.segments)).timing is Timing.APPROXIMATE
        directory = Path(directory) if directory is not None else Path.home()

        self.format_box = QComboBox(self)
        for f in ExportFormat:
            self.format_box.addItem(f"{f.label} (*{f.suffix})", f)
        self.form_box = QComboBox(self)
        self.form_box.setObjectName("exportTextForm")
        for text_form in TextForm:
            self.form_box.addItem(text_form.label, text_form)
        self.form_box.setEnabled(session.has_shaped)
        if not session.has_shaped:
            self.form_box.setToolTip("Nothing was changed by text shaping in this session.")
        self.timestamps_box = QCheckBox("Timestamp each paragraph", self)
        self.path_edit = QLineEdit(str(directory / f"{file_stem}{fmt.suffix}"), self)
        self.path_edit.setObjectName("exportPath")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self.browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        self.note_label = QLabel(self)
        self.note_label.setObjectName("exportNote")
        self.note_label.setWordWrap(True)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("exportError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.hide()

        form = QFormLayout()
        form.addRow("Format:", self.format_box)
        form.addRow("Text:", self.form_box)
        form.addRow("", self.timestamps_box)
        form.addRow("File:", path_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note_label)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.set_format(fmt)
        self._format_changed()

    @property
    def format(self) -> ExportFormat:
        return ExportFormat(self.format_box.currentData())

    def set_format(self, fmt: ExportFormat | str) -> None:
        self.format_box.setCurrentIndex(list(ExportFormat).index(ExportFormat(fmt)))

    @property
    def text_form(self) -> TextForm:
        return TextForm(self.form_box.currentData())

    def set_text_form(self, form: TextForm) -> None:
        self.form_box.setCurrentIndex(self.form_box.findData(form))

    def options(self) -> ExportOptions:
        return ExportOptions(timestamps=self.timestamps_box.isChecked())

    def _format_changed(self) -> None:
        fmt = self.format
        self.timestamps_box.setVisible(fmt is ExportFormat.TXT)
        path = self.path_edit.text().strip()
        if path:  # keep the name, follow the format's suffix
            self.path_edit.setText(str(Path(path).with_suffix(fmt.suffix)))
        # SRT cannot state approximate timing itself (export/srt.py): the dialog says it.
        note = APPROXIMATE_NOTE if self._approximate and fmt in (
            ExportFormat.SRT, ExportFormat.VTT) else ""
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))

    def browse(self) -> None:
        chosen = self._ask_path(self, self.path_edit.text(), _filter_for(self.format))
        if chosen:
            fmt = ExportFormat.for_path(chosen)
            if fmt is None:
                chosen += self.format.suffix
            self.path_edit.setText(chosen)
            if fmt is not None and fmt is not self.format:
                self.set_format(fmt)

    def export_to(self, path: str | Path) -> Path:
        """Write the session to `path` in the chosen format; OSError if it cannot."""
        target = Path(path).expanduser()
        rendered = render(self.session.with_form(self.text_form), self.format, self.options())
        target.write_text(rendered.text, encoding="utf-8", newline="\n")
        return target

    def accept(self) -> None:
        path = self.path_edit.text().strip()
        if not path:
            self._show_error("Choose a file to export to.")
            return
        try:
            self.written = self.export_to(path)
        except OSError as exc:
            if exc.filename is None:  # a write that failed after open(): name the file
                exc.filename = path
            error = user_error_for(exc)
            self._show_error(f"Cannot write {path}: {exc.strerror or exc}"
                             if error.kind == AppErrorKind.INTERNAL
                             else f"{error.title}: {error.message}")
            return
        self.exported.emit(self.written)
        super().accept()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
