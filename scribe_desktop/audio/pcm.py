"""Sample conversion, G.711 mu-law, streaming resampling and levels. Pure (numpy + soxr).

Resampling uses libsoxr (`soxr`), a well-kept high-quality resampler, in streaming mode so
chunk boundaries leave no clicks and the output length tracks the input exactly over time.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import soxr

from ..protocol.audio_format import AudioFormat, Encoding

Int16Array = npt.NDArray[np.int16]
Float32Array = npt.NDArray[np.float32]

_ULAW_BIAS = 0x84


def pcm16_bytes_to_array(data: bytes) -> Int16Array:
    """Little-endian PCM16 bytes -> int16 samples (a trailing odd byte is dropped)."""
    usable = len(data) - (len(data) % 2)
    return np.frombuffer(data[:usable], dtype="<i2").astype(np.int16, copy=False)


def array_to_pcm16_bytes(samples: npt.NDArray[Any]) -> bytes:
    """int16 samples, or floats in [-1, 1] (clipped), -> little-endian PCM16 bytes."""
    if samples.dtype != np.int16:
        samples = float_to_int16(samples)
    return samples.astype("<i2", copy=False).tobytes()


def float_to_int16(samples: npt.NDArray[Any]) -> Int16Array:
    """Floats in [-1, 1] -> int16, clipped (the asymmetric scale of §12.6's worklet)."""
    x = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    return np.where(x < 0, x * 32768.0, x * 32767.0).astype(np.int16)


def int16_to_float(samples: Int16Array) -> Float32Array:
    return (samples.astype(np.float32) / 32768.0).astype(np.float32)


def _build_ulaw_table() -> Int16Array:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + _ULAW_BIAS) << exponent) - _ULAW_BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


_ULAW_DECODE = _build_ulaw_table()


def ulaw_decode(data: bytes) -> Int16Array:
    """G.711 mu-law bytes -> int16 samples."""
    return _ULAW_DECODE[np.frombuffer(data, dtype=np.uint8)]


def ulaw_encode(samples: Int16Array) -> bytes:
    """int16 samples -> G.711 mu-law bytes (bit-exact with CPython's audioop.lin2ulaw)."""
    v = samples.astype(np.int32) >> 2  # G.711 works on 14-bit samples
    mask = np.where(v < 0, 0x7F, 0xFF)
    v = np.minimum(np.abs(v), 8159) + 0x21
    segment = np.searchsorted(_ULAW_SEGMENT_ENDS, v)  # first end >= v
    code = np.where(segment > 7, 0x7F, (segment << 4) | ((v >> (segment + 1)) & 0x0F))
    return (code ^ mask).astype(np.uint8).tobytes()


_ULAW_SEGMENT_ENDS = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])


def decode_wire_audio(data: bytes, audio_format: AudioFormat) -> Int16Array:
    """Raw wire bytes of `audio_format` -> int16 samples at the format's rate."""
    if audio_format.encoding is Encoding.ULAW:
        return ulaw_decode(data)
    return pcm16_bytes_to_array(data)


def encode_wire_audio(samples: Int16Array, audio_format: AudioFormat) -> bytes:
    if audio_format.encoding is Encoding.ULAW:
        return ulaw_encode(samples)
    return array_to_pcm16_bytes(samples)


def downmix(frames: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """(n, channels) -> mono by averaging; 1-D input is returned as is."""
    if frames.ndim == 1:
        return frames
    if frames.shape[1] == 1:
        return frames[:, 0]
    if frames.dtype == np.int16:
        rounded: Int16Array = np.round(frames.astype(np.float32).mean(axis=1)).astype(np.int16)
        return rounded
    mono: npt.NDArray[Any] = frames.mean(axis=1).astype(frames.dtype)
    return mono


def resample(samples: npt.NDArray[Any], in_rate_hz: int, out_rate_hz: int) -> npt.NDArray[Any]:
    """Resample a whole mono signal at once (float32 or int16 in, same dtype out)."""
    if in_rate_hz == out_rate_hz or samples.size == 0:
        return samples
    result: npt.NDArray[Any] = soxr.resample(samples, in_rate_hz, out_rate_hz, quality="HQ")
    return result


class StreamResampler:
    """Streaming mono resampler; feed chunks, then `flush()` once at the end.

    Not thread-safe; one instance per stream.
    """

    def __init__(self, in_rate_hz: int, out_rate_hz: int, dtype: str = "int16") -> None:
        self.in_rate_hz = in_rate_hz
        self.out_rate_hz = out_rate_hz
        self._dtype = np.dtype(dtype)
        self._stream: Any = None
        if in_rate_hz != out_rate_hz:
            self._stream = soxr.ResampleStream(in_rate_hz, out_rate_hz, 1, dtype=dtype,
                                               quality="HQ")

    def process(self, samples: npt.NDArray[Any]) -> npt.NDArray[Any]:
        samples = np.ascontiguousarray(samples, dtype=self._dtype)
        if self._stream is None:
            return samples
        out: npt.NDArray[Any] = self._stream.resample_chunk(samples)
        return out

    def flush(self) -> npt.NDArray[Any]:
        if self._stream is None:
            return np.zeros(0, dtype=self._dtype)
        out: npt.NDArray[Any] = self._stream.resample_chunk(
            np.zeros(0, dtype=self._dtype), last=True)
        return out


def level_dbfs(samples: npt.NDArray[Any]) -> tuple[float, float]:
    """(RMS, peak) in dBFS of all the samples; -inf for digital silence. int16 or float
    input. Four array passes and no temporaries beyond one float copy: it runs for every
    chunk of a dictation."""
    if samples.size == 0:
        return float("-inf"), float("-inf")
    scale = 1 / 32768 if samples.dtype == np.int16 else 1.0
    x = samples.astype(np.float64).ravel()
    rms = math.sqrt(float(np.dot(x, x)) / x.size) * scale
    peak = max(float(x.max()), -float(x.min())) * scale
    return _to_db(rms), _to_db(peak)


def _to_db(value: float) -> float:
    return 20.0 * math.log10(value) if value > 0 else float("-inf")
