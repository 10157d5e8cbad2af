"""The main window shows shaped text, marks what adds nothing, and exports either form."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from scribe_desktop.core.transcript import Segment, SegmentAdded, SegmentEnriched
from scribe_desktop.export.model import TextForm
from scribe_desktop.qt.settings import Settings
from scribe_desktop.shaping import ShapedDocument, ShapingRules
from scribe_desktop.ui.export_dialog import ExportDialog
from scribe_desktop.ui.main_window import MainWindow
from tests.app.ui_fakes import FakeWorker, as_worker

RULES = ShapingRules(commands=True)


@pytest.fixture
def worker() -> FakeWorker:
    return FakeWorker()


@pytest.fixture
def window(qtbot: QtBot, worker: FakeWorker) -> MainWindow:
    win = MainWindow(as_worker(worker), Settings())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def dictate(worker: FakeWorker, doc: ShapedDocument, *texts: str) -> None:
    """What the real worker emits for these commits (session/dictation.py shapes them)."""
    for text in texts:
        for change in doc.apply(SegmentAdded(Segment(len(doc.segments), text)), RULES):
            if isinstance(change, SegmentAdded):
                worker.segment_committed.emit(change.segment)
            elif isinstance(change, SegmentEnriched):
                worker.segment_enriched.emit(change.segment)


def test_the_transcript_pane_shows_shaped_text(window: MainWindow, worker: FakeWorker) -> None:
    """Commands are applied in the pane; a scratched segment and the command show struck."""
    dictate(worker, ShapedDocument(), "dear team. New line. the build is green.",
            "it was red", "scratch that", "period")
    assert window.committed.plain_text() == "Dear team.\nThe build is green."
    timed = window.committed.timed_text().split("\n")
    assert timed[0] == "[--:--] Dear team.\u2028The build is green."
    assert timed[1:] == ["[--:--] ~~it was red~~", "[--:--] ~~scratch that~~",
                         "[--:--] ~~period~~"]
    block = window.committed.document().findBlockByNumber(1)
    cursor = QTextCursor(block)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    assert cursor.charFormat().fontStrikeOut()
    assert window.committed.document().blockCount() == 4  # one paragraph per segment


def test_export_writes_the_chosen_text(window: MainWindow, worker: FakeWorker,
                                       tmp_path: Path) -> None:
    """File → Export… offers shaped or raw text and writes what was chosen."""
    dictate(worker, ShapedDocument(), "hello new paragraph world", "New line.", "done")
    assert [s.shaped for s in window.committed.segments] == [
        "Hello new paragraph world", "\n", "Done"]
    dialog = window.export_transcript()
    assert isinstance(dialog, ExportDialog)
    assert dialog.form_box.isEnabled() and dialog.text_form is TextForm.SHAPED
    shaped = dialog.export_to(tmp_path / "shaped.txt").read_text()
    dialog.set_text_form(TextForm.RAW)
    raw = dialog.export_to(tmp_path / "raw.txt").read_text()
    assert shaped == "Hello new paragraph world\nDone\n"
    assert raw == "hello new paragraph world\nNew line.\ndone\n"  # a line per segment
    dialog.close()
