"""The key-terms editor: one term per line, with a live counter, enforcing the API limits
(protocol/options: at most MAX_KEYTERMS terms of at most MAX_KEYTERM_CHARS characters each).

Over-long or too many terms are not silently cut (a paste would lose words the user cannot
see): the counter turns red, the problem is named, and `is_valid()` is False so the settings
dialog disables OK until it is fixed.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ..protocol.options import MAX_KEYTERM_CHARS, MAX_KEYTERMS


class KeytermsEditor(QWidget):
    """Edits a tuple of key terms; emits `validity_changed(bool)`."""

    validity_changed = Signal(bool)

    def __init__(self, terms: tuple[str, ...] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName("keytermsEdit")
        self.edit.setPlaceholderText("One term per line, e.g. product names or jargon")
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(90)
        self.counter = QLabel(self)
        self.counter.setObjectName("keytermsCounter")
        self.problem = QLabel(self)
        self.problem.setObjectName("keytermsProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b42318;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit)
        layout.addWidget(self.counter)
        layout.addWidget(self.problem)
        self._valid = True
        self.edit.textChanged.connect(self._refresh)
        self.set_terms(terms)

    def set_terms(self, terms: tuple[str, ...]) -> None:
        self.edit.setPlainText("\n".join(terms))
        self._refresh()

    def terms(self) -> tuple[str, ...]:
        """The non-empty terms, stripped, in order."""
        return tuple(t.strip() for t in self.edit.toPlainText().splitlines() if t.strip())

    def is_valid(self) -> bool:
        return self._valid

    def problem_text(self) -> str:
        return self.problem.text()

    def _refresh(self) -> None:
        terms = self.terms()
        too_long = [t for t in terms if len(t) > MAX_KEYTERM_CHARS]
        problems: list[str] = []
        if len(terms) > MAX_KEYTERMS:
            problems.append(f"Too many terms: remove {len(terms) - MAX_KEYTERMS}.")
        if too_long:
            shown = ", ".join(f"“{t}”" for t in too_long[:3])
            more = f" and {len(too_long) - 3} more" if len(too_long) > 3 else ""
            problems.append(f"Longer than {MAX_KEYTERM_CHARS} characters: {shown}{more}.")
        valid = not problems
        self.counter.setText(f"{len(terms)} / {MAX_KEYTERMS} terms, up to "
                             f"{MAX_KEYTERM_CHARS} characters each")
        self.counter.setStyleSheet("" if len(terms) <= MAX_KEYTERMS else "color: #b42318;")
        self.problem.setText(" ".join(problems))
        self.problem.setVisible(bool(problems))
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)
        self._valid = valid
