"""What the app keeps for the user is private on disk: 0600 files in 0700 folders."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from scribe_desktop.app.logging_setup import configure_logging
from scribe_desktop.export.model import SessionMeta, SessionSource
from scribe_desktop.history.store import HistoryStore
from scribe_desktop.paths.private import create_private_file, private_dir
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.settings_store import SettingsStore


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_history_database_wal_and_kept_audio_are_private(tmp_path: Path) -> None:
    """The history folder is 0700 and its database, WAL and kept audio 0600."""
    store = HistoryStore.open(tmp_path / "data" / "history.sqlite3")
    recorder = store.begin_session(SessionMeta(source=SessionSource.DICTATION),
                                   keep_audio=True, audio_format="pcm_16000")
    recorder.add_audio(b"\x01\x00" * 1600)
    recorder.finish()
    store.close()
    folder = tmp_path / "data"
    assert mode(folder) == 0o700 and mode(folder / "history.sqlite3") == 0o600
    created = [p for p in folder.rglob("*") if p.is_file()]
    assert any(p.suffix == ".pcm" for p in created)
    assert {mode(p) for p in created} == {0o600}, {p.name: oct(mode(p)) for p in created}
    assert mode(folder / "audio") == 0o700


def test_an_old_world_readable_history_is_tightened_on_open(tmp_path: Path) -> None:
    """A database an older version left 0644 is 0600 after opening it."""
    path = tmp_path / "history.sqlite3"
    HistoryStore.open(path).close()
    path.chmod(0o644)
    HistoryStore.open(path).close()
    assert mode(path) == 0o600


def test_a_folder_the_user_chose_is_not_changed(tmp_path: Path) -> None:
    """A history in an existing shared folder keeps that folder's mode; the file is 0600."""
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    HistoryStore.open(shared / "h.sqlite3").close()
    assert mode(shared) == 0o755 and mode(shared / "h.sqlite3") == 0o600


def test_log_files_are_private(tmp_path: Path) -> None:
    """The log file is created 0600 in a 0700 folder."""
    path, _ = configure_logging(tmp_path / "logs")
    logging.getLogger("scribe_desktop.test").warning("a line naming /home/user/secret.wav")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


def test_settings_file_is_private(tmp_path: Path) -> None:
    """Saved settings are 0600, and a readable settings file is tightened when loaded."""
    ini = tmp_path / "settings.ini"
    store = SettingsStore(ini)
    store.save(Settings())
    assert mode(ini) == 0o600
    ini.chmod(0o644)
    SettingsStore(ini).load()
    assert mode(ini) == 0o600


def test_private_helpers_never_loosen_and_create_tight(tmp_path: Path) -> None:
    """New folders are 0700 and new files 0600 whatever the umask."""
    folder = private_dir(tmp_path / "a" / "b")
    assert mode(folder) == 0o700
    assert mode(create_private_file(folder / "f")) == 0o600
