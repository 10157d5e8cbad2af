"""Settings mean what they say: each option shows whether the chosen backend's engine uses it,
languages are listed by name and only those the engine transcribes, a key held for this run
reads "set for this session", tray options appear only with a tray, and a field can be
brought to the front and focused (finding 3 of the first hour)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from scribe_desktop.connect import CLOUD, POCKETSPHINX, Capabilities
from scribe_desktop.core.backend_kind import BackendKind
from scribe_desktop.qt.settings import Settings
from scribe_desktop.ui.settings_dialog import SettingsDialog

from .ui_fakes import MemoryKeyStore
from .widget_shots import save_shot

WHISPER = Capabilities.from_ready({"event": "ready", "engine": "whisper", "model": "small",
                                   "languages": ["en", "de", "fr", "ja"],
                                   "features": ["keyterms"]})


def make(qtbot: QtBot, settings: Settings | None = None, **kwargs: Any) -> SettingsDialog:
    dialog = SettingsDialog(settings or Settings(), **kwargs)
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def items(dialog: SettingsDialog) -> list[str]:
    return [dialog.language.itemText(i) for i in range(dialog.language.count())]


def test_the_local_engine_offers_only_english_and_says_what_it_ignores(
        qtbot: QtBot, tmp_path: Path) -> None:
    """On pocketsphinx: English only by name; key terms and model disabled with the reason
    (filler removal stays: the app removes fillers itself); on ElevenLabs all of them come
    back and 99 named languages."""
    dialog = make(qtbot, Settings(keyterms=("Kubernetes",), no_verbatim=True))
    dialog.tabs.setCurrentWidget(dialog.transcription)
    assert items(dialog) == ["Automatic: English (en)", "English (en)"]
    assert not dialog.language.isEditable()
    assert not dialog.keyterms.isEnabled() and dialog.no_verbatim.isEnabled()
    note = dialog.text_tab.vocabulary_note
    assert not note.isHidden()
    assert note.text().startswith("The local engine (pocketsphinx) does not use key terms.")
    assert not dialog.model_id.isEnabled() and "a model choice" in dialog.model_note.text()
    save_shot(dialog, "settings-local-engine", tmp_path)
    assert dialog.collect().keyterms == ("Kubernetes",)  # kept for ElevenLabs

    dialog.backend.setCurrentIndex(dialog.backend.findData(BackendKind.CLOUD))
    assert dialog.keyterms.isEnabled() and dialog.no_verbatim.isEnabled()
    assert dialog.model_id.isEnabled()
    assert dialog.text_tab.vocabulary_note.isHidden()
    names = items(dialog)
    assert names[0] == "Auto-detect" and len(names) == 1 + 99
    assert {"German (de)", "Japanese (ja)", "Asturian (ast)", "Mandarin Chinese (zh)"} \
        <= set(names)
    save_shot(dialog, "settings-cloud-languages", tmp_path)


def test_a_language_the_engine_lacks_is_marked_and_blocks_ok(qtbot: QtBot) -> None:
    """German chosen earlier shows as unavailable on pocketsphinx and OK stays off until
    another language is chosen."""
    dialog = make(qtbot, Settings(language="de"))
    assert dialog.language.currentText() == "German (de) — not available on pocketsphinx"
    assert not dialog.ok_button.isEnabled()
    assert "German (de) is not available on pocketsphinx" in dialog.problem.text()
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    assert dialog.ok_button.isEnabled() and not dialog.problem.isVisibleTo(dialog)
    dialog.ok_button.click()
    assert dialog.result_settings().language == "en"


def test_the_local_engine_lists_what_its_ready_line_declares(qtbot: QtBot) -> None:
    """A Whisper engine that declares its languages and features gets them, by name."""
    def capabilities(kind: BackendKind) -> Capabilities:
        return WHISPER if kind == BackendKind.LOCAL else CLOUD
    dialog = make(qtbot, Settings(language="de"), capabilities=capabilities)
    assert items(dialog) == ["Auto-detect", "English (en)", "German (de)", "French (fr)",
                             "Japanese (ja)"]
    assert dialog.language.currentText() == "German (de)" and dialog.ok_button.isEnabled()
    assert dialog.keyterms.isEnabled() and dialog.no_verbatim.isEnabled()
    assert dialog.text_tab.vocabulary_note.isHidden()
    assert POCKETSPHINX.languages == ("en",)


def test_a_key_for_this_run_reads_set_for_this_session(qtbot: QtBot) -> None:
    """Reopened settings show the run-only key as set, not as an empty field."""
    dialog = make(qtbot, Settings(backend=BackendKind.CLOUD),
                  key_store=MemoryKeyStore(unavailable=True), session_key_set=True)
    assert dialog.api_key.placeholderText() == "•••••••• (set for this session)"
    assert dialog.key_status.text().startswith("A key is set for this session")


def test_tray_options_only_where_there_is_a_tray(qtbot: QtBot, tmp_path: Path) -> None:
    """Without a tray, close-to-tray and start-minimized are hidden and a note says why."""
    dialog = make(qtbot, tray_available=False)
    dialog.tabs.setCurrentIndex(dialog.tabs.count() - 1)
    assert not dialog.close_to_tray.isVisibleTo(dialog)
    assert not dialog.start_minimized.isVisibleTo(dialog)
    assert dialog.tray_note.isVisibleTo(dialog) and "no system tray" in dialog.tray_note.text()
    save_shot(dialog, "settings-no-tray", tmp_path)
    with_tray = make(qtbot, tray_available=True)
    assert not with_tray.close_to_tray.isHidden() and with_tray.tray_note.isHidden()


def test_show_field_brings_its_tab_forward_and_focuses_it(qtbot: QtBot) -> None:
    """show_field opens the tab of the named setting and gives its editor the focus."""
    dialog = make(qtbot, Settings(backend=BackendKind.CLOUD))
    dialog.activateWindow()
    for name, tab in (("language", "Transcription"), ("api_key", "Backend"),
                      ("chunk_ms", "Audio"), ("keyterms", "Text"),
                      ("single_use_tokens", "Backend")):
        widget = dialog.show_field(name)
        assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == tab
        assert widget is not None and dialog.focusWidget() is widget, name
    assert dialog.show_field("hotkey") is None
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Dictation hotkey"
    QApplication.processEvents()
