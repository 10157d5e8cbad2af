"""Kept session audio (headerless, in the session's wire format) and a WAV copy of it, so a
dictation can be transcribed again like any file."""

from __future__ import annotations

import wave
from pathlib import Path

from ..audio.pcm import decode_wire_audio
from ..protocol.audio_format import AudioFormat, Encoding
from .store import HistoryStore

COPY_CHUNK_BYTES = 1 << 20


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
