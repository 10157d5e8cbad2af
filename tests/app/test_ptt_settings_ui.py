"""The Dictation hotkey tab for push-to-talk: chords common desktops bind are flagged (the
held chord with what its release leaves held), recording a chord pauses the global hotkeys,
and the new settings (sounds, context pause, remote insert) round-trip (offscreen)."""

from __future__ import annotations

import dataclasses

from pytestqt.qtbot import QtBot

from scribe_desktop.hotkey.backends import ListenerKind, ListenerStatus
from scribe_desktop.qt.settings import Settings
from scribe_desktop.ui.chord_edit import chord_recording
from scribe_desktop.ui.settings_dialog import SettingsDialog

X11 = ListenerStatus(True, ListenerKind.PYNPUT, "Global hotkeys: pynput")


def make(qtbot: QtBot, settings: Settings | None = None) -> SettingsDialog:
    dialog = SettingsDialog(settings or Settings(), hotkey_status=X11)
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def test_desktop_bindings_are_flagged_but_allowed(qtbot: QtBot) -> None:
    """Ctrl+Alt+Space warns of Alt+Space (the window menu); the default warns of nothing;
    a tapped chord is judged by itself only; a warning never blocks OK."""
    dialog = make(qtbot)
    chords = dialog.hotkey.chords
    assert all(edit.warning.isHidden() for edit in chords.values())
    chords["hotkey"].edit.setText("ctrl+alt+space")
    warning = chords["hotkey"].warning
    assert not warning.isHidden() and "alt+space is window menu" in warning.text()
    assert "while releasing it" in warning.text() and dialog.ok_button.isEnabled()
    chords["paste_last_hotkey"].edit.setText("ctrl+alt+v")
    assert "Klipper" in chords["paste_last_hotkey"].warning.text()
    chords["undo_hotkey"].edit.setText("super+d")  # GNOME: nothing; Cinnamon: show desktop
    assert "Cinnamon" in chords["undo_hotkey"].warning.text()


def test_recording_a_chord_pauses_the_global_hotkeys(qtbot: QtBot) -> None:
    """Record on: the app is told to suspend its hotkeys; done recording: resume."""
    seen: list[bool] = []
    chord_recording().changed.connect(seen.append)
    try:
        dialog = make(qtbot)
        edit = dialog.hotkey.chords["undo_hotkey"]
        edit.record.setChecked(True)
        assert seen == [True]
        qtbot.keyPress(edit.edit, "z")
        assert not edit.record.isChecked() and seen == [True, False]
        assert edit.chord_text() == "z"
    finally:
        chord_recording().changed.disconnect(seen.append)


def test_push_to_talk_settings_round_trip(qtbot: QtBot) -> None:
    """Sounds, their volume and set, the context pause and remote insert come back out."""
    dialog = make(qtbot)
    tab = dialog.hotkey
    tab.sounds.setChecked(False)
    assert not tab.volume.isEnabled() and not tab.sound_set.isEnabled()
    tab.sounds.setChecked(True)
    tab.volume.setValue(80)
    tab.sound_set.setCurrentIndex(tab.sound_set.findData("clear"))
    tab.context_reset.setValue(15)
    tab.remote_insert.setChecked(True)
    edited = dataclasses.replace(Settings(), **tab.edited())  # type: ignore[arg-type]
    assert (edited.feedback_volume, edited.sound_set, edited.context_reset_s,
            edited.remote_insert, edited.feedback_sounds) == (80, "clear", 15.0, True, True)
