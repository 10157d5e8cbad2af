"""The settings dialog's "Privacy" tab: redact personal data (which kinds, and what replaces
them, each mode with an example), private mode (no history, no audio, no live export), and
zero retention on the ElevenLabs backend (`enable_logging=false`).

Redaction is the server's (§4 `entity_redaction`, §6.8 `redacted_transcript`): the local
server finds what it can offline (docs/privacy.md), ElevenLabs what its models can.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ..core.backend_kind import BackendKind
from ..protocol.options import EntityRedactionMode
from ..qt.settings import EntityKinds, Settings, field_spec

KIND_LABELS = {
    EntityKinds.ALL: "Everything that can be found",
    EntityKinds.PII: "Personal identifiers (PII): e-mail, phone, card, bank, ID numbers...",
    EntityKinds.PCI: "Payment card numbers only (PCI)",
    EntityKinds.PHI: "Health-privacy identifiers (PHI, HIPAA)",
}
MODE_LABELS = {
    EntityRedactionMode.ENUMERATED_ENTITY_TYPE:
        "Kind and number — “mail {EMAIL_ADDRESS_1} or {EMAIL_ADDRESS_2}”",
    EntityRedactionMode.ENTITY_TYPE: "Kind — “mail {EMAIL_ADDRESS} or {EMAIL_ADDRESS}”",
    EntityRedactionMode.REDACTED: "A blank — “mail {REDACTED} or {REDACTED}”",
}
REDACTION_NOTE = (
    "Said: “my number is five five five one two three four five six seven”. "
    "Shown, typed, saved and exported: “my number is {CONTACT_NUMBER_1}”. The live line "
    "while you speak still shows what is heard; it is never typed or saved. The local "
    "server finds e-mail addresses, phone, card and bank account numbers, US SSNs, IP "
    "addresses, URLs and dates of birth; it cannot find names or places.")


def _note(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setStyleSheet("color: #6b7280;")
    return label


class PrivacyTab(QWidget):
    """Edits the Privacy fields of `Settings`; `edited()` returns them."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("privacyTab")
        layout = QVBoxLayout(self)

        redaction = QGroupBox("Redaction", self)
        form = QFormLayout(redaction)
        self.redact = QCheckBox(field_spec("redact_entities").label, redaction)
        self.redact.setObjectName("redactEntities")
        self.redact.setChecked(settings.redact_entities)
        self.redact.setToolTip(field_spec("redact_entities").help)
        form.addRow(self.redact)
        self.kinds = QComboBox(redaction)
        self.kinds.setObjectName("redactKinds")
        for kind in EntityKinds:
            self.kinds.addItem(KIND_LABELS[kind], kind)
        self.kinds.setCurrentIndex(max(0, self.kinds.findData(settings.redact_kinds)))
        form.addRow(field_spec("redact_kinds").label + ":", self.kinds)
        self.mode = QComboBox(redaction)
        self.mode.setObjectName("redactionMode")
        for mode in MODE_LABELS:
            self.mode.addItem(MODE_LABELS[mode], mode)
        self.mode.setCurrentIndex(max(0, self.mode.findData(settings.redaction_mode)))
        form.addRow(field_spec("redaction_mode").label + ":", self.mode)
        form.addRow(_note(REDACTION_NOTE, redaction))
        layout.addWidget(redaction)

        keeping = QGroupBox("What is kept", self)
        keep_form = QFormLayout(keeping)
        self.private = QCheckBox(field_spec("private_mode").label, keeping)
        self.private.setObjectName("privateMode")
        self.private.setChecked(settings.private_mode)
        keep_form.addRow(self.private)
        keep_form.addRow(_note(field_spec("private_mode").help, keeping))
        self.zero_retention = QCheckBox(field_spec("zero_retention").label, keeping)
        self.zero_retention.setObjectName("zeroRetention")
        self.zero_retention.setChecked(settings.zero_retention)
        keep_form.addRow(self.zero_retention)
        self.zero_note = _note(field_spec("zero_retention").help, keeping)
        keep_form.addRow(self.zero_note)
        layout.addWidget(keeping)
        layout.addStretch(1)

        self.redact.toggled.connect(self._sync)
        self.set_backend(settings.backend)
        self._sync()

    def set_backend(self, kind: BackendKind) -> None:
        """Zero retention is ElevenLabs' own: the local server keeps nothing anyway."""
        self.zero_retention.setEnabled(kind == BackendKind.CLOUD)

    def _sync(self) -> None:
        on = self.redact.isChecked()
        self.kinds.setEnabled(on)
        self.mode.setEnabled(on)

    def edited(self) -> dict[str, object]:
        """The tab's fields, for `dataclasses.replace(settings, **edited)`."""
        return {
            "redact_entities": self.redact.isChecked(),
            "redact_kinds": EntityKinds(self.kinds.currentData()),
            "redaction_mode": EntityRedactionMode(self.mode.currentData()),
            "private_mode": self.private.isChecked(),
            "zero_retention": self.zero_retention.isChecked(),
        }
