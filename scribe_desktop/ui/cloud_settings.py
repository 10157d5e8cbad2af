"""The settings dialog's ElevenLabs box: the API key (read from and removed in the OS
keyring, never written by the dialog itself; a key held for this run only reads "set for this
session"), region, single-use tokens and "Test connection".
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ..connect.keyring_store import SecretsError, SecretsUnavailableError
from ..protocol.options import Region
from ..qt.settings import Settings, field_spec

REGION_LABELS = {Region.DEFAULT: "Default (global)", Region.US: "United States",
                 Region.EU: "Europe (data residency)", Region.IN: "India (data residency)",
                 Region.SG: "Singapore (data residency)"}


class KeyStore(Protocol):
    """What the dialog needs of `connect.keyring_store.ApiKeyStore` (it never writes a key)."""

    def get_api_key(self) -> str | None: ...
    def delete_api_key(self) -> None: ...


class CloudBox(QGroupBox):
    """The ElevenLabs settings; `key_store` is only read and asked to delete the key."""

    def __init__(self, s: Settings, key_store: KeyStore | None,
                 parent: QWidget | None = None, *, session_key_set: bool = False) -> None:
        super().__init__("ElevenLabs", parent)
        self._key_store = key_store
        self.session_key_set = session_key_set  # a key is held in memory for this run
        self.keyring_available = True
        self.key_stored = False
        cloud = QFormLayout(self)
        self.api_key = QLineEdit(self)
        self.api_key.setObjectName("apiKey")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setClearButtonEnabled(True)
        self.key_status = QLabel(self)
        self.key_status.setObjectName("keyStatus")
        self.key_status.setWordWrap(True)
        self.remove_key = QPushButton("Remove stored key", self)
        self.remove_key.clicked.connect(self._remove_key)
        self.session_only = QCheckBox("Use this key for this run only", self)
        self.session_only.setToolTip("Without an OS keyring the key cannot be saved; it is "
                                     "kept in memory until the app quits, never on disk.")
        key_row = QHBoxLayout()
        key_row.addWidget(self.api_key, 1)
        key_row.addWidget(self.remove_key)
        cloud.addRow("API key:", key_row)
        cloud.addRow("", self.key_status)
        cloud.addRow("", self.session_only)
        self.region = QComboBox(self)
        for region in Region:
            self.region.addItem(REGION_LABELS.get(region, region.value), region)
        self.region.setCurrentIndex(self.region.findData(s.region))
        cloud.addRow(field_spec("region").label + ":", self.region)
        self.single_use = QCheckBox(field_spec("single_use_tokens").label, self)
        self.single_use.setToolTip(field_spec("single_use_tokens").help)
        self.single_use.setChecked(s.single_use_tokens)
        cloud.addRow("", self.single_use)
        self.test_button = QPushButton("Test connection", self)
        self.test_result = QLabel(self)
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        cloud.addRow("", test_row)
        self.refresh_key_status()

    def refresh_key_status(self) -> None:
        stored: str | None = None
        if self._key_store is None:
            self.keyring_available = False
            text = "No keyring connected: the key is used for this run only."
        else:
            try:
                stored = self._key_store.get_api_key()
                text = ("A key is stored in the OS keyring. Type a new one to replace it."
                        if stored else "No key stored yet.")
            except SecretsUnavailableError:
                self.keyring_available = False
                text = ("No OS keyring is available, so the key cannot be saved. It can be "
                        "used for this run only; it is never written to disk.")
            except SecretsError as exc:
                text = f"The keyring could not be read: {exc}"
        self.key_stored = stored is not None
        placeholder = "•••••••• (stored)" if stored else "Paste your API key"
        if self.session_key_set and not stored:
            text = ("A key is set for this session: it is kept in memory until the app "
                    "quits and is never written to disk. Type a new one to replace it.")
            placeholder = "•••••••• (set for this session)"
        self.key_status.setText(text)
        self.remove_key.setEnabled(self.key_stored)
        self.session_only.setVisible(not self.keyring_available)
        self.session_only.setChecked(not self.keyring_available)
        self.api_key.setPlaceholderText(placeholder)

    def _remove_key(self) -> None:
        if self._key_store is not None:
            try:
                self._key_store.delete_api_key()
            except SecretsError as exc:
                self.key_status.setText(f"The key could not be removed: {exc}")
                return
        self.refresh_key_status()

    def set_test_result(self, ok: bool, message: str) -> None:
        """The answer to "Test connection"."""
        self.test_button.setEnabled(True)
        self.test_result.setStyleSheet("color: #1a7f37;" if ok else "color: #b42318;")
        self.test_result.setText(message)
