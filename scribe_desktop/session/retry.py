"""Retry a session from its kept audio (issue 6: "keep the session audio, so a failed or
cancelled dictation can be retried"), through the worker's file-transcription path.

    new_id = await retry_from_audio(store, worker, session_id)

Kept audio is headerless (`HistoryStore.audio_path`, in the session's `audio_format`), and
the file path takes only a path; so the audio is copied once into a temporary WAV (stdlib
`wave`, the header is all that differs) that `worker.transcribe_file` reads like any file.
The worker records that as a FILE session; once its writes are on disk it is relabelled a
RETRY session whose `file` is the original's audio path: the link to the original
(`HistoryStore.retry_origin`). The temporary WAV is removed afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import wave
from pathlib import Path
from typing import Any, Protocol

from ..audio.pcm import decode_wire_audio
from ..history.store import HistoryStore
from ..protocol.audio_format import AudioFormat, Encoding

COPY_CHUNK_BYTES = 1 << 20


class RetryError(RuntimeError):
    """The session cannot be retried (no kept audio, or an unknown format); says why."""


class JournalLike(Protocol):
    async def drain(self) -> None: ...


class RetryWorker(Protocol):
    """The part of `DictationWorker` a retry uses."""

    @property
    def journal(self) -> JournalLike: ...

    def transcribe_file(self, path: str) -> asyncio.Task[Any]: ...


def kept_audio(store: HistoryStore, session_id: int) -> tuple[Path, AudioFormat] | None:
    """The session's kept audio file and its format, if there is audio to retry from."""
    path = store.audio_path(session_id)
    fmt = store.audio_format(session_id)
    if path is None or fmt is None or not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        return path, AudioFormat(fmt)
    except ValueError:
        return None


def write_wav(raw: Path, audio_format: AudioFormat, dest: Path) -> Path:
    """A mono 16-bit WAV copy of the headerless audio `raw` (PCM16 or µ-law)."""
    with raw.open("rb") as src, wave.open(str(dest), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(audio_format.sample_rate_hz)
        while chunk := src.read(COPY_CHUNK_BYTES):
            if audio_format.encoding is Encoding.ULAW:
                out.writeframes(decode_wire_audio(chunk, audio_format).tobytes())
            else:
                out.writeframes(chunk[: len(chunk) - len(chunk) % 2])
    return dest


async def retry_from_audio(store: HistoryStore, worker: RetryWorker,
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
