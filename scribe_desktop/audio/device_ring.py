"""`DeviceRing`: the microphone's recent audio exactly as the device delivered it (float32
frames x channels at the device rate), written on the PortAudio thread, read on the loop.

It is the one timeline of a capture: the pre-roll is its tail, a dictation reads it onwards
from where it started, and when a stream is replaced by one with another block size the new
stream's audio is appended where the old one's ends (`seam.py`), so a reader never sees a gap
or a repeat. Keeping device frames (not processed ones) means nothing is downmixed,
resampled or filtered until a dictation reads them.

Positions count frames since the ring was made, so a reader keeps its place across wraps; a
reader more than `capacity` behind finds its oldest frames gone (`read` says how many).
Every method must be called with `lock` held: the PortAudio callback takes it for its
append, the loop for its reads.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt

Frames = npt.NDArray[np.float32]


class DeviceRing:
    """The last `capacity` frames of `channels` channels at `rate_hz` (see module doc)."""

    def __init__(self, capacity: int, channels: int, rate_hz: int) -> None:
        if capacity <= 0 or channels <= 0:
            raise ValueError("capacity and channels must be positive")
        self.capacity = capacity
        self.channels = channels
        self.rate_hz = rate_hz
        self.lock = threading.Lock()
        self._buf = np.zeros((capacity, channels), dtype=np.float32)
        self.end = 0  # position after the last frame written
        self.written_at = 0.0  # clock time of the last append

    @property
    def held(self) -> int:
        return min(self.end, self.capacity)

    def fits(self, channels: int, rate_hz: int) -> bool:
        return channels == self.channels and rate_hz == self.rate_hz

    def append(self, frames: npt.NDArray[Any], at: float) -> None:
        """Add `frames` ((n, channels) float32) received at clock time `at`."""
        n = len(frames)
        if n == 0:
            return
        if n >= self.capacity:
            self._buf[:] = frames[n - self.capacity:]
            self.end += n
            # keep `end % capacity` the write position: rotate so the oldest sits there
            self._buf = np.roll(self._buf, self.end % self.capacity, axis=0)
        else:
            pos = self.end % self.capacity
            first = min(n, self.capacity - pos)
            self._buf[pos:pos + first] = frames[:first]
            if n > first:
                self._buf[:n - first] = frames[first:]
            self.end += n
        self.written_at = at

    def read(self, start: int) -> tuple[Frames, int]:
        """Frames from position `start` to the end (a copy), and how many frames from `start`
        on were already overwritten (lost to this reader)."""
        first = max(start, self.end - self.held)
        return self._slice(first, self.end), first - start

    def tail(self, n: int) -> Frames:
        """The last `n` frames (fewer if the ring holds fewer), oldest first (a copy)."""
        n = max(0, min(n, self.held))
        return self._slice(self.end - n, self.end)

    def _slice(self, first: int, last: int) -> Frames:
        n = last - first
        if n <= 0:
            return np.zeros((0, self.channels), dtype=np.float32)
        pos = first % self.capacity
        if pos + n <= self.capacity:
            return self._buf[pos:pos + n].copy()
        return np.concatenate((self._buf[pos:], self._buf[:n - (self.capacity - pos)]))
