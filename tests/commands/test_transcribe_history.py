"""`scribe-desktop transcribe` records its session in the history, run as a user
would: a subprocess against the shared local server, with its own XDG_DATA_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile

from scribe_desktop.export import SessionSource, SessionStatus
from scribe_desktop.history import HistoryStore
from tests.conftest import RunningServer
from tests.speech import SENTENCES, synth, wer

from .test_transcribe_cli import cli

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

SENTENCE = SENTENCES[2]


def server_args(server: RunningServer, secret: str | None = None) -> list[str]:
    return ["--server-url", server.base_url, "--server-secret", secret or server.secret]


def app_history(data_home: Path) -> Path:
    return data_home / "scribe-desktop" / "history.sqlite3"


def test_a_transcribed_file_is_recorded_in_the_apps_history(
        local_server: RunningServer, tmp_path: Path) -> None:
    """The file's session lands in the app's history under XDG_DATA_HOME: completed, source
    file, with its path, duration and text."""
    wav = synth(SENTENCE, lead_silence_s=0.2, tail_silence_s=0.3)
    data_home = tmp_path / "data"
    done = cli(str(wav), *server_args(local_server), env={"XDG_DATA_HOME": str(data_home)})
    assert done.returncode == 0, done.stderr
    with HistoryStore.open(app_history(data_home)) as store:
        [summary] = store.list_sessions()
        session = store.load(summary.id)
    assert session.meta.source == SessionSource.FILE
    assert session.status == SessionStatus.COMPLETED
    assert session.meta.file == str(wav.absolute())
    assert session.text == done.stdout.strip()
    assert wer(SENTENCE, session.text) <= 0.35, session.text
    info = soundfile.info(str(wav))
    assert session.duration_s == pytest.approx(info.frames / info.samplerate, abs=0.1)


def test_no_history_records_nothing_and_history_path_chooses_the_file(
        local_server: RunningServer, tmp_path: Path) -> None:
    """--no-history writes no history at all; --history-path records into that file."""
    wav = synth(SENTENCE, lead_silence_s=0.2, tail_silence_s=0.3)
    data_home = tmp_path / "data"
    env = {"XDG_DATA_HOME": str(data_home)}
    done = cli(str(wav), *server_args(local_server), "--no-history", env=env)
    assert done.returncode == 0, done.stderr
    assert not data_home.exists()
    chosen = tmp_path / "elsewhere" / "mine.sqlite3"
    done = cli(str(wav), *server_args(local_server), "--history-path", str(chosen), env=env)
    assert done.returncode == 0, done.stderr
    assert not data_home.exists()
    with HistoryStore.open(chosen) as store:
        assert [s.source for s in store.list_sessions()] == [SessionSource.FILE]


def test_a_failed_transcription_is_recorded_failed(local_server: RunningServer,
                                                   tmp_path: Path) -> None:
    """A transcription the server rejects is stored as a failed file session."""
    wav = synth(SENTENCE, lead_silence_s=0.2, tail_silence_s=0.3)
    history = tmp_path / "history.sqlite3"
    done = cli(str(wav), *server_args(local_server, secret="wrong"), "--history-path",
               str(history))
    assert done.returncode == 1
    with HistoryStore.open(history) as store:
        [summary] = store.list_sessions()
    assert summary.status == SessionStatus.FAILED
    assert summary.source == SessionSource.FILE


def test_an_unwritable_history_is_a_warning_only(local_server: RunningServer,
                                                 tmp_path: Path) -> None:
    """A history path that cannot be used warns once on stderr; the text still prints."""
    wav = synth(SENTENCE, lead_silence_s=0.2, tail_silence_s=0.3)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = cli(str(wav), *server_args(local_server), "--history-path",
               str(blocker / "history.sqlite3"))
    assert done.returncode == 0, done.stderr
    assert wer(SENTENCE, done.stdout) <= 0.35
    assert "warning: not recording this session in the history" in done.stderr
    assert "Traceback" not in done.stderr
