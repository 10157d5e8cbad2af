"""Error dialog, file-transcription dialog, tray and level meter, as the user sees them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from scribe_desktop.audio.capture_events import MicrophoneLostError
from scribe_desktop.audio.file_source import FileSourceError
from scribe_desktop.client.errors import (
    ConnectError,
    ConnectionLostError,
    HandshakeRejectedError,
    TokenMintError,
    error_from_server,
)
from scribe_desktop.connect import LocalServerDiedError, MissingApiKeyError
from scribe_desktop.connect.keyring_store import SecretsError, SecretsUnavailableError
from scribe_desktop.connect.server_process import LocalServerError
from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.protocol.errors import ErrorType
from scribe_desktop.protocol.messages import ServerError
from scribe_desktop.protocol.options import OptionsError
from scribe_desktop.qt.settings import Settings
from scribe_desktop.session.file_transcription import FileTranscriptionError
from scribe_desktop.session.live import CommitTimeoutError
from scribe_desktop.session.user_errors import OPEN_SETTINGS, user_error_for
from scribe_desktop.ui.error_dialog import ErrorDialog
from scribe_desktop.ui.file_dialog import FileTranscriptionDialog
from scribe_desktop.ui.icons import ICONS_DIR, app_icon, state_icon
from scribe_desktop.ui.level_meter import FLOOR_DBFS, PEAK_HOLD_S, LevelMeter
from scribe_desktop.ui.main_window import MainWindow
from scribe_desktop.ui.tray import Tray

from .ui_fakes import FakeFileJob, FakeWorker, as_worker, segment

EXCEPTIONS: list[BaseException] = [
    *(error_from_server(ServerError(t, f"{t.value} detail")) for t in ErrorType),
    HandshakeRejectedError("wss://x", 403),
    HandshakeRejectedError("wss://x", 500),
    ConnectError("wss://x", "refused"),
    ConnectionLostError(1006, "gone"),
    TokenMintError("https://x", "boom", 500),
    CommitTimeoutError(5.0),
    LocalServerDiedError(1, "Traceback"),
    LocalServerError("did not start"),
    MicrophoneLostError("USB Headset"),
    SecretsUnavailableError("none"),
    SecretsError("locked"),
    MissingApiKeyError(),
    OptionsError("vad_threshold must be between 0.1 and 0.9"),
    FileSourceError(Path("talk.xyz"), "unknown format"),
    FileTranscriptionError("server closed"),
    RuntimeError("unexpected"),
]


@pytest.mark.parametrize("exc", EXCEPTIONS, ids=lambda e: type(e).__name__ + str(
    getattr(getattr(e, "server_error", None), "error_type", getattr(e, "status", ""))))
def test_every_user_error_shows_its_message(qtbot: QtBot, exc: BaseException) -> None:
    """The main window's error dialog shows the error's title, message and action."""
    worker = FakeWorker()
    window = MainWindow(as_worker(worker), Settings())
    qtbot.addWidget(window)
    error = user_error_for(exc)
    worker.error.emit(error)  # returns at once: the dialog is not modal-blocking
    dialog = window.error_dialog
    assert dialog.isVisible()
    assert dialog.title_label.text() == error.title
    assert dialog.message_label.text() == error.message
    assert dialog.windowTitle() == error.title
    assert dialog.action_button.isVisible() is bool(error.action)
    if error.action:
        assert dialog.action_button.text() == error.action


def test_open_settings_action_opens_the_settings_dialog(qtbot: QtBot) -> None:
    """"Open Settings" on an auth error opens the settings dialog."""
    worker = FakeWorker()
    window = MainWindow(as_worker(worker), Settings())
    qtbot.addWidget(window)
    error = user_error_for(error_from_server(ServerError(ErrorType.AUTH_ERROR, "bad key")))
    assert error.action == OPEN_SETTINGS
    worker.error.emit(error)
    window.error_dialog.action_button.click()
    assert not window.error_dialog.isVisible()
    assert window.settings_dialog is not None and window.settings_dialog.isVisible()


def test_try_again_restarts_dictation(qtbot: QtBot) -> None:
    """"Try again" on a lost connection starts dictation again."""
    worker = FakeWorker()
    window = MainWindow(as_worker(worker), Settings())
    qtbot.addWidget(window)
    worker.error.emit(user_error_for(ConnectionLostError(1006)))
    window.error_dialog.action_button.click()
    assert worker.names() == ["start"]


def test_a_second_error_replaces_the_first(qtbot: QtBot) -> None:
    """One error dialog is reused rather than stacking windows."""
    dialog = ErrorDialog()
    qtbot.addWidget(dialog)
    dialog.show_error(user_error_for(ConnectionLostError(1006)))
    dialog.show_error(user_error_for(MissingApiKeyError()))
    assert dialog.title_label.text() == "API key needed"


def test_file_dialog_shows_progress_cancels_and_closes_on_results(qtbot: QtBot) -> None:
    """The file dialog tracks the job's progress, Cancel cancels it, results land in the
    file's own tab and not in the dictation."""
    worker = FakeWorker()
    window = MainWindow(as_worker(worker), Settings())
    qtbot.addWidget(window)
    dialog = window.transcribe_file("/tmp/talk.wav")
    assert ("transcribe_file", ("/tmp/talk.wav",)) in worker.calls
    assert dialog.isVisible()
    job = worker.jobs[-1]
    job.progress.emit(30.0, 120.0)
    assert dialog.progress.value() == 250
    assert dialog.status_label.text() == "Transcribed 00:30 of 02:00"
    job.segment_added.emit(segment(0, "from the file", start_s=1.0))
    job.finished.emit([segment(0, "from the file", start_s=1.0)])
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Accepted
    assert window.tabs.current_pane.plain_text() == "from the file"
    assert window.tabs.tabText(window.tabs.currentIndex()) == "talk.wav"
    assert window.committed.plain_text() == ""

    second = window.transcribe_file("/tmp/other.wav")
    second.buttons.rejected.emit()  # Cancel
    assert worker.jobs[-1].cancelled
    assert not second.isVisible() and second.cancelled


def test_file_dialog_closes_when_the_file_fails(qtbot: QtBot) -> None:
    """A failed job closes its progress dialog (the main window shows the error)."""
    job = FakeFileJob("/tmp/x.wav")
    dialog = FileTranscriptionDialog(job, "/tmp/x.wav")
    qtbot.addWidget(dialog)
    dialog.open()
    job.failed.emit(user_error_for(FileTranscriptionError("boom")))
    assert not dialog.isVisible()


def test_tray_icon_and_menu_follow_the_state(qtbot: QtBot) -> None:
    """The tray shows the state's icon and its menu toggles, shows and quits."""
    worker = FakeWorker()
    tray = Tray(as_worker(worker))
    assert tray.icon_name == "tray-idle.svg"
    worker.state_changed.emit(DictationState.LISTENING)
    assert tray.icon_name == "tray-listening.svg"
    assert tray.toggle_action.text() == "Stop dictation"
    assert "Listening" in tray.icon.toolTip()
    worker.state_changed.emit(DictationState.ERROR)
    assert tray.icon_name == "tray-error.svg"
    tray.toggle_action.trigger()
    assert worker.names() == ["toggle"]
    with qtbot.waitSignal(tray.show_window_requested, timeout=1000):
        tray.show_action.trigger()
    with qtbot.waitSignal(tray.quit_requested, timeout=1000):
        tray.quit_action.trigger()


def test_icons_are_drawn_svgs_that_load() -> None:
    """The app icon and every state icon load from resources/icons."""
    assert (ICONS_DIR / "app.svg").is_file()
    assert not app_icon().isNull()
    for state in DictationState:
        assert not state_icon(state).pixmap(32, 32).isNull()


def test_level_meter_rises_at_once_falls_smoothly_and_holds_the_peak(qtbot: QtBot) -> None:
    """The meter jumps up, decays at its release rate and holds the peak for a while."""
    now = [100.0]
    meter = LevelMeter(clock=lambda: now[0])
    qtbot.addWidget(meter)
    meter.set_levels(-10.0, -3.0)
    assert meter.level_db == pytest.approx(-10.0)
    assert meter.peak_db == pytest.approx(-3.0)
    now[0] += 0.5
    meter.set_levels(-50.0, -45.0)  # quiet: the bar falls gradually, not at once
    assert -25.0 < meter.level_db < -10.0
    assert meter.peak_db == pytest.approx(-3.0)  # held
    now[0] += PEAK_HOLD_S + 1.0
    meter.tick()
    assert meter.peak_db < -3.0
    now[0] += 10.0
    meter.tick()
    assert meter.level_db == FLOOR_DBFS and meter.peak_db == FLOOR_DBFS
    meter.set_levels(float("nan"), 5.0)  # junk input is clamped, never crashes
    assert meter.peak_db == 0.0
