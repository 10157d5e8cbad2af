"""Decode an audio (or video) file into fixed-length mono PCM16 chunks at a session's rate.

libsndfile (through `soundfile`; version 1.2 in the wheel) decodes WAV, FLAC, OGG (Vorbis and
Opus) and MP3; everything else FFmpeg reads (M4A/MP4, WebM, Opus, AAC, WMA, a video's audio
track…) goes through PyAV (`av_decode.py`). Either way the file is read block by block (2 s
by default) so hours of audio never sit in memory at once; each block is downmixed to mono and
resampled with a streaming soxr resampler (`pcm.StreamResampler`), so block boundaries leave
no clicks and the output length tracks the input exactly. `formats.py` says which extensions
this machine decodes (the file picker offers exactly those).

`open_file_source()` probes the file (raising `FileSourceError` with a one-line message that
names the file, its format when it cannot be read, and the formats that can) and returns a
`FileSource`, an `AudioSource`: `async for chunk in source` decodes block by block in a worker
thread, so the event loop keeps serving the socket while frames are decoded.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soundfile

from .av_decode import AvDecodeError, NoAudioTrackError, av_mono_blocks, av_probe
from .formats import av_extensions, describe_formats
from .pcm import StreamResampler, array_to_pcm16_bytes, downmix, float_to_int16, level_dbfs
from .source import AudioChunk

SUPPORTED_FORMATS = describe_formats()
DEFAULT_CHUNK_S = 0.25  # the upper end of rule C9's 50-250 ms
DEFAULT_BLOCK_S = 2.0  # decode granularity: large enough to amortise a thread hop
_UNKNOWN_FRAMES = 1 << 60  # libsndfile reports SF_COUNT_MAX-like values when it cannot tell


class FileSourceError(Exception):
    """A file that cannot be transcribed; `str()` is one line naming the file and why."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True, slots=True)
class FileInfo:
    """What the container says about a file, before any decoding."""

    path: Path
    format: str  # libsndfile major format ("WAV", "MP3"), or FFmpeg's container name
    subtype: str  # e.g. "PCM_16", "VORBIS", "MPEG_LAYER_III"; FFmpeg's codec ("aac")
    sample_rate_hz: int
    channels: int
    frames: int | None  # None if the container does not say
    decoder: str = "soundfile"  # "soundfile" or "av" (FFmpeg through PyAV)

    @property
    def duration_s(self) -> float | None:
        return None if self.frames is None else self.frames / self.sample_rate_hz


def _unsupported(path: Path, why: str) -> FileSourceError:
    """The one message for a file neither decoder reads: why, and the formats that work."""
    return FileSourceError(path, f"{why}. Supported formats: {SUPPORTED_FORMATS}")


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return f"the {suffix.upper()} format" if suffix else "a file without an extension"


def probe(path: str | Path) -> FileInfo:
    """Read the header of `path`; raise `FileSourceError` if it cannot be transcribed."""
    p = Path(path)
    if not p.exists():
        raise FileSourceError(p, "no such file")
    if p.is_dir():
        raise FileSourceError(p, "is a directory, not an audio file")
    try:
        size = p.stat().st_size
        if size == 0:
            raise FileSourceError(p, "the file is empty (0 bytes)")
        with soundfile.SoundFile(str(p)) as f:
            frames = int(f.frames)
            info = FileInfo(path=p, format=str(f.format), subtype=str(f.subtype),
                            sample_rate_hz=int(f.samplerate), channels=int(f.channels),
                            frames=None if frames < 0 or frames >= _UNKNOWN_FRAMES else frames)
    except FileSourceError:
        raise
    except soundfile.LibsndfileError as exc:
        info = _probe_with_ffmpeg(p, _libsndfile_reason(exc))
    except (OSError, RuntimeError, ValueError) as exc:
        raise FileSourceError(p, f"cannot be read ({exc})") from None
    if info.sample_rate_hz <= 0 or info.channels <= 0:
        raise _unsupported(p, "the header declares no samples or channels")
    if info.frames == 0:
        raise FileSourceError(p, "contains no audio (0 samples)")
    return info


def _probe_with_ffmpeg(p: Path, libsndfile_reason: str) -> FileInfo:
    """What libsndfile cannot read, FFmpeg may (M4A, WebM, WMA, a video's sound...)."""
    if not av_extensions():  # PyAV missing: libsndfile's verdict is the answer
        raise _unsupported(p, f"not a readable audio file ({libsndfile_reason})")
    try:
        found = av_probe(p)
    except NoAudioTrackError as exc:  # a readable video, just without sound
        raise FileSourceError(p, f"is {exc}") from None
    except AvDecodeError as exc:
        raise _unsupported(p, f"not a readable audio file: {_format_of(p)} could not be "
                           f"decoded ({exc})") from None
    frames = round(found.duration_s * found.sample_rate_hz) if found.duration_s else None
    return FileInfo(path=p, format=found.container, subtype=found.codec,
                    sample_rate_hz=found.sample_rate_hz, channels=found.channels,
                    frames=frames, decoder="av")


def _libsndfile_reason(exc: soundfile.LibsndfileError) -> str:
    text = str(getattr(exc, "error_string", "") or exc).strip()
    # soundfile prefixes the path ("Error opening '/x': ..."); the caller names the file once.
    if text.startswith("Error opening") and ": " in text:
        text = text.split(": ", 1)[1]
    return text.rstrip(".")


class FileSource:
    """An `AudioSource` over one audio file: mono PCM16 chunks of `chunk_s` seconds (the last
    may be shorter) at `sample_rate_hz`.

    Build it with `open_file_source()`. Iterate once; not thread-safe. Cancelling the
    iteration (or breaking out of it) closes the file.
    """

    def __init__(self, info: FileInfo, *, sample_rate_hz: int = 16000,
                 chunk_s: float = DEFAULT_CHUNK_S, block_s: float = DEFAULT_BLOCK_S,
                 quiet_decoder: bool = False) -> None:
        if chunk_s <= 0:
            raise ValueError(f"chunk_s must be positive, got {chunk_s!r}")
        if sample_rate_hz <= 0:
            raise ValueError(f"sample_rate_hz must be positive, got {sample_rate_hz!r}")
        self.info = info
        self._rate = sample_rate_hz
        self.chunk_samples = max(1, round(chunk_s * sample_rate_hz))
        self._block_frames = max(1, round(max(block_s, chunk_s) * info.sample_rate_hz))
        self._chunks_per_batch = max(1, round(block_s / chunk_s))
        self.seconds_done = 0.0
        self.quiet_decoder = quiet_decoder

    @property
    def name(self) -> str:
        return str(self.info.path)

    @property
    def path(self) -> Path:
        return self.info.path

    @property
    def sample_rate_hz(self) -> int:
        return self._rate

    @property
    def duration_s(self) -> float | None:
        return self.info.duration_s

    @property
    def progress(self) -> float | None:
        """Fraction of the file delivered so far, 0..1 (None if the length is unknown)."""
        total = self.duration_s
        return None if not total else min(1.0, self.seconds_done / total)

    def iter_chunks(self) -> Generator[AudioChunk, None, None]:
        """Decode synchronously, chunk by chunk (blocking I/O: call from a worker thread or a
        script, not from the event loop)."""
        path = self.info.path
        resampler = StreamResampler(self.info.sample_rate_hz, self._rate, dtype="float32")
        pending = np.zeros(0, dtype=np.float32)
        emitted = 0  # output samples delivered so far
        try:
            for mono in self._mono_blocks():
                pending = np.concatenate((pending, resampler.process(mono)))
                while pending.size >= self.chunk_samples:
                    head, pending = (pending[:self.chunk_samples],
                                     pending[self.chunk_samples:])
                    yield self._chunk(head, emitted)
                    emitted += head.size
        except soundfile.LibsndfileError as exc:
            raise FileSourceError(path, f"decoding failed ({_libsndfile_reason(exc)})") \
                from None
        except AvDecodeError as exc:
            raise FileSourceError(path, f"decoding failed ({exc})") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise FileSourceError(path, f"decoding failed ({exc})") from None
        pending = np.concatenate((pending, resampler.flush()))
        for start in range(0, pending.size, self.chunk_samples):
            part = pending[start:start + self.chunk_samples]
            yield self._chunk(part, emitted)
            emitted += part.size
        if emitted == 0:
            raise FileSourceError(path, "contains no audio (0 samples decoded)")

    def _mono_blocks(self) -> Iterator[npt.NDArray[np.float32]]:
        """The file as mono float32 blocks at its own rate, from its decoder."""
        if self.info.decoder == "av":
            yield from av_mono_blocks(self.info.path, self._block_frames)
            return
        quiet = self.quiet_decoder and self.info.format == "MP3"
        with soundfile.SoundFile(str(self.info.path)) as f:
            while True:
                # Block by block (what soundfile.blocks does), with plain reads so a
                # container that misreports its length still reads to its real end.
                with _stderr_silenced() if quiet else contextlib.nullcontext():
                    block = f.read(self._block_frames, dtype="float32", always_2d=True)
                if not len(block):
                    return
                yield downmix(np.asarray(block, dtype=np.float32))

    def _chunk(self, samples: npt.NDArray[np.float32], offset: int) -> AudioChunk:
        pcm = float_to_int16(samples)
        rms, _peak = level_dbfs(pcm)
        chunk = AudioChunk(pcm=array_to_pcm16_bytes(pcm), start_s=offset / self._rate,
                           duration_s=pcm.size / self._rate, rms_dbfs=rms)
        self.seconds_done = chunk.end_s
        return chunk

    def __aiter__(self) -> AsyncIterator[AudioChunk]:
        return self._aiter()

    async def _aiter(self) -> AsyncIterator[AudioChunk]:
        it = self.iter_chunks()
        sentinel: Any = object()
        try:
            while True:
                # Whole blocks decode in the thread; the chunks of a block come back at once.
                batch = await asyncio.to_thread(_take_batch, it, self._chunks_per_batch,
                                                sentinel)
                for item in batch:
                    if item is sentinel:
                        return
                    yield item
        finally:
            # If we were cancelled while a worker thread is inside the generator, it cannot be
            # closed from here; it finishes that block and the file closes when it is freed.
            with contextlib.suppress(ValueError):
                it.close()


def _take_batch(it: Iterator[AudioChunk], count: int, sentinel: Any) -> list[Any]:
    """Pull up to `count` chunks (about one decode block) from a sync iterator; the list ends
    with `sentinel` when the iterator is exhausted."""
    out: list[Any] = []
    for _ in range(count):
        item = next(it, sentinel)
        out.append(item)
        if item is sentinel:
            break
    return out


def open_file_source(path: str | Path, *, sample_rate_hz: int = 16000,
                     chunk_s: float = DEFAULT_CHUNK_S, block_s: float = DEFAULT_BLOCK_S,
                     quiet_decoder: bool = False) -> FileSource:
    """Probe `path` and return a source of `chunk_s`-second PCM16 chunks at `sample_rate_hz`.

    `quiet_decoder=True` hides libmpg123's warnings (see `_stderr_silenced`); meant for a
    command-line process that owns its stderr. Raises `FileSourceError` (missing, empty,
    unreadable or unsupported file)."""
    return FileSource(probe(path), sample_rate_hz=sample_rate_hz, chunk_s=chunk_s,
                      block_s=block_s, quiet_decoder=quiet_decoder)


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    """Point file descriptor 2 at /dev/null for the duration.

    libmpg123 (inside libsndfile) prints warnings such as "part2_3_length too large" for the
    last frames of ordinary LAME/ffmpeg MP3s straight to fd 2, and libsndfile offers no way
    to set its quiet flag. The redirect is process-wide, so anything another thread writes
    to stderr in the same few milliseconds is lost too: only for processes that accept that.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
