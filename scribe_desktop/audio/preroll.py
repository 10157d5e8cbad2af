"""A ring buffer of the most recent audio, so a dictation that starts now includes the words
said just before (the stream stays open while the app runs). Not thread-safe: the capture
feeds and reads it on the event loop only."""

from __future__ import annotations

import numpy as np

from .pcm import Int16Array


class PreRollBuffer:
    """The last `capacity` int16 samples pushed; older samples fall off."""

    def __init__(self, capacity: int) -> None:
        if capacity < 0:
            raise ValueError(f"capacity must be >= 0, got {capacity}")
        self.capacity = capacity
        self._buf = np.zeros(capacity, dtype=np.int16)
        self._end = 0  # write position
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def push(self, samples: Int16Array) -> None:
        if self.capacity == 0 or samples.size == 0:
            return
        if samples.size >= self.capacity:
            self._buf[:] = samples[-self.capacity:]
            self._end, self._size = 0, self.capacity
            return
        first = min(samples.size, self.capacity - self._end)
        self._buf[self._end:self._end + first] = samples[:first]
        rest = samples.size - first
        if rest:
            self._buf[:rest] = samples[first:]
        self._end = (self._end + samples.size) % self.capacity
        self._size = min(self.capacity, self._size + samples.size)

    def snapshot(self) -> Int16Array:
        """The buffered samples, oldest first (a copy)."""
        start = (self._end - self._size) % self.capacity if self.capacity else 0
        if start + self._size <= self.capacity:
            return self._buf[start:start + self._size].copy()
        return np.concatenate((self._buf[start:], self._buf[:self._end]))

    def clear(self) -> None:
        self._end = self._size = 0
