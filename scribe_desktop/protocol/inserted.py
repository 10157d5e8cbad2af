"""Where the client inserted silence into a session's audio stream (commit padding, keep-alive,
rules C6 and C7), so that stream times can be mapped back to the caller's own audio."""

from __future__ import annotations

import bisect


class InsertedSilence:
    """Spans of inserted bytes in stream order; `before(offset)` counts those before a byte
    offset in O(log n), so a long session's thousands of paddings stay cheap to map."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._before: list[int] = []  # inserted bytes before span i

    def insert(self, start: int, length: int) -> None:
        """`length` bytes inserted at stream offset `start` (at or after the last span)."""
        if length <= 0:
            return
        if self._ends and start == self._ends[-1]:  # adjacent: one span
            self._ends[-1] += length
            return
        if self._ends and start < self._ends[-1]:
            raise ValueError("inserted spans must come in stream order")
        total = self._before[-1] + self._ends[-1] - self._starts[-1] if self._ends else 0
        self._starts.append(start)
        self._ends.append(start + length)
        self._before.append(total)

    def before(self, offset: int) -> int:
        """Inserted bytes at stream offsets below `offset`."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return 0
        return self._before[i] + min(self._ends[i], offset) - self._starts[i]
