"""Speech segmentation for `commit_strategy=vad` (§10.4), sans-I/O over 16 kHz samples.

A frame classifier says which frames are speech; `VadSegmenter` turns that into segment ends.
Two classifiers:

* `SileroFrames` (the default): the Silero VAD network (server/silero.py), 32 ms frames, a
  speech probability per frame. `vad_threshold` (0.1-0.9, "lower is more sensitive") is the
  probability a frame needs to count as speech, which is exactly the protocol's meaning.
* `WebRtcFrames`: WebRTC's VAD as pocketsphinx ships it (`pocketsphinx.Vad`), 30 ms frames,
  speech or not. `vad_threshold` picks its aggressiveness mode: < 0.3 -> 0 (most sensitive),
  < 0.5 -> 1 (the default 0.4 lands here), < 0.7 -> 2, otherwise 3 (strictest).

Silero was kept as the default because it segments real speech as well and does not take
noise for speech (bench/vad_quality.py; numbers in docs/benchmarks.md).

The other three parameters (§4) drive the segmenter whatever the classifier:

* `min_speech_duration_ms`: a speech run must last this long to start a segment, and inside
  a segment a shorter speech blip counts as silence (it does not restart the silence clock).
* `min_silence_duration_ms`: before a segment starts, a silence gap shorter than this does
  not reset the speech run (a stop consonant does not split a word).
* `vad_silence_threshold_secs`: the silence after speech that ends the segment (commit);
  at least `min_silence_duration_ms`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ..protocol.options import SessionOptions

FRAME_S = 0.03
DEFAULTS = {"vad_silence_threshold_secs": 1.5, "vad_threshold": 0.4,
            "min_speech_duration_ms": 100, "min_silence_duration_ms": 100}  # §4 defaults


def vad_mode(threshold: float) -> int:
    """WebRTC VAD mode 0-3 for a protocol `vad_threshold` (see the module docstring)."""
    if threshold < 0.3:
        return 0
    if threshold < 0.5:
        return 1
    if threshold < 0.7:
        return 2
    return 3


@dataclass(frozen=True, slots=True)
class VadSettings:
    silence_s: float
    threshold: float
    min_speech_ms: int
    min_silence_ms: int

    @classmethod
    def from_options(cls, options: SessionOptions) -> VadSettings:
        def pick(name: str) -> Any:
            value = getattr(options, name)
            return DEFAULTS[name] if value is None else value

        return cls(float(pick("vad_silence_threshold_secs")), float(pick("vad_threshold")),
                   int(pick("min_speech_duration_ms")), int(pick("min_silence_duration_ms")))


class FrameClassifier(Protocol):
    """Says which frames of 16 kHz audio are speech. Not thread-safe (it may keep state)."""

    @property
    def frame_samples(self) -> int: ...

    def speech(self, frames: npt.NDArray[np.int16]) -> npt.NDArray[np.bool_]:
        """One flag per frame; `frames` holds whole frames only."""
        ...


class WebRtcFrames:
    """WebRTC VAD (pocketsphinx.Vad), 30 ms frames, mode from `vad_threshold`."""

    def __init__(self, threshold: float, sample_rate_hz: int = 16000) -> None:
        from pocketsphinx import Vad

        self._vad: Any = Vad(vad_mode(threshold), sample_rate_hz, FRAME_S)
        self.frame_samples: int = int(self._vad.frame_bytes) // 2

    def speech(self, frames: npt.NDArray[np.int16]) -> npt.NDArray[np.bool_]:
        raw = frames.astype("<i2", copy=False).reshape(-1, self.frame_samples)
        return np.array([bool(self._vad.is_speech(f.tobytes())) for f in raw], dtype=bool)


class SileroFrames:
    """Silero VAD, 32 ms frames; a frame is speech when its probability >= `threshold`."""

    def __init__(self, threshold: float) -> None:
        from .silero import FRAME_SAMPLES, SileroStream

        self._stream = SileroStream()
        self._threshold = threshold
        self.frame_samples: int = FRAME_SAMPLES

    def speech(self, frames: npt.NDArray[np.int16]) -> npt.NDArray[np.bool_]:
        return self._stream.speech(frames, self._threshold)


def default_classifier(settings: VadSettings) -> FrameClassifier:
    return SileroFrames(settings.threshold)


class VadSegmenter:
    """Feed 16 kHz int16 audio; get the offsets where a segment's trailing silence is complete.

    Not thread-safe: one instance per session, calls serialised.
    """

    def __init__(self, settings: VadSettings, sample_rate_hz: int = 16000,
                 classifier: FrameClassifier | None = None) -> None:
        self._classifier = classifier or default_classifier(settings)
        self._frame = self._classifier.frame_samples
        frame_s = self._frame / sample_rate_hz
        self._min_speech = max(1, math.ceil(settings.min_speech_ms / 1000 / frame_s))
        self._min_gap = max(1, math.ceil(settings.min_silence_ms / 1000 / frame_s))
        silence_s = max(settings.silence_s, settings.min_silence_ms / 1000)
        self._end_silence = max(1, math.ceil(silence_s / frame_s))
        self._pending = np.zeros(0, dtype=np.int16)
        self.in_speech = False
        self._speech_run = 0
        self._gap = 0
        self._silence_run = 0

    def feed(self, samples: npt.NDArray[np.int16]) -> list[int]:
        """Offsets into `samples` (in samples, 0..len) at which a segment ends."""
        buffered = self._pending.size
        data = np.concatenate([self._pending, samples.astype(np.int16, copy=False)])
        ends: list[int] = []
        whole = data.size - data.size % self._frame
        flags = self._classifier.speech(data[:whole]) if whole else ()
        for i, speech in enumerate(flags):
            if self._step(bool(speech)):
                ends.append(max(0, (i + 1) * self._frame - buffered))
        self._pending = data[whole:].copy()
        return ends

    def _step(self, speech: bool) -> bool:
        """Advance one frame; True when this frame completes the end-of-segment silence."""
        if not self.in_speech:
            if speech:
                self._speech_run += 1
                self._gap = 0
                if self._speech_run >= self._min_speech:
                    self.in_speech, self._speech_run, self._silence_run = True, 0, 0
            else:
                self._gap += 1
                if self._gap >= self._min_gap:
                    self._speech_run = 0
            return False
        if speech:
            self._speech_run += 1
            if self._speech_run >= self._min_speech:
                self._silence_run = 0
                self._speech_run = 0
            return False
        # a speech blip shorter than min_speech_duration_ms counts as silence
        self._silence_run += self._speech_run + 1
        self._speech_run = 0
        if self._silence_run >= self._end_silence:
            self.in_speech = False
            self._silence_run = self._gap = 0
            return True
        return False
