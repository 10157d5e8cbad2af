"""The settings dialog's "Text" tab: how recognised text is shaped before it is used —
spoken commands (with the hotkey, in the window, the pause that sets them apart), filler
removal, numbers, the replacements dictionary (`dictionary_editor.py`), the vocabulary that
biases recognition (key terms: the cloud's `keyterms`, the local engine's hotwords;
`keyterms_editor.py`), and a "Try it" line that shapes typed text with the rules as edited.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..connect import Capabilities
from ..qt.settings import Settings, field_spec
from ..shaping import (
    NumberStyle,
    ShapingRules,
    command_help,
    join,
    read_dictionary,
    shape,
    write_dictionary,
)
from .dictionary_editor import DictionaryEditor
from .keyterms_editor import KeytermsEditor

NUMBER_LABELS = {
    NumberStyle.AS_SPOKEN: "As the engine writes them",
    NumberStyle.DIGITS: "Digits (twenty one → 21)",
    NumberStyle.WORDS: "Words (21 → twenty-one)",
}
TRY_PLACEHOLDER = "Type as the engine would, e.g.: dear team, new paragraph, twenty one " \
                  "apples. Period."


def _note(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setStyleSheet("color: #6b7280;")
    return label


class TextTab(QWidget):
    """Edits the Text fields of `Settings` (and the vocabulary, filler removal);
    `edited()` returns them; `validity_changed` follows the dictionary and the vocabulary."""

    validity_changed = Signal(bool)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("textTab")
        self._language = settings.language
        self._capitalize = settings.smart_spacing
        body = QWidget()
        layout = QVBoxLayout(body)

        commands = QGroupBox("Spoken commands", body)
        form = QFormLayout(commands)
        self.commands_hotkey = QCheckBox(field_spec("spoken_commands").label, commands)
        self.commands_hotkey.setChecked(settings.spoken_commands)
        self.commands_window = QCheckBox(field_spec("spoken_commands_window").label, commands)
        self.commands_window.setChecked(settings.spoken_commands_window)
        spec = field_spec("command_pause_ms")
        self.pause = QSpinBox(commands)
        self.pause.setObjectName("commandPause")
        self.pause.setRange(int(spec.low or 0), int(spec.high or 0))
        self.pause.setSingleStep(50)
        self.pause.setSuffix(" ms")
        self.pause.setValue(settings.command_pause_ms)
        form.addRow("", self.commands_hotkey)
        form.addRow("", self.commands_window)
        form.addRow(spec.label + ":", self.pause)
        phrases = ", ".join(f"“{name}”" for name, _ in command_help())
        form.addRow(_note(f"Say a command on its own, with a short pause before and after: "
                          f"{phrases}. Inside a sentence (“the period of the contract”) the "
                          "words stay text.", commands))
        layout.addWidget(commands)

        text = QGroupBox("Text", body)
        form = QFormLayout(text)
        self.no_verbatim = QCheckBox(field_spec("no_verbatim").label + " (um, uh, er…)", text)
        self.no_verbatim.setChecked(settings.no_verbatim)
        self.no_verbatim.setToolTip(field_spec("no_verbatim").help)
        form.addRow("", self.no_verbatim)
        self.numbers = QComboBox(text)
        for style in NumberStyle:
            self.numbers.addItem(NUMBER_LABELS[style], style)
        self.numbers.setCurrentIndex(self.numbers.findData(settings.number_style))
        form.addRow(field_spec("number_style").label + ":", self.numbers)
        layout.addWidget(text)

        replacements = QGroupBox(field_spec("dictionary").label, body)
        box = QVBoxLayout(replacements)
        box.addWidget(_note("Heard words are written your way: whole words in any case, or "
                            "a regular expression.", replacements))
        # lenient: an unusable entry is shown marked, to be fixed, never dropped
        self.dictionary = DictionaryEditor(read_dictionary(settings.dictionary, lenient=True),
                                           replacements)
        box.addWidget(self.dictionary)
        layout.addWidget(replacements)

        vocabulary = QGroupBox("Vocabulary", body)
        box = QVBoxLayout(vocabulary)
        box.addWidget(_note("Names and jargon the engine should expect (sent as key terms; "
                            "the local engine uses them as hotwords).", vocabulary))
        self.vocabulary = KeytermsEditor(settings.keyterms, vocabulary)
        self.vocabulary.setToolTip(field_spec("keyterms").help)
        box.addWidget(self.vocabulary)
        self.vocabulary_note = _note("", vocabulary)
        self.vocabulary_note.setObjectName("keytermsNote")
        self.vocabulary_note.hide()
        box.addWidget(self.vocabulary_note)
        layout.addWidget(vocabulary)

        trial = QGroupBox("Try it", body)
        form = QFormLayout(trial)
        self.try_input = QLineEdit(trial)
        self.try_input.setObjectName("shapingTryInput")
        self.try_input.setPlaceholderText(TRY_PLACEHOLDER)
        self.try_output = QLabel(trial)
        self.try_output.setObjectName("shapingTryOutput")
        self.try_output.setWordWrap(True)
        form.addRow("Heard:", self.try_input)
        form.addRow("Written:", self.try_output)
        layout.addWidget(trial)
        layout.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.dictionary.validity_changed.connect(self._validity)
        self.vocabulary.validity_changed.connect(self._validity)
        for signal in (self.try_input.textChanged, self.no_verbatim.toggled,
                       self.numbers.currentIndexChanged, self.dictionary.table.itemChanged,
                       self.dictionary.validity_changed):
            signal.connect(self.refresh_trial)
        self.refresh_trial()

    def set_capabilities(self, capabilities: Capabilities) -> None:
        """The chosen backend's engine: the vocabulary is disabled, with the reason, when it
        would do nothing there (its terms are kept for a backend that uses them). Filler
        removal stays: the app removes fillers itself whatever the engine."""
        reason = capabilities.unsupported_reason("keyterms")
        self.vocabulary.setEnabled(reason is None)
        self.vocabulary_note.setText(f"{reason} The terms are kept for a backend that uses "
                                     "them." if reason else "")
        self.vocabulary_note.setVisible(reason is not None)

    def is_valid(self) -> bool:
        return self.dictionary.is_valid() and self.vocabulary.is_valid()

    def _validity(self) -> None:
        self.validity_changed.emit(self.is_valid())

    def rules(self) -> ShapingRules:
        """The rules as edited, as push-to-talk applies them (commands on)."""
        return ShapingRules(
            commands=True, pause_s=self.pause.value() / 1000,
            remove_fillers=self.no_verbatim.isChecked(),
            numbers=NumberStyle(self.numbers.currentData()),
            replacements=self.dictionary.entries() if self.dictionary.is_valid() else (),
            language=self._language or None, capitalize=self._capitalize)

    def refresh_trial(self) -> None:
        heard = self.try_input.text()
        if not heard.strip():
            self.try_output.setText("")
            return
        rules = self.rules()
        result = shape(heard, rules=rules)
        # as inserted at the start of a document
        text = join(None, result.text, capitalize=rules.capitalize).replace("\n", "↵")
        actions = " ".join(f"[{type(a).__name__}]" for a in result.actions)
        self.try_output.setText(" ".join(p for p in (actions, text) if p) or "(nothing)")

    def edited(self) -> dict[str, object]:
        """The tab's fields, for `dataclasses.replace(settings, **edited)`."""
        entries = self.dictionary.entries()
        return {
            "spoken_commands": self.commands_hotkey.isChecked(),
            "spoken_commands_window": self.commands_window.isChecked(),
            "command_pause_ms": self.pause.value(),
            "number_style": NumberStyle(self.numbers.currentData()),
            "dictionary": write_dictionary(entries) if entries else "",
            "no_verbatim": self.no_verbatim.isChecked(),
            "keyterms": self.vocabulary.terms(),
        }
