"""When a re-decoding engine's next partial decode may start (pure; no clock of its own).

A partial decode re-reads the whole uncommitted segment, so it costs more as the segment
grows, and more still when other sessions share the cores. The pacer keeps one session's
partial decoding to a bounded share of the time instead of a fixed rate:

* never two decodes at once (the caller awaits each one);
* a decode needs new audio since the last one (MIN_NEW_AUDIO_S);
* the next decode starts no sooner than MIN_INTERVAL_S after the last one started, and no
  sooner than the last decode's duration / MAX_DUTY: a decode that took longer than expected
  (long segment, busy machine) spaces the next one out, so partials thin out under load
  instead of falling behind. Commits never wait for the pacer.

Measured on the human speech corpus (tiny.en, 2 cores): 0.4 s / 0.6 gave partial updates
p50/p95 0.41/1.10 s at 0.47 cores a session, against 0.51/1.13 s with 0.5 s / 0.5
(docs/architecture.md, "Pacing").
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_INTERVAL_S = 0.4
MIN_NEW_AUDIO_S = 0.2
MAX_DUTY = 0.6


@dataclass
class PartialPacer:
    """Not thread-safe: one per session, used on the event loop."""

    min_interval_s: float = MIN_INTERVAL_S
    min_new_audio_s: float = MIN_NEW_AUDIO_S
    max_duty: float = MAX_DUTY
    _last_start: float | None = None
    _last_duration: float = 0.0
    _audio_at_last: float = 0.0

    def wait_s(self, now: float, audio_s: float) -> float | None:
        """Seconds to wait before the next decode may start (0: now), or None when there is
        not enough new audio yet (wait for more). `audio_s`: audio received so far."""
        if audio_s - self._audio_at_last < self.min_new_audio_s:
            return None
        if self._last_start is None:
            return 0.0
        gap = max(self.min_interval_s, self._last_duration / self.max_duty)
        return max(0.0, self._last_start + gap - now)

    def started(self, now: float, audio_s: float) -> None:
        self._last_start = now
        self._audio_at_last = audio_s

    def finished(self, duration_s: float) -> None:
        self._last_duration = max(0.0, duration_s)

    def new_segment(self) -> None:
        """After a commit: the next segment's first partial need not wait for the interval."""
        self._last_start = None
