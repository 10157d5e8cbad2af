"""The settings dialog's "Transcription" tab: language, commit strategy and its voice-activity
values, timestamps (filler-word removal and key terms are on the Text tab).

What the chosen backend's engine does with them comes from `connect.Capabilities`: the
language list holds only the languages it transcribes, by name ("German (de)"). A language
the engine lacks (chosen earlier, for another backend) stays listed, marked, and
`problem()` names it so the dialog cannot be closed with it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QWidget,
)

from ..connect import Capabilities
from ..protocol.languages import SCRIBE_LANGUAGES, canonical, label
from ..protocol.options import VAD_RANGES, CommitStrategy
from ..qt.settings import Settings, field_spec

AUTO_LANGUAGE = "Auto-detect"
NOTE_STYLE = "color: #6b7280;"


def note_label(parent: QWidget, name: str) -> QLabel:
    note = QLabel(parent)
    note.setObjectName(name)
    note.setWordWrap(True)
    note.setStyleSheet(NOTE_STYLE)
    note.hide()
    return note


class TranscriptionTab(QWidget):
    """Edits the Transcription fields; `set_capabilities()` follows the chosen backend."""

    changed = Signal()  # something that affects validity changed

    def __init__(self, s: Settings, capabilities: Capabilities,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcriptionTab")
        self.capabilities = capabilities
        form = QFormLayout(self)
        self.language = QComboBox(self)
        self.language.setObjectName("language")
        self.language.setToolTip(field_spec("language").help)
        self.language.currentIndexChanged.connect(lambda _i: self.changed.emit())
        form.addRow(field_spec("language").label + ":", self.language)
        self.language_note = note_label(self, "languageNote")
        form.addRow("", self.language_note)

        self.strategy = QComboBox(self)
        self.strategy.setObjectName("commit_strategy")
        self.strategy.addItem("Automatic (voice activity detection)", CommitStrategy.VAD)
        self.strategy.addItem("Manual (Commit now / stop)", CommitStrategy.MANUAL)
        self.strategy.setCurrentIndex(max(0, self.strategy.findData(s.commit_strategy)))
        self.strategy.currentIndexChanged.connect(self._on_strategy_changed)
        form.addRow(field_spec("commit_strategy").label + ":", self.strategy)

        self.vad_box = QGroupBox("Voice activity detection", self)
        vad = QFormLayout(self.vad_box)
        self.vad_silence = double_spin("vad_silence_threshold_secs", 0.1, 2,
                                       s.vad_silence_threshold_secs, " s")
        self.vad_threshold = double_spin("vad_threshold", 0.05, 2, s.vad_threshold, "")
        self.min_speech = int_spin("min_speech_duration_ms", 10, s.min_speech_duration_ms,
                                   " ms")
        self.min_silence = int_spin("min_silence_duration_ms", 10, s.min_silence_duration_ms,
                                    " ms")
        for name, spin in (("vad_silence_threshold_secs", self.vad_silence),
                           ("vad_threshold", self.vad_threshold),
                           ("min_speech_duration_ms", self.min_speech),
                           ("min_silence_duration_ms", self.min_silence)):
            low, high = VAD_RANGES[name]
            spin.setToolTip(f"{low:g} to {high:g}")
            vad.addRow(field_spec(name).label + ":", spin)
        form.addRow(self.vad_box)

        self.timestamps = QCheckBox(field_spec("include_timestamps").label, self)
        self.timestamps.setObjectName("include_timestamps")
        self.timestamps.setChecked(s.include_timestamps)
        form.addRow("", self.timestamps)
        self._fill_languages(s.language)
        self._on_strategy_changed()

    # -- the engine ------------------------------------------------------------------------
    def set_capabilities(self, capabilities: Capabilities) -> None:
        """Another backend was chosen: its languages and options (the choice is kept when
        the new engine has it)."""
        chosen = self.language_code()
        self.capabilities = capabilities
        self._fill_languages(chosen)

    def _fill_languages(self, chosen: str) -> None:
        caps = self.capabilities
        combo = self.language
        combo.blockSignals(True)
        combo.clear()
        known = caps.languages
        if known is None:  # a server that did not say: any code may be typed
            combo.setEditable(True)
            codes: tuple[str, ...] = SCRIBE_LANGUAGES
        else:
            combo.setEditable(False)
            codes = known
        single = known is not None and len(known) == 1 and not caps.detects_language
        combo.addItem(f"Automatic: {label(known[0])}" if single and known else AUTO_LANGUAGE,
                      "")
        for code in codes:
            combo.addItem(label(code), code)
        code = canonical(chosen) if chosen else ""
        index = combo.findData(code)
        if index < 0 and code:
            combo.addItem(f"{label(code)} — not available on {caps.engine}", code)
            index = combo.count() - 1
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        self.language_note.setText(caps.language_note)
        self.language_note.show()
        self.changed.emit()

    def language_code(self) -> str:
        """The chosen language as stored ("" for automatic)."""
        data = self.language.currentData()
        text = self.language.currentText().strip()
        if self.language.isEditable() and text and self.language.itemText(
                self.language.currentIndex()) != text:
            return "" if text == AUTO_LANGUAGE else text.lower()  # typed by hand
        return str(data or "")

    def problem(self) -> str | None:
        """Why the chosen language cannot be used with this engine, if so."""
        code = self.language_code()
        if code and not self.capabilities.supports_language(code):
            return (f"{label(code)} is not available on {self.capabilities.engine}: choose "
                    "one of its languages, or another backend.")
        return None

    def _on_strategy_changed(self) -> None:
        self.vad_box.setEnabled(self.strategy.currentData() == CommitStrategy.VAD)


def double_spin(name: str, step: float, decimals: int, value: float,
                suffix: str) -> QDoubleSpinBox:
    low, high = VAD_RANGES[name]
    spin = QDoubleSpinBox()
    spin.setObjectName(name)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setDecimals(decimals)
    spin.setSuffix(suffix)
    spin.setValue(value)
    return spin


def int_spin(name: str, step: int, value: int, suffix: str) -> QSpinBox:
    spec = field_spec(name)
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(int(spec.low or 0), int(spec.high or 0))
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setValue(value)
    return spin
