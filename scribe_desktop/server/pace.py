"""Whether a session's audio is processed in real time, measured where it happens: the
session's receive loop. Pure (times come from the caller).

The capacity (capacity.py) counts the cores, but it cannot see other programs using them:
on a shared machine the sessions it admits may already be falling behind. A session is
behind when, over the last `window_s`, its receive loop hardly ever waited for the client
(its frames were queued) and yet it processed less than `min_speed` seconds of audio per
second: the server is slower than the audio it is given. A client that pauses makes the loop
wait (not behind); one that sends faster than real time is processed at least at real-time
speed while the server keeps up (not behind). The server refuses a new session while one is
behind (app.py): another would fall behind too, and slow the others further.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

WINDOW_S = 4.0
MIN_SPEED = 0.5  # seconds of audio per second: below this the session is far behind
MAX_WAITING = 0.1  # share of the window spent waiting for frames: more means keeping up


@dataclass(frozen=True, slots=True)
class _Frame:
    wait_start: float
    wait_end: float
    done: float
    audio_s: float


class PaceMonitor:
    """One session's receive loop: `waiting()`, then `received()` when a frame arrives, then
    `done(audio_s)` once it is processed. Not thread-safe (the event loop only)."""

    def __init__(self, window_s: float = WINDOW_S, min_speed: float = MIN_SPEED,
                 max_waiting: float = MAX_WAITING) -> None:
        self.window_s = window_s
        self.min_speed = min_speed
        self.max_waiting = max_waiting
        self._frames: deque[_Frame] = deque()
        self._first: float | None = None  # when the loop first waited
        self._wait_start: float | None = None  # waiting now, since
        self._wait_end: float | None = None  # the frame being processed arrived then

    def waiting(self, now: float) -> None:
        if self._first is None:
            self._first = now
        self._wait_start, self._wait_end = now, None

    def received(self, now: float) -> None:
        self._wait_end = now

    def done(self, now: float, audio_s: float) -> None:
        if self._wait_start is not None and self._wait_end is not None:
            self._frames.append(_Frame(self._wait_start, self._wait_end, now, audio_s))
        self._wait_start = self._wait_end = None
        while self._frames and self._frames[0].done < now - self.window_s:
            self._frames.popleft()

    def behind(self, now: float) -> bool:
        """The last `window_s`: frames waiting (hardly any time spent waiting for one) and
        less than `min_speed` of real time processed."""
        start = now - self.window_s
        if self._first is None or self._first > start:
            return False  # too young to tell
        waited = sum(max(0.0, min(f.wait_end, now) - max(f.wait_start, start))
                     for f in self._frames)
        if self._wait_start is not None and self._wait_end is None:  # waiting right now
            waited += now - max(self._wait_start, start)
        audio = sum(f.audio_s for f in self._frames if f.done >= start)
        return waited < self.max_waiting * self.window_s and \
            audio < self.min_speed * self.window_s
