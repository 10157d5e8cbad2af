"""One "Transcribe file…" job as its own QObject: open the file, connect to the
backend, stream it with `session.file_transcription`, record it in the history as it goes,
and report through its own signals.

`progress(done_s, total_s)` while it runs: `done_s` is how far into the file the server has
TRANSCRIBED (the end of the last committed segment, or of the audio its commits answered),
not how much was sent: a file is sent many times faster than real time, so "sent" reaches
the end at once while the transcript is still coming. `segment_added(segment)` as each
segment arrives, with the file's own times. Then `finished(segments)` with what was
committed ([] when cancelled; what was committed before a failure too), `failed(UserError)`
after it when the file could not be finished, and `ended()`. Awaiting the job gives the same
segments. A dropped connection or a restarted local server is continued (the stream is a
`session.resilient.ResilientSession`). Loop-only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Generator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from ...audio.file_source import open_file_source
from ...connect import Backend
from ...core.transcript import Segment, SegmentAdded, SegmentEnriched, TranscriptChange
from ...export.model import SessionSource, SessionStatus
from ...protocol.audio_format import AudioFormat
from ...protocol.options import CommitStrategy, SessionOptions
from ...session.file_transcription import (
    StreamPolicy,
    TranscriptionIncomplete,
    transcribe_source,
)
from ...session.journal import SessionJournal
from ...session.resilient import ResilientSession
from ...session.user_errors import user_error_for
from ...shaping import ShapedDocument
from ..settings import Settings
from .record import begin_record, end_record

log = logging.getLogger(__name__)

# Committing every 4-8 s of audio (at a pause when one comes) lets the transcript, and so
# the progress, arrive in steps a user sees move; the default (20-30 s) suits long files
# on the command line, where nobody watches a bar. 12 s ahead keeps the server busy.
WINDOW_POLICY = StreamPolicy(commit_after_s=4.0, commit_force_s=8.0, max_ahead_s=12.0)


class FileJob(QObject):
    """Transcribe `path` once with the backend and settings it was given."""

    progress = Signal(float, float)  # transcribed_s, total_s (0 when unknown)
    segment_added = Signal(object)  # Segment, as it arrives (file times)
    finished = Signal(object)  # list[Segment]: the file's own segments and times
    failed = Signal(object)  # UserError
    recorded = Signal(int)  # history id, once the record is written
    ended = Signal()

    def __init__(self, path: str | Path, backend: Backend, settings: Settings,
                 journal: SessionJournal, *, policy: StreamPolicy | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.backend = backend
        self.settings = settings
        self.journal = journal
        self.policy = policy or WINDOW_POLICY
        self.transcribed_s = 0.0
        self.duration_s: float | None = None  # the file's length, once probed
        self.segments: list[Segment] = []
        self._task: asyncio.Task[list[Segment]] | None = None
        self._cancelled = False

    def start(self) -> asyncio.Task[list[Segment]]:
        """Run the job (once); the task's result is what `finished` carries."""
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())
        return self._task

    def cancel(self) -> None:
        self._cancelled = True
        if self._task is not None:
            self._task.cancel()

    @property
    def done(self) -> bool:
        return self._task is not None and self._task.done()

    def __await__(self) -> Generator[Any, None, list[Segment]]:
        return self.start().__await__()

    async def _run(self) -> list[Segment]:
        record = begin_record(self.journal, self.settings, None, SessionSource.FILE,
                              file=str(self.path))
        status = SessionStatus.FAILED
        try:
            if self._cancelled:
                raise asyncio.CancelledError
            shaped, rules = ShapedDocument(), self.settings.shaping_rules(SessionSource.FILE)

            def on_change(change: TranscriptChange) -> None:
                for each in shaped.apply(change, rules):  # the history keeps both texts
                    record.record_change(each)
                    if isinstance(each, SegmentAdded):  # the tab shows it shaped, live
                        self.segment_added.emit(each.segment)
            await self._transcribe(on_change)
            self.segments = shaped.segments  # raw text and shaped text
            status = SessionStatus.COMPLETED
            self.finished.emit(list(self.segments))
        except asyncio.CancelledError:
            self.segments, status = [], SessionStatus.CANCELLED
            self.finished.emit([])
        except TranscriptionIncomplete as exc:
            log.warning("file transcription failed part-way: %s", exc)
            self.segments = list(exc.transcript.segments)  # never thrown away
            self.finished.emit(list(self.segments))
            self.failed.emit(user_error_for(exc))
        except Exception as exc:
            log.warning("file transcription failed: %s", exc)
            self.segments = []
            self.failed.emit(user_error_for(exc))
        finally:
            end_record(record, status, self.duration_s, self.recorded.emit)
            self.ended.emit()
        return self.segments

    async def _transcribe(self, on_change: Any) -> list[Segment]:
        # probing reads the file header: off the loop
        source = await asyncio.to_thread(open_file_source, self.path)
        total = source.duration_s or 0.0
        self.duration_s = source.duration_s
        self.progress.emit(0.0, total)
        base = self.settings.session_options()
        options = SessionOptions(
            model_id=base.model_id, audio_format=AudioFormat.for_rate(source.sample_rate_hz),
            commit_strategy=CommitStrategy.MANUAL, include_timestamps=True,
            language_code=base.language_code, keyterms=base.keyterms,
            no_verbatim=base.no_verbatim, entity_redaction=base.entity_redaction,
            entity_redaction_mode=base.entity_redaction_mode,
            enable_logging=base.enable_logging).validate()
        self.backend.capabilities.check(options)  # UnsupportedLanguageError: no connection

        def changed(change: TranscriptChange) -> None:
            on_change(change)
            if isinstance(change, SegmentAdded | SegmentEnriched):
                self._transcribed_to(change.segment.end_s, total)

        session = ResilientSession(self.backend, options)
        await session.open()
        try:
            transcript, _ = await transcribe_source(
                source, session, policy=self.policy, on_change=changed,
                redacting=bool(options.entity_redaction))
        finally:
            await session.close()
        self._transcribed_to(total or source.seconds_done, total)
        return list(transcript.segments)

    def _transcribed_to(self, end_s: float | None, total_s: float) -> None:
        """Report progress when the transcript reaches further into the file."""
        if end_s is not None and end_s > self.transcribed_s:
            self.transcribed_s = min(end_s, total_s) if total_s else end_s
            self.progress.emit(self.transcribed_s, total_s)
