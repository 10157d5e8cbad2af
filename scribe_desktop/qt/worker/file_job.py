"""One "Transcribe file…" job for the worker: open the file, connect to the current backend,
stream it with `file_transcription.transcribe_source`, return its segments. No Qt.

Cancellation (`cancel()`) stops both directions and closes the session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from ...audio.file_source import open_file_source
from ...client import connect
from ...connect import Backend
from ...core.transcript import Segment
from ...protocol.audio_format import AudioFormat
from ...protocol.options import CommitStrategy, SessionOptions
from ...session.file_transcription import ChangeCallback, StreamPolicy, transcribe_source
from ..settings import Settings

ProgressCallback = Callable[[float, float], None]  # done_s, total_s (0 when unknown)


class FileJob:
    """Transcribe `path` once; `run()` returns the segments or raises the typed error."""

    def __init__(self, path: str | Path, backend: Backend, settings: Settings, *,
                 on_progress: ProgressCallback | None = None,
                 policy: StreamPolicy | None = None,
                 on_change: ChangeCallback | None = None) -> None:
        """`on_change`: each transcript change as it arrives (the worker records committed
        segments in the history with it, before the whole file is done)."""
        self.path = Path(path)
        self.backend = backend
        self.settings = settings
        self.on_progress = on_progress
        self.policy = policy
        self.on_change = on_change
        self._task: asyncio.Task[list[Segment]] | None = None
        self._cancelled = False
        self.duration_s: float | None = None  # the file's length, once probed

    def cancel(self) -> None:
        self._cancelled = True
        if self._task is not None:
            self._task.cancel()

    async def run(self) -> list[Segment]:
        if self._cancelled:
            raise asyncio.CancelledError
        self._task = asyncio.ensure_future(self._run())
        return await self._task

    async def _run(self) -> list[Segment]:
        # probing reads the file header: off the loop
        source = await asyncio.to_thread(open_file_source, self.path)
        total = source.duration_s or 0.0
        self.duration_s = source.duration_s
        if self.on_progress is not None:
            self.on_progress(0.0, total)
        base = self.settings.session_options()
        options = SessionOptions(
            model_id=base.model_id, audio_format=AudioFormat.for_rate(source.sample_rate_hz),
            commit_strategy=CommitStrategy.MANUAL, include_timestamps=True,
            language_code=base.language_code, keyterms=base.keyterms,
            no_verbatim=base.no_verbatim).validate()
        conn = await self.backend.connection()

        def progress(done_s: float, total_s: float | None) -> None:
            if self.on_progress is not None:
                self.on_progress(done_s, total_s or total)

        async with await connect(options, conn.endpoint, conn.auth) as session:
            transcript, _ = await transcribe_source(source, session, policy=self.policy,
                                                    on_progress=progress,
                                                    on_change=self.on_change)
        return list(transcript.segments)
