"""The replacements editor: a table of "heard → written" entries, checked as they are
typed (an invalid regular expression or a repeated entry is named, the row is marked and
`is_valid()` turns False so the settings dialog disables OK), with CSV import and export
(`shaping.dictionary_csv`).

A malformed CSV file is not imported at all: the problem names its lines and the table stays
as it was. An imported entry replaces one with the same heard words; others are added.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..shaping import (
    CaseRule,
    DictionaryCsvError,
    Replacement,
    problems,
    read_dictionary,
    write_dictionary,
)

HEARD, WRITTEN, REGEX, AS_WRITTEN = range(4)
CSV_FILTER = "CSV files (*.csv);;All files (*)"
_BAD = QColor("#fde2e1")

AskPath = Callable[[QWidget, str], str]  # (parent, start path) -> path, "" if cancelled


def _ask_open(parent: QWidget, start: str) -> str:
    return QFileDialog.getOpenFileName(parent, "Import replacements", start, CSV_FILTER)[0]


def _ask_save(parent: QWidget, start: str) -> str:
    return QFileDialog.getSaveFileName(parent, "Export replacements", start, CSV_FILTER)[0]


def _key(heard: str) -> str:
    return " ".join(heard.casefold().split())


class DictionaryEditor(QWidget):
    """Edits a tuple of `Replacement`s; emits `validity_changed(bool)`."""

    validity_changed = Signal(bool)

    def __init__(self, entries: tuple[Replacement, ...] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ask_open: AskPath = _ask_open  # replaceable (tests)
        self.ask_save: AskPath = _ask_save
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("dictionaryTable")
        for column, (title, tip) in enumerate((
                ("Heard", "Words as the engine writes them (any case)."),
                ("Written", "How to write them; empty drops them."),
                ("Regex", "“Heard” is a regular expression (case-insensitive) instead of "
                          "whole words."),
                ("As written", "Always write exactly as written, even at a sentence start "
                               "or in all caps."))):
            item = QTableWidgetItem(title)
            item.setToolTip(tip)
            self.table.setHorizontalHeaderItem(column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(HEARD, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(WRITTEN, QHeaderView.ResizeMode.Stretch)
        for column in (REGEX, AS_WRITTEN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(120)
        self.add_button = QPushButton("Add", self)
        self.remove_button = QPushButton("Remove", self)
        self.import_button = QPushButton("Import CSV…", self)
        self.export_button = QPushButton("Export CSV…", self)
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_selected)
        self.import_button.clicked.connect(self._import_chosen)
        self.export_button.clicked.connect(self._export_chosen)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.import_button, self.export_button):
            buttons.addWidget(button)
        self.problem = QLabel(self)
        self.problem.setObjectName("dictionaryProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b42318;")
        self.problem.hide()
        self.notice = QLabel(self)
        self.notice.setObjectName("dictionaryNotice")
        self.notice.setStyleSheet("color: #6b7280;")
        self.notice.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.problem)
        layout.addWidget(self.notice)
        self._valid = True
        self.table.itemChanged.connect(self._refresh)
        self.set_entries(entries)

    # -- the entries ---------------------------------------------------------------------
    def set_entries(self, entries: tuple[Replacement, ...]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for entry in entries:
            self._append(entry)
        self.table.blockSignals(False)
        self._refresh()

    def add_row(self) -> None:
        """A new empty entry, ready to type its heard words."""
        self._append(Replacement("", ""))
        row = self.table.rowCount() - 1
        self.table.setCurrentCell(row, HEARD)
        item = self.table.item(row, HEARD)
        if item is not None:
            self.table.editItem(item)

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows or ([self.table.currentRow()] if self.table.currentRow() >= 0 else []):
            self.table.removeRow(row)
        self._refresh()

    def entries(self) -> tuple[Replacement, ...]:
        """The entries as edited, rows with nothing typed left out."""
        return tuple(e for _, e in self._rows())

    def is_valid(self) -> bool:
        return self._valid

    def problem_text(self) -> str:
        return self.problem.text()

    def _append(self, entry: Replacement) -> None:
        self.table.blockSignals(True)
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, HEARD, QTableWidgetItem(entry.heard))
        self.table.setItem(row, WRITTEN, QTableWidgetItem(entry.written))
        for column, checked in ((REGEX, entry.regex),
                                (AS_WRITTEN, entry.case is CaseRule.AS_WRITTEN)):
            item = QTableWidgetItem()
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                          | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        self._refresh()

    def _rows(self) -> list[tuple[int, Replacement]]:
        out = []
        for row in range(self.table.rowCount()):
            heard, written = self._cell(row, HEARD), self._cell(row, WRITTEN)
            if not heard and not written:
                continue
            as_written = self._checked(row, AS_WRITTEN)
            out.append((row, Replacement(
                heard, written, CaseRule.AS_WRITTEN if as_written else CaseRule.PRESERVE,
                self._checked(row, REGEX))))
        return out

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def _checked(self, row: int, column: int) -> bool:
        item = self.table.item(row, column)
        return item is not None and item.checkState() == Qt.CheckState.Checked

    def _refresh(self) -> None:
        rows = self._rows()
        found = problems([e for _, e in rows])
        bad_rows = {rows[p.row - 1][0] for p in found}
        self.table.blockSignals(True)
        for row in range(self.table.rowCount()):
            for column in (HEARD, WRITTEN):
                item = self.table.item(row, column)
                if item is not None:
                    item.setBackground(QBrush(_BAD) if row in bad_rows else QBrush())
        self.table.blockSignals(False)
        messages = [f"Row {rows[p.row - 1][0] + 1}: {p.reason}" for p in found]
        self._show_problem(" ".join(messages[:3]) + (f" …and {len(messages) - 3} more."
                                                     if len(messages) > 3 else ""))
        valid = not found
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    # -- CSV -------------------------------------------------------------------------------
    def _import_chosen(self) -> None:
        path = self.ask_open(self, str(Path.home()))
        if path:
            self.import_csv(path)

    def _export_chosen(self) -> None:
        path = self.ask_save(self, str(Path.home() / "replacements.csv"))
        if path:
            self.export_csv(path)

    def import_csv(self, path: str | Path) -> bool:
        """Merge the entries of a CSV file; False (and the table unchanged) if it is bad."""
        try:
            imported = read_dictionary(Path(path).read_bytes().decode("utf-8-sig"))
        except OSError as exc:
            self._say("")
            self._show_problem(f"Cannot read {path}: {exc.strerror or exc}")
            return False
        except UnicodeDecodeError:
            self._say("")
            self._show_problem(f"{path} is not UTF-8 text; save it as CSV UTF-8 and retry.")
            return False
        except DictionaryCsvError as exc:
            self._say("")
            self._show_problem(f"Nothing was imported from {Path(path).name}:\n{exc}")
            return False
        merged = list(self.entries())
        where = {_key(e.heard): n for n, e in enumerate(merged) if not e.regex}
        replaced = 0
        for entry in imported:
            n = where.get(_key(entry.heard)) if not entry.regex else None
            if n is None:
                merged.append(entry)
            else:
                merged[n] = entry
                replaced += 1
        self.set_entries(tuple(merged))
        self._say(f"Imported {len(imported)} entries from {Path(path).name}"
                  + (f" ({replaced} replaced existing ones)." if replaced else "."))
        return True

    def export_csv(self, path: str | Path) -> bool:
        """Write the entries as CSV; False (with the reason shown) if it cannot."""
        try:
            Path(path).write_text(write_dictionary(self.entries()), encoding="utf-8",
                                  newline="")
        except OSError as exc:
            self._show_problem(f"Cannot write {path}: {exc.strerror or exc}")
            return False
        self._say(f"Exported {len(self.entries())} entries to {Path(path).name}.")
        return True
