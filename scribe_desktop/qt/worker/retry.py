"""Retry a session from its kept audio, through the worker's file-transcription path.

    new_id = await retry_from_audio(store, worker, session_id)

Kept audio is headerless (`HistoryStore.audio_path`, in the session's `audio_format`), so it
is copied once into a temporary WAV (`history.kept_audio.write_wav`) that
`worker.transcribe_file` reads like any file. The worker records that as a FILE session; once
its writes are on disk it is relabelled a RETRY session whose `file` is the original's audio
path: the link to the original (`HistoryStore.retry_origin`). The WAV is removed afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ...history.kept_audio import kept_audio, write_wav
from ...history.store import HistoryStore

if TYPE_CHECKING:
    from .api import WorkerApi


class RetryError(RuntimeError):
    """The session cannot be retried (no kept audio, or an unknown format); says why."""


async def retry_from_audio(store: HistoryStore, worker: WorkerApi,
                           session_id: int) -> int | None:
    """Transcribe the session's kept audio again as a new RETRY session; its history id
    (None if the transcription recorded nothing, e.g. cancelled). Raises `RetryError`."""
    found = await asyncio.to_thread(kept_audio, store, session_id)
    if found is None:
        raise RetryError("This session has no kept audio to retry from.")
    raw, audio_format = found
    folder = Path(tempfile.mkdtemp(prefix="scribe-retry-"))
    try:
        wav = await asyncio.to_thread(write_wav, raw, audio_format,
                                      folder / f"session-{session_id}.wav")
        await worker.transcribe_file(str(wav))
        await worker.journal.drain()  # the FILE session's row is written
        return await asyncio.to_thread(store.mark_retry, str(wav), session_id)
    finally:
        with contextlib.suppress(OSError):
            await asyncio.to_thread(shutil.rmtree, folder, True)
