"""Audio and video files in the formats libsndfile does not read, written with PyAV (the FFmpeg
build the app decodes with), for the decoding tests."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import cast

import av
import numpy as np
from av.audio.stream import AudioStream

# extension -> (container format, audio codec, encoder sample rate)
AV_FORMATS: dict[str, tuple[str, str, int]] = {
    "m4a": ("mp4", "aac", 44100),
    "mp4": ("mp4", "aac", 48000),
    "webm": ("webm", "libopus", 48000),
    "opus": ("ogg", "libopus", 48000),
    "aac": ("adts", "aac", 22050),
    "wma": ("asf", "wmav2", 44100),
    "mkv": ("matroska", "aac", 32000),
}


def _resampled(mono_16k: np.ndarray, rate: int) -> np.ndarray:
    import soxr

    return np.asarray(soxr.resample(mono_16k, 16000, rate), dtype=np.float32)


def write_av(path: Path, mono_16k: np.ndarray, *, stereo: bool = True,
             video: bool = False) -> Path:
    """Encode 16 kHz mono float speech into `path` (its extension picks the format); stereo
    puts the speech in the left channel and silence in the right; `video` adds a small video
    track before the audio one (a screen recording)."""
    container_format, codec, rate = AV_FORMATS[path.suffix.lstrip(".")]
    samples = _resampled(mono_16k, rate)
    with av.open(str(path), mode="w", format=container_format) as out:
        if video:
            vstream = out.add_stream("libvpx" if container_format == "webm" else "mpeg4",
                                     rate=10)
            vstream.width, vstream.height, vstream.pix_fmt = 64, 48, "yuv420p"
        stream = cast(AudioStream, out.add_stream(codec, rate=rate))
        stream.layout = "stereo" if stereo else "mono"
        stream.bit_rate = 96_000  # wmav2 refuses to open without one
        if video:
            frames = int(samples.size / rate * 10) + 1
            for n in range(frames):
                picture = av.VideoFrame.from_ndarray(
                    np.full((48, 64, 3), n % 255, dtype=np.uint8), format="rgb24")
                picture.pts = n
                for packet in vstream.encode(picture):
                    out.mux(packet)
            for packet in vstream.encode():
                out.mux(packet)
        planes = np.stack([samples, np.zeros_like(samples)]) if stereo else samples[None, :]
        step = 1024
        for start in range(0, samples.size, step):
            block = np.ascontiguousarray(planes[:, start:start + step])
            frame = av.AudioFrame.from_ndarray(block, format="fltp",
                                               layout="stereo" if stereo else "mono")
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path
