"""The settings dialog's Text tab: every field round-trips, bad replacements block OK with
the reason, CSV import/export through the editor, and the "Try it" line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem
from pytestqt.qtbot import QtBot

from scribe_desktop.hotkey.backends import ListenerKind, ListenerStatus
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.settings_store import SettingsStore
from scribe_desktop.shaping import CaseRule, NumberStyle, Replacement
from scribe_desktop.ui.settings_dialog import SettingsDialog

STATUS = ListenerStatus(False, ListenerKind.NONE, "no hotkeys in tests")


def make(qtbot: QtBot, settings: Settings | None = None) -> SettingsDialog:
    dialog = SettingsDialog(settings or Settings(), hotkey_status=STATUS)
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def type_cell(dialog: SettingsDialog, row: int, column: int, text: str) -> None:
    dialog.text_tab.dictionary.table.item(row, column).setText(text)  # type: ignore[union-attr]


def test_text_fields_round_trip_through_the_dialog_and_the_store(qtbot: QtBot,
                                                                 tmp_path: Path) -> None:
    """Every Text field edited in the tab is in the accepted settings and the saved file."""
    dialog = make(qtbot)
    tab = dialog.text_tab
    tab.commands_hotkey.setChecked(False)
    tab.commands_window.setChecked(True)
    tab.pause.setValue(450)
    tab.numbers.setCurrentIndex(tab.numbers.findData(NumberStyle.WORDS))
    tab.no_verbatim.setChecked(True)
    tab.vocabulary.edit.setPlainText("Kubernetes\nPySide")
    tab.dictionary.add_row()
    type_cell(dialog, 0, 0, "scribe desk")
    type_cell(dialog, 0, 1, "Scribe, \"Desktop\"")
    tab.dictionary.add_row()
    type_cell(dialog, 1, 0, r"k8s|kates")
    type_cell(dialog, 1, 1, "Kubernetes")
    for column in (2, 3):
        item = tab.dictionary.table.item(1, column)
        assert isinstance(item, QTableWidgetItem)
        item.setCheckState(Qt.CheckState.Checked)
    dialog.accept()
    result = dialog.result_settings()
    assert (result.spoken_commands, result.spoken_commands_window, result.command_pause_ms,
            result.number_style, result.no_verbatim, result.keyterms) == (
        False, True, 450, NumberStyle.WORDS, True, ("Kubernetes", "PySide"))
    assert result.replacements() == (
        Replacement("scribe desk", "Scribe, \"Desktop\""),
        Replacement("k8s|kates", "Kubernetes", CaseRule.AS_WRITTEN, regex=True))
    assert result.session_options().keyterms == ("Kubernetes", "PySide")
    store = SettingsStore(tmp_path / "settings.ini")
    store.save(result)
    assert store.load() == result


def test_a_bad_replacement_blocks_ok_and_says_which_row(qtbot: QtBot) -> None:
    """An invalid regular expression marks its row, names it, and disables OK."""
    dialog = make(qtbot, Settings(dictionary="a,b\n"))
    editor = dialog.text_tab.dictionary
    assert dialog.ok_button.isEnabled()
    editor.add_row()
    type_cell(dialog, 1, 0, "(unclosed")
    item = editor.table.item(1, 2)
    assert isinstance(item, QTableWidgetItem)
    item.setCheckState(Qt.CheckState.Checked)
    assert not dialog.ok_button.isEnabled()
    assert editor.problem_text().startswith("Row 2: the regular expression “(unclosed” is "
                                            "invalid")
    type_cell(dialog, 1, 0, "(closed)")
    assert dialog.ok_button.isEnabled() and not editor.problem.isVisibleTo(dialog)


def test_an_unusable_stored_entry_is_shown_to_be_fixed(qtbot: QtBot) -> None:
    """A hand-edited dictionary with a bad entry opens with it marked, not dropped."""
    dialog = make(qtbot, Settings(dictionary="good,Good\n(bad,x,regex\n"))
    editor = dialog.text_tab.dictionary
    assert [e.heard for e in editor.entries()] == ["good", "(bad"]
    assert editor.problem_text().startswith("Row 2:") and not dialog.ok_button.isEnabled()


def test_csv_import_merges_and_export_writes_what_imports_back(qtbot: QtBot,
                                                               tmp_path: Path) -> None:
    """Importing replaces entries with the same heard words and adds the others."""
    dialog = make(qtbot, Settings(dictionary="jason,Jason\nkeep,Keep\n"))
    editor = dialog.text_tab.dictionary
    good = tmp_path / "good.csv"
    good.write_bytes("\ufeffheard,written\nJason,Jayson\nnew one,New One\n".encode())
    editor.ask_open = lambda parent, start: str(good)
    editor.import_button.click()
    assert editor.entries() == (Replacement("Jason", "Jayson"), Replacement("keep", "Keep"),
                                Replacement("new one", "New One"))
    assert editor.notice.text() == "Imported 2 entries from good.csv (1 replaced existing ones)."
    out = tmp_path / "out.csv"
    editor.ask_save = lambda parent, start: str(out)
    editor.export_button.click()
    editor.set_entries(())
    assert editor.import_csv(out) and len(editor.entries()) == 3


def test_a_malformed_csv_imports_nothing_and_names_the_lines(qtbot: QtBot,
                                                             tmp_path: Path) -> None:
    """A bad file leaves the table as it was and lists its bad lines."""
    dialog = make(qtbot, Settings(dictionary="keep,Keep\n"))
    editor = dialog.text_tab.dictionary
    bad = tmp_path / "bad.csv"
    bad.write_text("heard,written\nfine,Fine\nonly one\nx,y,sometimes\n")
    assert not editor.import_csv(bad)
    assert editor.entries() == (Replacement("keep", "Keep"),)
    assert editor.problem_text() == (
        "Nothing was imported from bad.csv:\n"
        "Line 3: expected 2 to 4 columns (heard, written, match, case), found 1.\n"
        "Line 4: match must be “word” or “regex”, not “sometimes”.")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("caf\xe9,Café\n".encode("latin-1"))
    assert not editor.import_csv(latin) and "is not UTF-8" in editor.problem_text()


@pytest.mark.parametrize(("typed", "shown"), [
    ("dear team, new paragraph, twenty one apples. Period.", "Dear team,↵↵Twenty one apples."),
    ("the period of the contract", "The period of the contract"),
    ("Scratch that.", "[ScratchLast]"),
])
def test_try_it_shapes_typed_text_with_the_edited_rules(qtbot: QtBot, typed: str,
                                                       shown: str) -> None:
    """The "Try it" line shows what the edited rules make of typed text."""
    dialog = make(qtbot)
    tab = dialog.text_tab
    tab.try_input.setText(typed)
    assert tab.try_output.text() == shown


def test_try_it_follows_the_number_and_filler_settings(qtbot: QtBot) -> None:
    """Changing the number style or filler removal updates the result at once."""
    dialog = make(qtbot)
    tab = dialog.text_tab
    tab.try_input.setText("um, twenty one apples")
    assert tab.try_output.text() == "Um, twenty one apples"
    tab.no_verbatim.setChecked(True)
    tab.numbers.setCurrentIndex(tab.numbers.findData(NumberStyle.DIGITS))
    assert tab.try_output.text() == "21 apples"
