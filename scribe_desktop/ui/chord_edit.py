"""A chord editor (`ChordEdit`): typed as text or recorded by pressing it; it shows what is
wrong with the chord, and warns when common desktops bind it by default
(`hotkey.desktop_bindings`). While one records, `chord_recording()` says so, and the app
suspends the global hotkeys: the keys reach the dialog and fire nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ..hotkey.chord import ChordError, format_chord, normalize_key, parse_chord
from ..hotkey.desktop_bindings import collision_text

_QT_MODIFIERS = {Qt.Key.Key_Control: "ctrl", Qt.Key.Key_Alt: "alt", Qt.Key.Key_Shift: "shift",
                 Qt.Key.Key_Meta: "super", Qt.Key.Key_Super_L: "super",
                 Qt.Key.Key_Super_R: "super"}
_MODIFIER_FLAGS = ((Qt.KeyboardModifier.ControlModifier, "ctrl"),
                   (Qt.KeyboardModifier.AltModifier, "alt"),
                   (Qt.KeyboardModifier.ShiftModifier, "shift"),
                   (Qt.KeyboardModifier.MetaModifier, "super"))


class ChordRecording(QObject):
    """Announces whether some chord editor is recording (`changed(bool)`)."""

    changed = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.recording: set[int] = set()

    def set(self, editor: object, on: bool) -> None:
        was = bool(self.recording)
        (self.recording.add if on else self.recording.discard)(id(editor))
        if bool(self.recording) != was:
            self.changed.emit(bool(self.recording))


_RECORDING: list[ChordRecording] = []


def chord_recording() -> ChordRecording:
    """The one `ChordRecording` of the app (made on first use)."""
    if not _RECORDING:
        _RECORDING.append(ChordRecording())
    return _RECORDING[0]


class ChordEdit(QWidget):
    """A chord typed as text or recorded by pressing it; `problem()` says what is wrong."""

    changed = Signal()

    def __init__(self, name: str, text: str, *, optional: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.optional = optional
        self.edit = QLineEdit(text, self)
        self.edit.setObjectName(f"{name}Edit")
        self.edit.setPlaceholderText("none" if optional else "e.g. ctrl+shift+space")
        self.record = QPushButton("Record", self)
        self.record.setCheckable(True)
        self.record.setToolTip("Press the keys to use (Esc records Esc)")
        self.error = QLabel(self)
        self.error.setObjectName(f"{name}Error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b42318;")
        self.error.hide()
        self.warning = QLabel(self)
        self.warning.setObjectName(f"{name}Warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #9a6700;")
        self.warning.hide()
        self.held = name == "hotkey"  # held while talking: its release leftovers count
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.record)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.warning)
        self._held: list[str] = []  # modifiers pressed while recording
        self._conflict = ""
        self.edit.textChanged.connect(self._on_text_changed)
        self.edit.editingFinished.connect(self._normalize)
        self.record.toggled.connect(self._on_record)
        self.edit.installEventFilter(self)
        self._show_problem()

    def chord_text(self) -> str:
        """The canonical chord ("ctrl+alt+space"), "" when empty, or the raw text if bad."""
        raw = self.edit.text().strip()
        if not raw:
            return ""
        try:
            return format_chord(parse_chord(raw))
        except ChordError:
            return raw

    def parse_problem(self) -> str:
        raw = self.edit.text().strip()
        if not raw:
            return "" if self.optional else "A hotkey is needed."
        try:
            parse_chord(raw)
        except ChordError as exc:
            return str(exc)
        return ""

    def problem(self) -> str:
        return self.parse_problem() or self._conflict

    def set_conflict(self, text: str) -> None:
        self._conflict = text
        self._show_problem()

    def _show_problem(self) -> None:
        problem = self.problem()
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        warning = self.collision()
        self.warning.setText(warning)
        self.warning.setVisible(bool(warning) and not problem)

    def collision(self) -> str:
        """Which common desktops bind this chord by default ("" if none or invalid)."""
        if self.parse_problem() or not self.chord_text():
            return ""
        return collision_text(parse_chord(self.chord_text()), held=self.held)

    def _on_text_changed(self) -> None:
        self._show_problem()
        self.changed.emit()

    def _normalize(self) -> None:
        if not self.parse_problem() and self.edit.text() != self.chord_text():
            self.edit.setText(self.chord_text())

    # -- recording -------------------------------------------------------------------------
    def _on_record(self, on: bool) -> None:
        self._held = []
        chord_recording().set(self, on)
        self.edit.setReadOnly(on)
        if on:
            self.edit.setFocus()
            self.edit.setPlaceholderText("Press the keys…")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and self.record.isChecked() and isinstance(event, QKeyEvent):
            if event.isAutoRepeat():
                return True
            if event.type() == QEvent.Type.KeyPress:
                self._record_press(event)
                return True
            if event.type() == QEvent.Type.KeyRelease:
                self._record_release(event)
                return True
        return super().eventFilter(watched, event)

    def _record_press(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if key in _QT_MODIFIERS:
            if _QT_MODIFIERS[key] not in self._held:
                self._held.append(_QT_MODIFIERS[key])
            return
        name = normalize_key(QKeySequence(key).toString(
            QKeySequence.SequenceFormat.PortableText))
        mods = [m for flag, m in _MODIFIER_FLAGS if event.modifiers() & flag]
        self._finish_recording("+".join([*mods, name]))

    def _record_release(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if key in _QT_MODIFIERS and self._held == [_QT_MODIFIERS[key]]:
            self._finish_recording(self._held[0])  # a lone modifier (e.g. super)

    def _finish_recording(self, text: str) -> None:
        self.record.setChecked(False)
        self.edit.setText(text)
        self._normalize()
