"""The worker's history hooks: begin a session record in the `SessionJournal` for
a dictation or a file, and end it, announcing the history id it got. No Qt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ...export.model import SessionMeta, SessionSource, SessionStatus
from ...protocol.options import SessionOptions
from ...session.journal import JournalSession, LiveExportTarget, SessionJournal
from ..settings import Settings


def begin_record(journal: SessionJournal, s: Settings, options: SessionOptions | None,
                 source: SessionSource, *, file: str | None = None) -> JournalSession:
    """A record for a session with `options` (None: a file, no audio or live export). In
    private mode it records nothing: no history, no audio, no live export."""
    meta = SessionMeta(source=source, backend=s.backend.value, model_id=s.model_id.strip() or None,
                       language_code=s.language.strip().lower() or None, file=file)
    live = options is not None and s.live_export_path.strip() and s.keeps_history
    return journal.begin(
        meta, history=s.keeps_history,
        keep_audio=options is not None and s.keep_session_audio and s.keeps_history,
        audio_format=options.audio_format.value if options and options.audio_format
        else None,
        live_export=LiveExportTarget(s.live_export_path.strip(),
                                     s.live_export_format.value) if live else None)


def end_record(record: JournalSession, status: SessionStatus, duration_s: float | None,
               on_recorded: Callable[[int], None]) -> None:
    """End `record` with `status`; `on_recorded(history_id)` once it is written."""
    ended = record.finish(status, duration_s=duration_s)

    def announce(done: asyncio.Future[int | None]) -> None:
        if not done.cancelled() and done.exception() is None:
            history_id = done.result()
            if history_id is not None:
                on_recorded(history_id)
    ended.add_done_callback(announce)
