"""Transcribe file…, as a user does it, on the real worker and the real local server: an M4A
(which libsndfile cannot read) decodes through FFmpeg, its transcript opens in a tab of its
own with the file's times, the progress bar moves through the file instead of jumping to the
end, and the tab's subtitles start where the speech does (findings 1, 4 and 7)."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
import srt
from PySide6.QtWidgets import QApplication

from scribe_desktop.client import ApiKeyAuth, Endpoint
from scribe_desktop.connect import ApiKeys, FixedBackend
from scribe_desktop.connect.keyring_store import ApiKeyStore
from scribe_desktop.export import ExportFormat
from scribe_desktop.protocol.options import CommitStrategy
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.worker.worker import DictationWorker
from scribe_desktop.ui.export_dialog import ExportDialog
from scribe_desktop.ui.main_window import MainWindow
from tests.app.fakes import FakeMicrophone, MemoryKeyring
from tests.app.recorder import Recorder
from tests.audio.av_files import write_av
from tests.speech import SENTENCES, synth, wer

from .error_scenes import NO_HOTKEY
from .widget_shots import save_shot

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
SPOKEN = SENTENCES[:4]


def talk(tmp_path: Path) -> Path:
    """Four sentences with pauses (about 16 s) as an AAC .m4a, as a phone records them."""
    parts = [soundfile.read(str(synth(s, lead_silence_s=1.2, tail_silence_s=0.8)),
                            dtype="float32")[0] for s in SPOKEN]
    return write_av(tmp_path / "talk.m4a", np.concatenate(parts))


async def test_an_m4a_opens_in_its_own_tab_with_moving_progress(
        local_server: Any, qapp: QApplication, tmp_path: Path) -> None:
    """The file's transcript is right, in its own tab, reached step by step."""
    backend = FixedBackend(Endpoint(base_url=local_server.base_url),
                           ApiKeyAuth(local_server.secret))
    worker = DictationWorker(Settings(commit_strategy=CommitStrategy.MANUAL),
                             backend_factory=lambda _s: backend,
                             microphone_factory=lambda _s: FakeMicrophone(),
                             api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())))
    window = MainWindow(worker, worker.settings)
    window.hotkey_status = NO_HOTKEY
    window.resize(820, 560)
    window.show()
    rec = Recorder(worker)
    path = talk(tmp_path)
    try:
        dialog = window.transcribe_file(str(path))
        job = window.tabs.files[-1].job
        assert job is not None
        segments = await asyncio.wait_for(job, 90)
        assert not rec.errors, rec.errors
        progress = rec.events["file_progress"]
        done = [d for d, _total in progress]
        total = progress[-1][1]
        assert done == sorted(done) and done[-1] == pytest.approx(total)
        assert len([d for d in done if 0 < d < total]) >= 2, progress  # it moves
        assert not dialog.isVisible()

        tabs = window.tabs
        assert tabs.tabText(tabs.currentIndex()) == "talk.m4a"
        assert window.committed.segments == []  # nothing joined the dictation
        text = tabs.current_pane.plain_text()
        assert wer(" ".join(SPOKEN), text) <= 0.35, text
        assert len(segments) >= 2 and text.count("\n") == len(segments) - 1
        save_shot(window, "m4a-in-its-own-tab", tmp_path, min_size=(700, 500))

        export = window.export_transcript()
        assert isinstance(export, ExportDialog)
        export.set_format(ExportFormat.SRT)
        export.path_edit.setText(str(tmp_path / "talk.srt"))
        export.accept()
        subs = list(srt.parse((tmp_path / "talk.srt").read_text()))
        assert 1.0 <= subs[0].start.total_seconds() <= 2.0  # the speech starts at 1.2 s
        assert all(c.end > c.start for c in subs)
        assert all(a.end <= b.start for a, b in itertools.pairwise(subs))
    finally:
        await asyncio.wait_for(worker.shutdown(), 15)
        window.deleteLater()
