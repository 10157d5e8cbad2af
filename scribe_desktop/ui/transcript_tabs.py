"""The window's transcripts: the dictation pane and one tab per transcribed file.

A file is a session of its own with its own times (its word times count from the file's
start), so it never joins the dictation's pane: "Transcribe file…" opens a tab that fills as
the `FileJob`'s segments arrive and shows the final transcript when the job finishes. Export,
Copy all and Clear act on the tab in front; `session()` is what Export writes for it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QTabBar, QTabWidget, QWidget

from ..core.transcript import Segment
from ..export import ExportSession, SessionMeta, SessionSource
from .transcript_view import CommittedPane

if TYPE_CHECKING:
    from ..qt.worker.api import FileJobApi

DICTATION_TITLE = "Dictation"
MAX_TITLE_CHARS = 28


@dataclass
class FileTab:
    """A transcribed file's tab: its pane, the file, and how the job ended."""

    pane: CommittedPane
    path: str
    job: FileJobApi | None
    outcome: str = "running"  # running | done | cancelled | failed
    connections: list[Any] = field(default_factory=list)  # ours only: the dialog keeps its


class TranscriptTabs(QTabWidget):
    """`dictation` is always the first tab; file tabs can be closed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcriptTabs")
        self.setDocumentMode(True)
        self.setTabsClosable(True)
        self.dictation = CommittedPane(self)
        self.addTab(self.dictation, DICTATION_TITLE)
        bar = self.tabBar()
        for side in (QTabBar.ButtonPosition.RightSide, QTabBar.ButtonPosition.LeftSide):
            bar.setTabButton(0, side, None)  # the dictation tab stays
        self.files: list[FileTab] = []
        self.tabCloseRequested.connect(self.close_tab)

    # -- files -----------------------------------------------------------------------------
    def add_file(self, job: FileJobApi, path: str) -> FileTab:
        """A tab for `path`, filled by `job`'s signals; brought to the front."""
        pane = CommittedPane(self)
        pane.setPlaceholderText("The transcript of the file appears here as it arrives…")
        tab = FileTab(pane, path, job)
        self.files.append(tab)
        index = self.addTab(pane, _title(path))
        self.setTabToolTip(index, path)
        self.setCurrentIndex(index)
        tab.connections = [
            job.segment_added.connect(pane.add_segment),
            job.finished.connect(lambda segments: self._finished(tab, segments)),
            job.failed.connect(lambda _error: self._ended(tab, "failed"))]
        return tab

    def _finished(self, tab: FileTab, segments: object) -> None:
        if isinstance(segments, list) and segments:
            final = [s for s in segments if isinstance(s, Segment)]
            tab.pane.set_segments(final)  # with the timestamps that came after the text
            self._ended(tab, "done")
        else:  # cancelled: keep what had arrived
            self._ended(tab, "cancelled")

    def _ended(self, tab: FileTab, outcome: str) -> None:
        tab.outcome = outcome
        self._disconnect(tab)
        index = self.indexOf(tab.pane)
        if index < 0:
            return
        if outcome != "done" and not tab.pane.segments:
            self.close_tab(index)  # nothing to show: the error dialog says why
            return
        suffix = "" if outcome == "done" else f" ({outcome})"
        self.setTabText(index, _title(tab.path) + suffix)

    def _disconnect(self, tab: FileTab) -> None:
        tab.job = None
        connections, tab.connections = tab.connections, []
        for connection in connections:
            with contextlib.suppress(RuntimeError, TypeError):
                QObject.disconnect(connection)

    def close_tab(self, index: int) -> None:
        """Close a file tab (the dictation tab stays); a running job is cancelled."""
        if index <= 0:
            return
        pane = self.widget(index)
        tab = next((t for t in self.files if t.pane is pane), None)
        if tab is not None:
            if tab.job is not None:
                tab.job.cancel()
            self._disconnect(tab)
            self.files.remove(tab)
        self.removeTab(index)
        if pane is not None:
            pane.deleteLater()

    # -- the tab in front ------------------------------------------------------------------
    @property
    def current_pane(self) -> CommittedPane:
        pane = self.currentWidget()
        return pane if isinstance(pane, CommittedPane) else self.dictation

    @property
    def current_file(self) -> FileTab | None:
        pane = self.currentWidget()
        return next((t for t in self.files if t.pane is pane), None)

    def session(self, meta: SessionMeta) -> ExportSession:
        """The tab in front as an exportable session (`meta` for dictation; a file tab names
        its file)."""
        tab = self.current_file
        if tab is not None:
            meta = SessionMeta(source=SessionSource.FILE, backend=meta.backend,
                               model_id=meta.model_id, language_code=meta.language_code,
                               file=tab.path)
        return ExportSession.from_segments(self.current_pane.export_segments(), meta)

    def export_stem(self) -> str:
        """The file name Export suggests: the transcribed file's, else "transcript"."""
        tab = self.current_file
        return f"{Path(tab.path).stem}-transcript" if tab is not None else "transcript"


def _title(path: str) -> str:
    name = Path(path).name
    if len(name) <= MAX_TITLE_CHARS:
        return name
    half = (MAX_TITLE_CHARS - 1) // 2
    return f"{name[:half]}…{name[-half:]}"
