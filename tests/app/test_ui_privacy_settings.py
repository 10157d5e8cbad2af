"""The settings dialog's Privacy tab: redaction, private mode and zero retention round-trip."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pytestqt.qtbot import QtBot

from scribe_desktop.core.backend_kind import BackendKind
from scribe_desktop.protocol.options import EntityRedactionMode
from scribe_desktop.qt.settings import EntityKinds, Settings
from scribe_desktop.qt.settings_store import SettingsStore
from scribe_desktop.ui.settings_dialog import SettingsDialog


def make(qtbot: QtBot, settings: Settings) -> SettingsDialog:
    dialog = SettingsDialog(settings, hotkey_status=None, devices=[])
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def test_privacy_choices_round_trip_through_the_dialog_and_the_store(qtbot: QtBot,
                                                                     tmp_path: Path) -> None:
    """Redaction, its kinds and mode, private mode and zero retention come back as edited."""
    dialog = make(qtbot, Settings(backend=BackendKind.CLOUD))
    tab = dialog.privacy
    assert dialog.tabs.tabText(dialog.tabs.indexOf(tab)) == "Privacy"
    assert not tab.redact.isChecked() and not tab.kinds.isEnabled()  # off by default
    tab.redact.click()
    assert tab.kinds.isEnabled() and tab.mode.isEnabled()
    tab.kinds.setCurrentIndex(tab.kinds.findData(EntityKinds.PCI))
    tab.mode.setCurrentIndex(tab.mode.findData(EntityRedactionMode.ENTITY_TYPE))
    tab.private.click()
    tab.zero_retention.click()
    dialog.ok_button.click()
    expected = dataclasses.replace(
        Settings(backend=BackendKind.CLOUD), redact_entities=True, redact_kinds=EntityKinds.PCI,
        redaction_mode=EntityRedactionMode.ENTITY_TYPE, private_mode=True, zero_retention=True)
    assert dialog.result_settings() == expected
    options = dialog.result_settings().session_options()
    assert options.entity_redaction == ("pci",) and options.enable_logging is False
    SettingsStore(tmp_path / "s.ini").save(expected)
    reopened = make(qtbot, SettingsStore(tmp_path / "s.ini").load())
    assert reopened.privacy.edited() == tab.edited()
    assert reopened.privacy.redact.isChecked() and reopened.privacy.private.isChecked()


def test_each_redaction_mode_is_explained_with_an_example(qtbot: QtBot) -> None:
    """The three modes are offered in plain words, each with what it writes."""
    dialog = make(qtbot, Settings())
    tab = dialog.privacy
    labels = [tab.mode.itemText(i) for i in range(tab.mode.count())]
    assert len(labels) == len(EntityRedactionMode) == 3
    assert any("{EMAIL_ADDRESS_1}" in t for t in labels)
    assert any("{EMAIL_ADDRESS}" in t for t in labels)
    assert any("{REDACTED}" in t for t in labels)


def test_zero_retention_applies_only_to_elevenlabs(qtbot: QtBot) -> None:
    """Zero retention is offered for the cloud backend and greyed out for the local one."""
    dialog = make(qtbot, Settings())
    assert not dialog.privacy.zero_retention.isEnabled()
    assert "enable_logging=false" in dialog.privacy.zero_note.text()
    dialog.backend.setCurrentIndex(dialog.backend.findData(BackendKind.CLOUD))
    assert dialog.privacy.zero_retention.isEnabled()
