"""From device blocks to session-rate PCM16: downmix, resample, optional WebRTC noise
suppression and automatic gain control. Runs on the event loop, never in the PortAudio thread
(architecture.md, "Concurrency").

Noise suppression and AGC come from `webrtc-noise-gain` (the WebRTC audio-processing module),
which works on 10 ms frames of 16 kHz mono int16: when either is on, audio goes device rate ->
16 kHz -> WebRTC -> session rate; otherwise device rate -> session rate directly.

Echo cancellation is NOT offered: it needs the signal being played on the speakers as a
reference, which a desktop app capturing through PortAudio does not have (the OS mixer owns
playback). `ECHO_CANCELLATION_AVAILABLE` is False and `ECHO_CANCELLATION_NOTE` says why, so a
settings dialog can show the option disabled with that explanation instead of pretending.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .pcm import Int16Array, StreamResampler, downmix, float_to_int16

ECHO_CANCELLATION_AVAILABLE = False
ECHO_CANCELLATION_NOTE = (
    "Echo cancellation is not available for desktop capture: it needs the audio being played "
    "on your speakers as a reference, which the app cannot see. Use headphones, or your "
    "system's echo-cancelling input (e.g. PulseAudio/PipeWire echo-cancel) as the device.")

WEBRTC_RATE_HZ = 16000
_WEBRTC_FRAME = WEBRTC_RATE_HZ // 100  # 10 ms


@dataclass(frozen=True, slots=True)
class AudioOptions:
    """Microphone options (mirroring the seed's microphone options, minus echo cancellation).

    `noise_suppression`: 0 (off) to 4 (strongest). `auto_gain_dbfs`: 0 (off) or the AGC's
    target level, 1-31 dB below full scale (WebRTC's convention; 3 is a good default).
    """

    noise_suppression: int = 0
    auto_gain_dbfs: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.noise_suppression <= 4:
            raise ValueError(f"noise_suppression must be 0-4, got {self.noise_suppression}")
        if not 0 <= self.auto_gain_dbfs <= 31:
            raise ValueError(f"auto_gain_dbfs must be 0-31, got {self.auto_gain_dbfs}")

    @property
    def needs_webrtc(self) -> bool:
        return self.noise_suppression > 0 or self.auto_gain_dbfs > 0

    @classmethod
    def from_switches(cls, *, noise_suppression: bool = False,
                      auto_gain: bool = False) -> AudioOptions:
        """On/off switches with sensible strengths (NS level 2, AGC target -3 dBFS)."""
        return cls(noise_suppression=2 if noise_suppression else 0,
                   auto_gain_dbfs=3 if auto_gain else 0)


class _WebRtcProcessor(Protocol):
    def Process10ms(self, audio: bytes) -> Any: ...  # the library's name


class WebRtcFilter:
    """WebRTC noise suppression / AGC over arbitrary-length 16 kHz int16 input.

    Holds back the remainder that does not fill a 10 ms frame until the next call (so output
    lags input by under 10 ms). Not thread-safe."""

    def __init__(self, options: AudioOptions) -> None:
        from webrtc_noise_gain import AudioProcessor

        self._proc: _WebRtcProcessor = AudioProcessor(options.auto_gain_dbfs,
                                                      options.noise_suppression)
        self._pending = np.zeros(0, dtype=np.int16)
        self.speech_frames = 0

    def process(self, samples: Int16Array) -> Int16Array:
        data = np.concatenate((self._pending, samples)) if self._pending.size else samples
        whole = data.size - data.size % _WEBRTC_FRAME
        self._pending = data[whole:].copy()
        if whole == 0:
            return np.zeros(0, dtype=np.int16)
        out = bytearray()
        raw = data[:whole].astype("<i2", copy=False).tobytes()
        step = _WEBRTC_FRAME * 2
        for pos in range(0, len(raw), step):
            result = self._proc.Process10ms(raw[pos:pos + step])
            self.speech_frames += bool(result.is_speech)
            out += result.audio
        return np.frombuffer(bytes(out), dtype="<i2").astype(np.int16)


class CapturePipeline:
    """Device blocks (float32, frames x channels, at `device_rate_hz`) -> mono int16 at
    `out_rate_hz`, filtered per `options`. One instance per opened stream; not thread-safe."""

    def __init__(self, device_rate_hz: int, out_rate_hz: int,
                 options: AudioOptions | None = None) -> None:
        self.options = options or AudioOptions()
        self.device_rate_hz = device_rate_hz
        self.out_rate_hz = out_rate_hz
        self._filter: WebRtcFilter | None = None
        self.frames_in = 0  # device frames processed
        self.samples_out = 0  # samples produced
        if self.options.needs_webrtc:
            self._filter = WebRtcFilter(self.options)
            self._to_16k = StreamResampler(device_rate_hz, WEBRTC_RATE_HZ, dtype="float32")
            self._to_out = StreamResampler(WEBRTC_RATE_HZ, out_rate_hz, dtype="int16")
        else:
            self._direct = StreamResampler(device_rate_hz, out_rate_hz, dtype="float32")

    @property
    def held_back(self) -> float:
        """Output samples the input so far accounts for but the resampler and the WebRTC
        framing still hold (their delay): what the next input must push out first."""
        return self.frames_in * self.out_rate_hz / self.device_rate_hz - self.samples_out

    def frames_for(self, samples: int) -> int:
        """Device frames that must still come in for `samples` more output samples."""
        needed = (samples + max(0.0, self.held_back)) * self.device_rate_hz / self.out_rate_hz
        return max(1, math.ceil(needed))

    def process(self, block: npt.NDArray[Any]) -> Int16Array:
        self.frames_in += len(block)
        mono = downmix(np.asarray(block, dtype=np.float32))
        if self._filter is None:
            out = float_to_int16(self._direct.process(mono))
        else:
            filtered = self._filter.process(float_to_int16(self._to_16k.process(mono)))
            out = self._to_out.process(filtered).astype(np.int16, copy=False)
        self.samples_out += out.size
        return out
