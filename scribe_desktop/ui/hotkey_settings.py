"""The settings dialog's "Dictation hotkey" tab: the global hotkey switch, chord
editors for dictate / cancel / undo / paste-last, the mode, the stuck-key timeout, how text
is inserted, and whether global hotkeys can work here at all (`listener.detect()`).

A chord is typed ("ctrl+alt+space") or recorded by pressing it ("Record"); it is checked
with `parse_chord` as it changes, its error shown under it, and a chord used for two actions
is refused (Settings.validate() refuses the dictation chord reused; here every pair is).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..hotkey.backends import ListenerStatus
from ..hotkey.chord import ChordError, format_chord, normalize_key, parse_chord
from ..hotkey.interpreter import HotkeyMode
from ..inject.inserter import InsertMode
from ..qt.settings import Settings, field_spec

MODE_LABELS = {
    HotkeyMode.HOLD: "Hold (push-to-talk)",
    HotkeyMode.TOGGLE: "Toggle",
    HotkeyMode.HYBRID: "Hybrid (tap toggles, hold is push-to-talk)",
}
MODE_HELP = {
    HotkeyMode.HOLD: "Hold the keys while you speak; releasing them inserts the text.",
    HotkeyMode.TOGGLE: "Press once to start; press again to stop and insert the text.",
    HotkeyMode.HYBRID: "A short tap starts (tap again to stop); a long hold is push-to-talk.",
}
INSERT_LABELS = {
    InsertMode.PASTE: "Paste (keeps your clipboard)",
    InsertMode.TYPE: "Type the characters",
    InsertMode.COPY: "Copy to the clipboard only",
}
ACTION_NAMES = {"hotkey": "Dictate", "cancel_key": "Cancel", "undo_hotkey": "Undo",
                "paste_last_hotkey": "Paste last"}
_QT_MODIFIERS = {Qt.Key.Key_Control: "ctrl", Qt.Key.Key_Alt: "alt", Qt.Key.Key_Shift: "shift",
                 Qt.Key.Key_Meta: "super", Qt.Key.Key_Super_L: "super",
                 Qt.Key.Key_Super_R: "super"}
_MODIFIER_FLAGS = ((Qt.KeyboardModifier.ControlModifier, "ctrl"),
                   (Qt.KeyboardModifier.AltModifier, "alt"),
                   (Qt.KeyboardModifier.ShiftModifier, "shift"),
                   (Qt.KeyboardModifier.MetaModifier, "super"))


def chord_label(text: str) -> str:
    """A chord as people write it: "ctrl+alt+space" -> "Ctrl+Alt+Space" ("" stays "")."""
    try:
        chord = parse_chord(text)
    except ChordError:
        return text.strip()
    return "+".join(k if len(k) == 1 and not k.isalpha() else k.replace("_", " ").title()
                    .replace(" ", "") for k in format_chord(chord).split("+"))


def session_label(platform: str = sys.platform) -> str:
    if platform.startswith("win"):
        return "Windows"
    if platform == "darwin":
        return "macOS"
    return "X11"


def backend_text(status: ListenerStatus) -> str:
    """"Global hotkeys: X11 (pynput)", or why there are none and what to do instead."""
    if status.available:
        return f"Global hotkeys: {session_label()} ({status.kind.value})"
    return status.message


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
        self.edit.setPlaceholderText("none" if optional else "e.g. ctrl+alt+space")
        self.record = QPushButton("Record", self)
        self.record.setCheckable(True)
        self.record.setToolTip("Press the keys to use (Esc records Esc)")
        self.error = QLabel(self)
        self.error.setObjectName(f"{name}Error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b42318;")
        self.error.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.record)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)
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

    def _on_text_changed(self) -> None:
        self._show_problem()
        self.changed.emit()

    def _normalize(self) -> None:
        if not self.parse_problem() and self.edit.text() != self.chord_text():
            self.edit.setText(self.chord_text())

    # -- recording -------------------------------------------------------------------------
    def _on_record(self, on: bool) -> None:
        self._held = []
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


class HotkeyTab(QWidget):
    """The "Dictation hotkey" tab; `apply_to(settings)` returns the edited copy."""

    validity_changed = Signal(bool)

    def __init__(self, s: Settings, status: ListenerStatus,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.backend = QLabel(backend_text(status), self)
        self.backend.setObjectName("hotkeyBackend")
        self.backend.setWordWrap(True)
        self.backend.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if not status.available:
            self.backend.setStyleSheet("color: #9a6700;")
        form.addRow(self.backend)
        self.enabled = QCheckBox(field_spec("hotkey_enabled").label, self)
        self.enabled.setChecked(s.hotkey_enabled)
        self.enabled.toggled.connect(self._on_enabled)
        form.addRow("", self.enabled)

        self.body = QWidget(self)
        body = QFormLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        self.chords: dict[str, ChordEdit] = {}
        for name, optional in (("hotkey", False), ("cancel_key", True),
                               ("undo_hotkey", True), ("paste_last_hotkey", True)):
            edit = ChordEdit(name, getattr(s, name), optional=optional, parent=self.body)
            edit.setToolTip(field_spec(name).help)
            edit.changed.connect(self._check)
            self.chords[name] = edit
            body.addRow(field_spec(name).label + ":", edit)
        self.mode = QComboBox(self.body)
        for mode in HotkeyMode:
            self.mode.addItem(MODE_LABELS[mode], mode)
        self.mode.setCurrentIndex(self.mode.findData(s.hotkey_mode))
        self.mode_help = QLabel(self.body)
        self.mode_help.setObjectName("modeHelp")
        self.mode_help.setWordWrap(True)
        self.mode_help.setStyleSheet("color: #6b7280;")
        self.mode.currentIndexChanged.connect(self._on_mode)
        body.addRow(field_spec("hotkey_mode").label + ":", self.mode)
        body.addRow("", self.mode_help)
        spec = field_spec("max_hold_s")
        self.max_hold = QDoubleSpinBox(self.body)
        self.max_hold.setObjectName("max_hold_s")
        self.max_hold.setRange(spec.low or 0, spec.high or 0)
        self.max_hold.setDecimals(0)
        self.max_hold.setSingleStep(10)
        self.max_hold.setSuffix(" s")
        self.max_hold.setValue(s.max_hold_s)
        self.max_hold.setToolTip(spec.help)
        body.addRow(spec.label + ":", self.max_hold)
        self.insert_mode = QComboBox(self.body)
        for insert_mode in InsertMode:
            self.insert_mode.addItem(INSERT_LABELS[insert_mode], insert_mode)
        self.insert_mode.setCurrentIndex(self.insert_mode.findData(s.insert_mode))
        body.addRow(field_spec("insert_mode").label + ":", self.insert_mode)
        self.per_segment = QCheckBox(field_spec("insert_per_segment").label, self.body)
        self.per_segment.setChecked(s.insert_per_segment)
        self.smart_spacing = QCheckBox(field_spec("smart_spacing").label, self.body)
        self.smart_spacing.setChecked(s.smart_spacing)
        self.show_overlay = QCheckBox(field_spec("show_overlay").label, self.body)
        self.show_overlay.setChecked(s.show_overlay)
        for box in (self.per_segment, self.smart_spacing, self.show_overlay):
            body.addRow("", box)
        form.addRow(self.body)
        self._valid = True
        self._on_mode()
        self._on_enabled(s.hotkey_enabled)
        self._check()

    def _on_enabled(self, on: bool) -> None:
        self.body.setEnabled(on)

    def _on_mode(self) -> None:
        self.mode_help.setText(MODE_HELP[HotkeyMode(self.mode.currentData())])

    def _check(self) -> None:
        """Mark every chord used for an earlier action too; announce the validity."""
        seen: dict[frozenset[str], str] = {}
        for name, edit in self.chords.items():
            conflict = ""
            if not edit.parse_problem() and edit.chord_text():
                keys = parse_chord(edit.chord_text()).keys
                if keys in seen:
                    conflict = f"Already used for {ACTION_NAMES[seen[keys]]}."
                else:
                    seen[keys] = name
            edit.set_conflict(conflict)
        valid = not self.problem()
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)

    def problem(self) -> str:
        """The first chord problem, named ("Undo last dictation: ..."), or ""."""
        for name, edit in self.chords.items():
            if edit.problem():
                return f"{field_spec(name).label}: {edit.problem()}"
        return ""

    def is_valid(self) -> bool:
        return self._valid

    def edited(self) -> dict[str, object]:
        """The tab's fields, for `dataclasses.replace(settings, **edited)`."""
        return {
            "hotkey_enabled": self.enabled.isChecked(),
            **{name: edit.chord_text() for name, edit in self.chords.items()},
            "hotkey_mode": HotkeyMode(self.mode.currentData()),
            "max_hold_s": float(self.max_hold.value()),
            "insert_mode": InsertMode(self.insert_mode.currentData()),
            "insert_per_segment": self.per_segment.isChecked(),
            "smart_spacing": self.smart_spacing.isChecked(),
            "show_overlay": self.show_overlay.isChecked(),
        }
