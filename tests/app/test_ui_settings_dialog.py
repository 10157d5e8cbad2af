"""The settings dialog: protocol limits, key handling in the keyring only, the dictation
hotkey tab, round-trip; the status bar's hotkey field."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox
from pytestqt.qtbot import QtBot

from scribe_desktop.client.errors import error_from_server
from scribe_desktop.connect import UNKNOWN
from scribe_desktop.core.backend_kind import BackendKind
from scribe_desktop.history import HistoryStore
from scribe_desktop.hotkey.backends import TOGGLE_HINT, ListenerKind, ListenerStatus
from scribe_desktop.hotkey.interpreter import HotkeyMode
from scribe_desktop.inject.inserter import InsertMode
from scribe_desktop.protocol.errors import ErrorType
from scribe_desktop.protocol.messages import ServerError
from scribe_desktop.protocol.options import (
    MAX_KEYTERM_CHARS,
    MAX_KEYTERMS,
    VAD_RANGES,
    CommitStrategy,
    Region,
)
from scribe_desktop.qt.settings import LiveExportFormat, Settings
from scribe_desktop.qt.settings_store import SettingsStore
from scribe_desktop.session.user_errors import user_error_for
from scribe_desktop.ui.history_panel import format_bytes
from scribe_desktop.ui.main_window import MainWindow
from scribe_desktop.ui.settings_dialog import SettingsDialog

from .ui_fakes import FakeWorker, MemoryKeyStore, as_worker


def make(qtbot: QtBot, settings: Settings | None = None, **kwargs: object) -> SettingsDialog:
    dialog = SettingsDialog(settings or Settings(), **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def test_vad_spin_boxes_are_limited_to_the_protocol_ranges(qtbot: QtBot) -> None:
    """Each VAD editor accepts only its protocol range."""
    dialog = make(qtbot)
    spins: dict[str, QDoubleSpinBox | QSpinBox] = {
        "vad_silence_threshold_secs": dialog.vad_silence,
        "vad_threshold": dialog.vad_threshold,
        "min_speech_duration_ms": dialog.min_speech,
        "min_silence_duration_ms": dialog.min_silence}
    for name, spin in spins.items():
        low, high = VAD_RANGES[name]
        assert (spin.minimum(), spin.maximum()) == (low, high)
        for typed, shown in ((high * 10, high), (low - 1, low)):
            if isinstance(spin, QSpinBox):
                spin.setValue(int(typed))
            else:
                spin.setValue(typed)
            assert spin.value() == shown


def test_vad_editors_are_enabled_only_for_the_vad_strategy(qtbot: QtBot) -> None:
    """Choosing manual commits disables the VAD parameters."""
    dialog = make(qtbot, Settings(commit_strategy=CommitStrategy.VAD))
    assert dialog.vad_box.isEnabled()
    dialog.strategy.setCurrentIndex(dialog.strategy.findData(CommitStrategy.MANUAL))
    assert not dialog.vad_box.isEnabled()


def test_keyterms_editor_enforces_the_limits_with_a_live_counter(qtbot: QtBot) -> None:
    """Too many or too long key terms block OK and say why; the counter follows typing."""
    dialog = make(qtbot)
    editor = dialog.keyterms
    editor.edit.setPlainText("alpha\nbeta\n\n  gamma  ")
    assert editor.terms() == ("alpha", "beta", "gamma")
    assert editor.counter.text().startswith(f"3 / {MAX_KEYTERMS} terms")
    assert dialog.ok_button.isEnabled()
    editor.edit.setPlainText("x" * (MAX_KEYTERM_CHARS + 1))
    assert not editor.is_valid() and not dialog.ok_button.isEnabled()
    assert f"Longer than {MAX_KEYTERM_CHARS} characters" in editor.problem_text()
    editor.edit.setPlainText("x" * MAX_KEYTERM_CHARS)
    assert dialog.ok_button.isEnabled()
    editor.edit.setPlainText("\n".join(f"term{i}" for i in range(MAX_KEYTERMS + 1)))
    assert not dialog.ok_button.isEnabled()
    assert editor.counter.text().startswith(f"{MAX_KEYTERMS + 1} / {MAX_KEYTERMS}")
    assert "remove 1" in editor.problem_text()


def test_echo_cancellation_is_shown_disabled_with_the_reason(qtbot: QtBot) -> None:
    """Echo cancellation is visible but disabled, with the explanation."""
    dialog = make(qtbot)
    assert not dialog.echo.isEnabled()
    assert "Echo cancellation is not available" in dialog.echo.toolTip()


def test_every_setting_round_trips_through_the_dialog_and_the_store(qtbot: QtBot,
                                                                    tmp_path: Path) -> None:
    """Edited values come back out of the dialog and out of the saved file."""
    dialog = make(qtbot, Settings(), devices=["Built-in Mic", "USB Headset"])
    dialog.backend.setCurrentIndex(dialog.backend.findData(BackendKind.CLOUD))
    dialog.region.setCurrentIndex(dialog.region.findData(Region.EU))
    dialog.single_use.setChecked(False)
    dialog.model_id.setCurrentText("scribe_v2_realtime_turbo")
    dialog.language.setCurrentIndex(dialog.language.findText("German (de)"))
    dialog.strategy.setCurrentIndex(dialog.strategy.findData(CommitStrategy.VAD))
    dialog.vad_silence.setValue(0.8)
    dialog.vad_threshold.setValue(0.55)
    dialog.min_speech.setValue(250)
    dialog.min_silence.setValue(300)
    dialog.timestamps.setChecked(False)
    dialog.no_verbatim.setChecked(True)
    dialog.keyterms.edit.setPlainText("Kubernetes\nPySide")
    dialog.device.setCurrentIndex(dialog.device.findData("USB Headset"))
    dialog.chunk_ms.setValue(200)
    dialog.noise.setCurrentIndex(3)
    dialog.gain.setValue(9)
    dialog.preroll.setValue(750)
    dialog.close_to_tray.setChecked(False)
    dialog.start_minimized.setChecked(True)
    dialog.ok_button.click()
    expected = Settings(backend=BackendKind.CLOUD, region=Region.EU, model_id=
                        "scribe_v2_realtime_turbo", single_use_tokens=False, language="de",
                        commit_strategy=CommitStrategy.VAD, vad_silence_threshold_secs=0.8,
                        vad_threshold=0.55, min_speech_duration_ms=250,
                        min_silence_duration_ms=300, include_timestamps=False,
                        keyterms=("Kubernetes", "PySide"), no_verbatim=True,
                        device_name="USB Headset", chunk_ms=200, noise_suppression=3,
                        auto_gain_dbfs=9, preroll_ms=750, close_to_tray=False,
                        start_minimized=True)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.result_settings() == expected
    store = SettingsStore(tmp_path / "s.ini")
    store.save(dialog.result_settings())
    reopened = make(qtbot, SettingsStore(tmp_path / "s.ini").load())
    assert reopened.collect() == expected


def test_auto_language_maps_to_empty(qtbot: QtBot) -> None:
    """"Auto-detect" is stored as the empty language (server detects it)."""
    dialog = make(qtbot, Settings(backend=BackendKind.CLOUD, language="fr"))
    assert dialog.language.currentText() == "French (fr)"
    dialog.language.setCurrentIndex(0)
    assert dialog.language.currentText() == "Auto-detect"
    assert dialog.collect().language == ""


def test_api_key_goes_to_the_worker_and_never_into_settings(qtbot: QtBot,
                                                            tmp_path: Path) -> None:
    """A typed key goes to worker.set_api_key only, never into Settings or the settings file."""
    keys = MemoryKeyStore()
    worker = FakeWorker()
    window = MainWindow(as_worker(worker), Settings(), key_store=keys)
    qtbot.addWidget(window)
    store = SettingsStore(tmp_path / "s.ini")
    worker.settings_changed.connect(store.save)  # what the app does
    dialog = window.open_settings()
    assert dialog.key_status.text() == "No key stored yet."
    secret = "sk_test_0123456789abcdef"
    dialog.backend.setCurrentIndex(dialog.backend.findData(BackendKind.CLOUD))
    dialog.api_key.setText(secret)
    dialog.ok_button.click()
    assert ("set_api_key", (secret, True)) in worker.calls
    assert dialog.api_key.text() == ""
    assert secret not in repr(window.settings)
    assert secret not in (tmp_path / "s.ini").read_text()
    assert window.settings.backend == BackendKind.CLOUD
    keys.key = secret  # as the worker stored it
    again = window.open_settings()
    assert "stored in the OS keyring" in again.key_status.text()
    assert again.api_key.text() == ""  # the stored key is never shown back
    again.remove_key.click()
    assert keys.key is None


def test_without_a_keyring_the_key_is_offered_for_this_run_only(qtbot: QtBot) -> None:
    """No keyring: the dialog says so and hands the key over for this run only."""
    keys = MemoryKeyStore(unavailable=True)
    dialog = make(qtbot, key_store=keys)
    assert "No OS keyring" in dialog.key_status.text()
    assert dialog.session_only.isChecked() and not dialog.keyring_available
    dialog.api_key.setText("sk_once")
    dialog.session_only.setChecked(False)
    dialog.ok_button.click()
    assert dialog.isVisible() and "this run only" in dialog.problem.text()
    dialog.session_only.setChecked(True)
    with qtbot.waitSignal(dialog.api_key_entered, timeout=1000) as blocker:
        dialog.ok_button.click()
    assert blocker.args == ["sk_once", False]


def test_test_connection_asks_the_worker_and_shows_the_answer(qtbot: QtBot) -> None:
    """"Test connection" passes the edited settings and typed key to the worker and shows
    its answer."""
    worker = FakeWorker()
    window = MainWindow(as_worker(worker), Settings(backend=BackendKind.CLOUD))
    qtbot.addWidget(window)
    dialog = window.open_settings()
    dialog.api_key.setText("sk_try")
    dialog.test_button.click()
    name, (settings, key) = worker.calls[-1]
    assert name == "test_connection" and isinstance(settings, Settings) and key == "sk_try"
    assert not dialog.test_button.isEnabled()
    error = user_error_for(error_from_server(ServerError(ErrorType.AUTH_ERROR, "no")))
    worker.connection_tested.emit(error)
    assert dialog.test_result.text() == f"{error.title}: {error.message}"
    assert dialog.test_button.isEnabled()
    dialog.test_button.click()
    worker.connection_tested.emit(None)
    assert dialog.test_result.text().startswith("Connected")


def test_cancel_keeps_the_old_settings(qtbot: QtBot) -> None:
    """Cancel changes nothing."""
    worker = FakeWorker()
    original = Settings()
    window = MainWindow(as_worker(worker), original)
    qtbot.addWidget(window)
    dialog = window.open_settings()
    dialog.no_verbatim.setChecked(True)
    dialog.reject()
    assert window.settings == original
    assert "apply_settings" not in worker.names()


def test_settings_change_updates_the_commit_button(qtbot: QtBot) -> None:
    """Switching to manual commits while listening enables Commit now."""
    from scribe_desktop.core.lifecycle import DictationState

    worker = FakeWorker()
    window = MainWindow(as_worker(worker), Settings(commit_strategy=CommitStrategy.VAD))
    qtbot.addWidget(window)
    worker.state_changed.emit(DictationState.LISTENING)
    assert not window.commit_button.isEnabled()
    window.apply_settings(dataclasses.replace(window.settings,
                                              commit_strategy=CommitStrategy.MANUAL))
    assert window.commit_button.isEnabled()


@pytest.mark.parametrize("bad", ["english", "e1"])
def test_an_invalid_language_blocks_ok_and_is_named(qtbot: QtBot, bad: str) -> None:
    """A typed language that is not an ISO code (for a server that lists none) keeps the
    dialog open and says why."""
    dialog = make(qtbot, capabilities=lambda _kind: UNKNOWN)
    assert dialog.language.isEditable()
    dialog.language.setCurrentText(bad)
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert "language" in dialog.problem.text()


X11 = ListenerStatus(True, ListenerKind.PYNPUT, "Global hotkeys: pynput")
WAYLAND = ListenerStatus(False, ListenerKind.NONE, "No global hotkey backend: Wayland does "
                        f"not let apps listen to global keys. {TOGGLE_HINT}")


def test_hotkey_settings_round_trip_through_the_dialog_and_the_store(qtbot: QtBot,
                                                                     tmp_path: Path) -> None:
    """Every push-to-talk setting edited in the Dictation hotkey tab comes back out."""
    dialog = make(qtbot, hotkey_status=X11)
    tab = dialog.hotkey
    assert dialog.tabs.tabText(dialog.tabs.indexOf(tab)) == "Dictation hotkey"
    tab.chords["hotkey"].edit.setText("Super+F9")
    tab.chords["cancel_key"].edit.setText("")
    tab.chords["undo_hotkey"].edit.setText("Control+Shift+Z")
    tab.chords["paste_last_hotkey"].edit.setText("ctrl+alt+p")
    tab.mode.setCurrentIndex(tab.mode.findData(HotkeyMode.TOGGLE))
    tab.max_hold.setValue(90)
    tab.insert_mode.setCurrentIndex(tab.insert_mode.findData(InsertMode.TYPE))
    tab.per_segment.setChecked(True)
    tab.smart_spacing.setChecked(False)
    tab.show_overlay.setChecked(False)
    tab.enabled.setChecked(False)
    dialog.ok_button.click()
    expected = Settings(hotkey_enabled=False, hotkey="super+f9", hotkey_mode=HotkeyMode.TOGGLE,
                        cancel_key="", undo_hotkey="ctrl+shift+z",
                        paste_last_hotkey="ctrl+alt+p", max_hold_s=90.0,
                        insert_mode=InsertMode.TYPE, insert_per_segment=True,
                        smart_spacing=False, show_overlay=False)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.result_settings() == expected
    SettingsStore(tmp_path / "s.ini").save(dialog.result_settings())
    reopened = make(qtbot, SettingsStore(tmp_path / "s.ini").load(), hotkey_status=X11)
    assert reopened.collect() == expected
    assert not reopened.hotkey.body.isEnabled()  # the switch is off: nothing to edit
    reopened.hotkey.enabled.setChecked(True)
    assert reopened.hotkey.body.isEnabled()


def test_insertion_offers_exactly_paste_type_and_copy(qtbot: QtBot) -> None:
    """The insertion mode choices are paste, type and copy only."""
    dialog = make(qtbot, hotkey_status=X11)
    combo = dialog.hotkey.insert_mode
    assert [combo.itemData(i) for i in range(combo.count())] == [
        InsertMode.PASTE, InsertMode.TYPE, InsertMode.COPY]


def test_a_bad_chord_shows_its_error_inline_and_blocks_ok(qtbot: QtBot) -> None:
    """An unparsable chord is explained under its editor and OK is disabled until fixed."""
    dialog = make(qtbot, hotkey_status=X11)
    edit = dialog.hotkey.chords["hotkey"]
    edit.edit.setText("ctrl+alt+q+w")
    assert not edit.error.isHidden()
    assert "only one non-modifier key" in edit.error.text()
    assert not dialog.ok_button.isEnabled()
    edit.edit.setText("")
    assert edit.error.text() == "A hotkey is needed." and not dialog.ok_button.isEnabled()
    edit.edit.setText("ctrl+alt+d")
    assert edit.error.isHidden() and dialog.ok_button.isEnabled()
    dialog.hotkey.chords["undo_hotkey"].edit.setText("")  # optional: empty is fine
    assert dialog.ok_button.isEnabled()


@pytest.mark.parametrize("other", ["cancel_key", "undo_hotkey", "paste_last_hotkey"])
def test_a_chord_used_for_two_actions_is_refused(qtbot: QtBot, other: str) -> None:
    """Giving a second action the dictation chord (in any spelling) is refused inline."""
    dialog = make(qtbot, hotkey_status=X11)
    edit = dialog.hotkey.chords[other]
    edit.edit.setText("Shift+Control+SPACE")
    assert edit.error.text() == "Already used for Dictate."
    assert not dialog.ok_button.isEnabled()
    dialog.accept()
    assert dialog.isVisible() and "Already used for Dictate" in dialog.problem.text()
    edit.edit.setText("ctrl+alt+u")
    assert edit.error.isHidden() and dialog.ok_button.isEnabled()


def test_undo_and_paste_last_cannot_share_a_chord(qtbot: QtBot) -> None:
    """Two optional actions on one chord are refused too (not only the dictation chord)."""
    dialog = make(qtbot, hotkey_status=X11)
    dialog.hotkey.chords["paste_last_hotkey"].edit.setText("ctrl+alt+z")
    assert dialog.hotkey.chords["paste_last_hotkey"].error.text() == "Already used for Undo."
    assert dialog.hotkey.chords["undo_hotkey"].error.isHidden()
    assert not dialog.ok_button.isEnabled()


def test_a_chord_is_recorded_by_pressing_it(qtbot: QtBot) -> None:
    """With Record on, pressing keys fills in the chord (Esc too) and recording stops."""
    dialog = make(qtbot, hotkey_status=X11)
    edit = dialog.hotkey.chords["hotkey"]
    edit.record.setChecked(True)
    qtbot.keyClick(edit.edit, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.AltModifier)
    assert edit.edit.text() == "ctrl+alt+space" and not edit.record.isChecked()
    cancel = dialog.hotkey.chords["cancel_key"]
    cancel.edit.setText("")
    cancel.record.setChecked(True)
    qtbot.keyClick(cancel.edit, Qt.Key.Key_Escape)
    assert cancel.edit.text() == "esc" and dialog.isVisible()
    edit.record.setChecked(True)
    qtbot.keyPress(edit.edit, Qt.Key.Key_Meta)
    qtbot.keyRelease(edit.edit, Qt.Key.Key_Meta)
    assert edit.edit.text() == "super"  # a lone modifier is a valid push-to-talk key
    qtbot.keyClick(edit.edit, Qt.Key.Key_A)  # not recording: typing edits the text
    assert edit.edit.text() == "supera"


def test_each_mode_is_explained_in_one_line(qtbot: QtBot) -> None:
    """Choosing a mode shows its one-line explanation."""
    dialog = make(qtbot, hotkey_status=X11)
    tab = dialog.hotkey
    seen = set()
    for mode in HotkeyMode:
        tab.mode.setCurrentIndex(tab.mode.findData(mode))
        text = tab.mode_help.text()
        assert text and "\n" not in text
        seen.add(text)
    assert len(seen) == len(HotkeyMode)
    tab.mode.setCurrentIndex(tab.mode.findData(HotkeyMode.HYBRID))
    assert "tap" in tab.mode_help.text() and "hold" in tab.mode_help.text()


def test_the_hotkey_backend_status_is_shown(qtbot: QtBot) -> None:
    """The tab says which backend listens, or why none can and to bind --start/--stop."""
    available = make(qtbot, hotkey_status=X11)
    assert available.hotkey.backend.text() == "Global hotkeys: X11 (pynput)"
    sway = make(qtbot, hotkey_status=ListenerStatus(True, ListenerKind.SWAY, "sway"))
    assert sway.hotkey.backend.text() == "Global hotkeys: Wayland (sway IPC bindings)"
    wayland = make(qtbot, hotkey_status=WAYLAND)
    text = wayland.hotkey.backend.text()
    assert "Wayland" in text and "scribe-desktop --start --insert" in text


def test_the_status_bar_shows_the_hotkey_permanently(qtbot: QtBot) -> None:
    """The status bar names the chord and mode, or the --toggle fallback, and follows
    settings changes; transient messages do not replace it."""
    worker = FakeWorker()
    window = MainWindow(as_worker(worker), Settings())
    qtbot.addWidget(window)
    window.show()
    label = window.status.hotkey_label
    assert label.isHidden()  # not known yet
    window.set_hotkey_status(X11)
    assert label.isVisible() and label.text() == "Hotkey: Ctrl+Shift+Space (hybrid)"
    window.show_device_warning("something transient")
    assert label.isVisible()
    worker.apply_settings(dataclasses.replace(window.settings, hotkey="f9",
                                              hotkey_mode=HotkeyMode.HOLD))
    assert label.text() == "Hotkey: F9 (hold)"
    worker.apply_settings(dataclasses.replace(window.settings, hotkey_enabled=False))
    assert label.text() == "Hotkey off" and "--toggle" in label.toolTip()
    window.set_hotkey_status(WAYLAND)
    worker.apply_settings(dataclasses.replace(window.settings, hotkey_enabled=True))
    assert label.text() == "No global hotkey — use scribe-desktop --toggle"
    assert "Wayland" in label.toolTip()
    assert window.open_settings().hotkey.backend.text() == WAYLAND.message


def test_history_settings_round_trip_through_the_dialog_and_the_store(qtbot: QtBot,
                                                                      tmp_path: Path) -> None:
    """Keep-audio, the chosen live export file and its format come back out of the dialog
    and out of the saved file."""
    dialog = make(qtbot, hotkey_status=X11)
    tab = dialog.history
    assert dialog.tabs.tabText(dialog.tabs.indexOf(tab)) == "History"
    assert (tab.keep_audio.isChecked(), tab.export_path.text()) == (False, "")
    assert not tab.export_format.isEnabled()  # no file: live export is off
    chosen = str(tmp_path / "captions.SRT")
    tab.choose_file = lambda parent, current: chosen
    tab.browse.click()
    assert tab.export_path.text() == chosen and tab.export_format.isEnabled()
    assert tab.export_format.currentData() == LiveExportFormat.SRT  # from the file's name
    tab.keep_audio.setChecked(True)
    dialog.ok_button.click()
    expected = Settings(keep_session_audio=True, live_export_path=chosen,
                        live_export_format=LiveExportFormat.SRT)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.result_settings() == expected
    SettingsStore(tmp_path / "s.ini").save(dialog.result_settings())
    reopened = make(qtbot, SettingsStore(tmp_path / "s.ini").load(), hotkey_status=X11)
    assert reopened.collect() == expected
    reopened.history.choose_file = lambda parent, current: ""  # the chooser cancelled
    reopened.history.browse.click()
    assert reopened.history.export_path.text() == chosen
    reopened.history.export_path.clear()
    reopened.history.keep_audio.setChecked(False)
    assert not reopened.history.export_format.isEnabled()
    assert reopened.collect() == Settings(live_export_format=LiveExportFormat.SRT)


def test_the_history_tab_shows_the_disk_use_of_the_windows_store(qtbot: QtBot,
                                                                 tmp_path: Path) -> None:
    """Settings opened from the window show what its history store uses on disk."""
    with HistoryStore.open(tmp_path / "history.sqlite3") as store:
        window = MainWindow(as_worker(FakeWorker()), Settings(), history=store)
        qtbot.addWidget(window)
        usage = store.disk_usage()
        assert usage.total_bytes > 0
        text = window.open_settings().history.usage.text()
        assert text == f"The history uses {format_bytes(usage.total_bytes)} on disk."
    assert make(qtbot, hotkey_status=X11).history.usage.text() == \
        "No history is kept this run."


def test_closing_the_microphone_while_idle_states_its_cost_and_round_trips(
        qtbot: QtBot, tmp_path: Path) -> None:
    """The setting says what it costs, greys out the pre-roll it makes unavailable, and is
    saved."""
    dialog = make(qtbot, Settings())
    assert not dialog.close_mic.isChecked() and dialog.preroll.isEnabled()
    assert "first word" in dialog.close_mic.toolTip()
    assert "pre-roll is unavailable" in dialog.close_mic.toolTip()
    dialog.close_mic.setChecked(True)
    assert not dialog.preroll.isEnabled()
    dialog.ok_button.click()
    assert dialog.result_settings().close_mic_when_idle
    store = SettingsStore(tmp_path / "s.ini")
    store.save(dialog.result_settings())
    assert SettingsStore(tmp_path / "s.ini").load().close_mic_when_idle
