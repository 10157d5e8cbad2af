"""Signal checks of the capture path: digital silence at the device (levels come with each
chunk: `mic_source.MicChunk`). Loop-only; not thread-safe."""

from __future__ import annotations

from typing import Any

import numpy.typing as npt


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
