"""The first hour, as a new user meets it (the window on a fake worker's signals, offscreen):
a session that mixed dictation and a file exports correct subtitles (finding 1), the status
bar says things in full and in plain words, and warns only while dictating (finding 5), TXT
keeps the lines Copy all keeps (finding 7). Pictures go to $SCRIBE_SCREENSHOTS_DIR."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest
import srt
from pytestqt.qtbot import QtBot

from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.export import ExportFormat
from scribe_desktop.qt.settings import Settings
from scribe_desktop.ui.export_dialog import ExportDialog
from scribe_desktop.ui.main_window import MainWindow

from .ui_fakes import FakeStatus, FakeWorker, as_worker, segment
from .widget_shots import save_shot


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def worker() -> FakeWorker:
    return FakeWorker()


@pytest.fixture
def window(qtbot: QtBot, worker: FakeWorker) -> MainWindow:
    win = MainWindow(as_worker(worker), Settings())
    qtbot.addWidget(win)
    win.resize(820, 560)
    win.show()
    qtbot.waitExposed(win)
    return win


def dictate(window: MainWindow, worker: FakeWorker, texts: list[tuple[str, float]]) -> None:
    """One dictation: connecting, listening, committed segments (word times from 0), idle."""
    for state in (DictationState.CONNECTING, DictationState.LISTENING):
        worker.state_changed.emit(state)
    for index, (text, start_s) in enumerate(texts):
        worker.segment_committed.emit(segment(index, text, start_s=start_s))
    worker.state_changed.emit(DictationState.IDLE)


def export(window: MainWindow, tmp_path: Path, name: str) -> list[srt.Subtitle]:
    dialog = window.export_transcript()
    assert isinstance(dialog, ExportDialog)
    dialog.set_format(ExportFormat.SRT)
    dialog.path_edit.setText(str(tmp_path / f"{name}.srt"))
    dialog.accept()
    assert dialog.written is not None
    return list(srt.parse(dialog.written.read_text(encoding="utf-8")))


def assert_good_cues(subs: list[srt.Subtitle]) -> None:
    assert subs
    for cue in subs:
        assert cue.end > cue.start, cue
    for before, after in itertools.pairwise(subs):
        assert before.end <= after.start, (before, after)


def test_a_session_of_dictation_and_a_file_exports_correct_subtitles(
        window: MainWindow, worker: FakeWorker, tmp_path: Path) -> None:
    """Dictate, transcribe a 20 s file, dictate again: the dictation tab's SRT runs forward
    take after take, the file's own tab has the file's times, no cue is empty."""
    clock = Clock()
    window.clock = clock
    dictate(window, worker, [("Open the door.", 0.4), ("Turn on the lights.", 3.0)])
    window.transcribe_file(str(tmp_path / "meeting.wav"))
    job = worker.jobs[-1]
    file_segments = [segment(0, "Welcome to the meeting.", 0.5),
                     segment(1, "First item on the agenda.", 10.7),
                     segment(2, "Any other business?", 17.0)]
    for seg in file_segments:
        job.segment_added.emit(seg)
    job.finished.emit(file_segments)
    clock.now += 42.0  # the second dictation starts 42 s after the first
    dictate(window, worker, [("Close the window.", 0.3)])

    tabs = window.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Dictation", "meeting.wav"]
    assert tabs.currentWidget() is window.committed  # dictating brings its tab forward
    assert window.committed.time_labels() == ["00:00", "00:03", "00:42"]
    dictation = export(window, tmp_path, "dictation")
    assert_good_cues(dictation)
    assert [c.content for c in dictation] == ["Open the door.", "Turn on the lights.",
                                              "Close the window."]
    assert dictation[2].start == timedelta(seconds=42.3)

    tabs.setCurrentIndex(1)
    save_shot(window, "file-in-its-own-tab", tmp_path, min_size=(700, 500))
    meeting = export(window, tmp_path, "meeting")
    assert_good_cues(meeting)
    assert meeting[0].start == timedelta(seconds=0.5)
    assert " ".join(c.content for c in meeting).split() == \
        " ".join(s.text for s in file_segments).split()


def test_txt_export_keeps_the_lines_copy_all_keeps(window: MainWindow, worker: FakeWorker,
                                                   tmp_path: Path) -> None:
    """Each committed segment is its own line in TXT, as in Copy all."""
    dictate(window, worker, [("First line.", 0.2), ("Second line.", 1.5)])
    dialog = window.export_transcript()
    assert isinstance(dialog, ExportDialog)
    dialog.path_edit.setText(str(tmp_path / "t.txt"))
    dialog.accept()
    assert dialog.written is not None
    assert dialog.written.read_text() == window.committed.plain_text() + "\n"
    assert window.committed.plain_text() == "First line.\nSecond line."


def test_status_messages_are_whole_plain_and_logged(qtbot: QtBot, window: MainWindow,
                                                    worker: FakeWorker, tmp_path: Path) -> None:
    """A long message shows whole (elided in the middle only when the window is narrow,
    whole in its tooltip and under View → Messages…); lag reads as seconds behind."""
    path = "/tmp/ux/out/transcript-of-the-weekly-planning-meeting.srt"
    window.resize(1000, window.height())
    worker.status_changed.emit(FakeStatus("Local", "Listening", 12.0, 240.0))
    assert window.status.latency_label.text() == "Live text 0.2 s behind"
    window.status.showMessage(f"Exported to {path}", 6000)
    label = window.status.message
    qtbot.waitUntil(lambda: label.text() == f"Exported to {path}")
    assert label.toolTip() == f"Exported to {path}"
    save_shot(window.status, "status-bar-full-message", tmp_path, min_size=(600, 18))
    assert label.text() == f"Exported to {path}"

    window.resize(window.minimumWidth(), window.height())
    qtbot.waitUntil(lambda: "…" in label.text())
    head, _, tail = label.text().partition("…")  # the middle goes, both ends stay
    assert f"Exported to {path}".startswith(head) and path.endswith(tail) and tail
    assert label.toolTip() == f"Exported to {path}"
    log = window.open_message_log()
    assert log.lines()[-1].endswith(f"Exported to {path}")
    assert window.actions_.messages is not None


def test_capture_warnings_show_only_while_dictating(window: MainWindow,
                                                    worker: FakeWorker) -> None:
    """Digital silence while idle is kept in the log only; while dictating it is shown."""
    warning = "The microphone delivers digital silence (muted?)."
    worker.device_warning.emit(warning)
    assert window.status.currentMessage() == ""
    assert window.status.log[-1].text == warning
    worker.state_changed.emit(DictationState.CONNECTING)
    worker.state_changed.emit(DictationState.LISTENING)
    worker.device_warning.emit(warning)
    assert window.status.currentMessage() == warning
