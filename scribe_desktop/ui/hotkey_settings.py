"""The settings dialog's "Dictation hotkey" tab: the global hotkey switch, chord
editors for dictate / cancel / undo / paste-last, the mode, the stuck-key timeout, how text
is inserted, and whether global hotkeys can work here at all (`listener.detect()`).

A chord is typed ("ctrl+shift+space") or recorded by pressing it ("Record"); it is checked
with `parse_chord` as it changes, its error shown under it, and a chord used for two actions
is refused (Settings.validate() refuses the dictation chord reused; here every pair is). A
chord that a common desktop binds by default (`hotkey.desktop_bindings`) gets a warning
under it (allowed: the user may have freed it). While a chord is being recorded, the global
hotkeys are suspended (`chord_recording()`: the app suspends push-to-talk), so the keys reach
the dialog and fire nothing.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from ..hotkey.backends import ListenerStatus
from ..hotkey.chord import ChordError, format_chord, parse_chord
from ..hotkey.interpreter import HotkeyMode
from ..inject.inserter import InsertMode
from ..qt.settings import Settings, field_spec
from .chord_edit import ChordEdit

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
    if status.available and status.kind.value == "sway":
        return "Global hotkeys: Wayland (sway IPC bindings)"
    if status.available:
        return f"Global hotkeys: {session_label()} ({status.kind.value})"
    return status.message


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
        self.remote_insert = QCheckBox(field_spec("remote_insert").label, self.body)
        self.remote_insert.setChecked(s.remote_insert)
        self.remote_insert.setToolTip(field_spec("remote_insert").help)
        for box in (self.per_segment, self.smart_spacing, self.show_overlay,
                    self.remote_insert):
            body.addRow("", box)
        spec = field_spec("context_reset_s")
        self.context_reset = QSpinBox(self.body)
        self.context_reset.setObjectName("context_reset_s")
        self.context_reset.setRange(int(spec.low or 0), int(spec.high or 0))
        self.context_reset.setSuffix(" s")
        self.context_reset.setValue(int(s.context_reset_s))
        self.context_reset.setToolTip(spec.help)
        body.addRow(spec.label + ":", self.context_reset)
        self.sounds = QCheckBox(field_spec("feedback_sounds").label, self.body)
        self.sounds.setChecked(s.feedback_sounds)
        body.addRow("", self.sounds)
        self.sound_set = QComboBox(self.body)
        for name in field_spec("sound_set").choices:
            self.sound_set.addItem(name.title(), name)
        self.sound_set.setCurrentIndex(max(0, self.sound_set.findData(s.sound_set)))
        self.volume = QSpinBox(self.body)
        self.volume.setObjectName("feedback_volume")
        self.volume.setRange(0, 100)
        self.volume.setSuffix(" %")
        self.volume.setValue(s.feedback_volume)
        body.addRow(field_spec("sound_set").label + ":", self.sound_set)
        body.addRow(field_spec("feedback_volume").label + ":", self.volume)
        self.sounds.toggled.connect(self.sound_set.setEnabled)
        self.sounds.toggled.connect(self.volume.setEnabled)
        self.sound_set.setEnabled(s.feedback_sounds)
        self.volume.setEnabled(s.feedback_sounds)
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
            "remote_insert": self.remote_insert.isChecked(),
            "context_reset_s": float(self.context_reset.value()),
            "feedback_sounds": self.sounds.isChecked(),
            "sound_set": str(self.sound_set.currentData()),
            "feedback_volume": int(self.volume.value()),
        }
