"""Signal checks of the capture path: digital silence at the device, and level windows of the
processed audio for a meter. Loop-only; not thread-safe."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .capture_events import LevelMeasured
from .pcm import Int16Array, level_dbfs


class SilenceDetector:
    """Tracks runs of exact zeros (a muted or dead input, not a quiet room)."""

    def __init__(self, threshold_s: float) -> None:
        self.threshold_s = threshold_s
        self.warned = False
        self._zero_frames = 0

    def reset(self) -> None:
        self._zero_frames = 0

    def feed(self, block: npt.NDArray[Any], rate_hz: int) -> bool | None:
        """True when silence just crossed the threshold, False when it just ended."""
        if block.any():
            self._zero_frames = 0
            if self.warned:
                self.warned = False
                return False
            return None
        self._zero_frames += block.shape[0]
        if not self.warned and self._zero_frames > self.threshold_s * rate_hz:
            self.warned = True
            return True
        return None


class LevelMeter:
    """RMS/peak over windows of `window_samples` of processed audio at `rate_hz`."""

    def __init__(self, window_samples: int, rate_hz: int) -> None:
        self.window_samples = window_samples
        self.rate_hz = rate_hz
        self._parts: list[Int16Array] = []
        self._count = 0

    def feed(self, samples: Int16Array) -> LevelMeasured | None:
        self._parts.append(samples)
        self._count += samples.size
        if self._count < self.window_samples:
            return None
        window = np.concatenate(self._parts)
        self._parts, self._count = [], 0
        rms, peak = level_dbfs(window)
        return LevelMeasured(rms, peak, window.size / self.rate_hz)
