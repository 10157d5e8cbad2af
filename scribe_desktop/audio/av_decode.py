"""Decoding through FFmpeg's libraries (PyAV) for what libsndfile does not read: M4A/MP4,
WebM/MKV, Opus, AAC, WMA, the audio track of a video…

`av_probe()` opens the container and reads what it says about the first audio stream;
`av_mono_blocks()` decodes that stream frame by frame and yields mono float32 blocks of about
`block_frames` samples at the stream's own rate, so an hour of audio never sits in memory
and resampling stays with the caller's soxr resampler. Blocking: call from a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt


class AvDecodeError(Exception):
    """FFmpeg could not open or decode the file; `str()` says why in a few words."""


@dataclass(frozen=True, slots=True)
class AvInfo:
    container: str  # FFmpeg's long name of the container, e.g. "QuickTime / MOV"
    codec: str  # e.g. "aac"
    sample_rate_hz: int
    channels: int
    duration_s: float | None
    has_video: bool


def _open(path: Path) -> Any:
    import av

    try:
        return av.open(str(path), mode="r")
    except av.error.FFmpegError as exc:
        raise AvDecodeError(_reason(exc)) from None


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "strerror", "") or exc).strip()
    return text.rstrip(".") or type(exc).__name__


# containers that hold real video (FFmpeg also "reads" a text file as ANSI art: "tty")
VIDEO_DEMUXERS = frozenset({"mov", "mp4", "matroska", "webm", "avi", "asf", "flv", "mpeg",
                            "mpegts", "3gp"})


class NoAudioTrackError(AvDecodeError):
    """A video file that holds no sound to transcribe."""


def av_probe(path: Path) -> AvInfo:
    """What the container says of its first audio stream; `AvDecodeError` if FFmpeg cannot
    open it or it has no audio (`NoAudioTrackError` for a real video without sound)."""
    container = _open(path)
    try:
        if not container.streams.audio:
            demuxers = set(str(container.format.name).split(","))
            if container.streams.video and demuxers & VIDEO_DEMUXERS:
                raise NoAudioTrackError("a video without an audio track")
            raise AvDecodeError("no audio in it")
        stream = container.streams.audio[0]
        ctx = stream.codec_context
        duration: float | None = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000  # AV_TIME_BASE
        return AvInfo(container=str(container.format.long_name or container.format.name),
                      codec=str(ctx.name), sample_rate_hz=int(ctx.sample_rate or 0),
                      channels=int(ctx.channels or 0),
                      duration_s=duration if duration and duration > 0 else None,
                      has_video=bool(container.streams.video))
    finally:
        container.close()


def av_mono_blocks(path: Path, block_frames: int) -> Iterator[npt.NDArray[np.float32]]:
    """Mono float32 blocks of at least `block_frames` samples (the last may be shorter)."""
    import av

    container = _open(path)
    pending: list[npt.NDArray[np.float32]] = []
    size = 0
    try:
        stream = container.streams.audio[0]
        # planar float keeps every channel apart: the mean over them is the downmix
        resampler = av.AudioResampler(format="fltp")
        for packet in container.demux(stream):
            for frame in packet.decode():
                for converted in resampler.resample(frame):
                    planes = converted.to_ndarray()
                    mono = planes.mean(axis=0, dtype=np.float32) if planes.ndim == 2 \
                        else np.asarray(planes, dtype=np.float32)
                    pending.append(np.ascontiguousarray(mono, dtype=np.float32))
                    size += mono.size
                if size >= block_frames:
                    yield np.concatenate(pending)
                    pending, size = [], 0
        if size:
            yield np.concatenate(pending)
    except av.error.FFmpegError as exc:
        raise AvDecodeError(_reason(exc)) from None
    finally:
        container.close()
