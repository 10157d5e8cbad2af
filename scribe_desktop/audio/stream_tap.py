"""`StreamTap`: one PortAudio input stream's callback and what it does with each block, on
the PortAudio thread — copy it, and tell the loop only when the loop has something to do.

The callback never processes audio (architecture.md, "Concurrency"). As the ring's writer it
appends the block to the `DeviceRing`; while it waits to take over from an older stream (a
block-size switch) it keeps its blocks aside for the seam. It wakes the loop (`notify`, which
must be thread-safe, e.g. `loop.call_soon_threadsafe`) only for its first block, for every
block while waiting, and once the ring reaches `wake_at` — the position where the loop can
cut its next chunk or level window. An idle microphone therefore costs the loop nothing:
`wake_at` is None and the ring fills silently. At most one wake is in flight: the loop calls
`woken()` when it takes it. A stalled loop loses nothing but the oldest ring frames.
"""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from .device_ring import DeviceRing
from .devices import InputDevice, InputStreamLike
from .seam import overlap_frames, to_mono

log = logging.getLogger(__name__)

# Joining a new stream's audio to the ring: the overlap is searched `SEAM_SLACK_S` either
# side of what the callbacks' times say, matching `SEAM_WINDOW_S` of audio, so the ring
# must reach that far into the new stream's audio first.
SEAM_WINDOW_S = 0.02
SEAM_SLACK_S = 0.05
SEAM_NEED_S = SEAM_WINDOW_S + SEAM_SLACK_S


class Profile(enum.Enum):
    """Block sizes of a stream: large while idle (few wake-ups), small while live."""

    IDLE = "idle"
    LIVE = "live"


class TapRole(enum.Enum):
    WRITER = "writer"  # appends to the ring
    WAITING = "waiting"  # a switch: keeps blocks in `pending` until the seam
    HOLDING = "holding"  # the writer during a seam, ahead of the new stream: keeps its blocks
    # in `pending` so the new one can catch up (appended after all if the switch fails)
    RETIRED = "retired"  # replaced (or closing): its blocks are dropped


class StreamTap:
    """See the module doc. Fields written on the PortAudio thread are read on the loop only
    with `ring.lock` held, except `last_block_at` (a float; read for the stall watchdog)."""

    def __init__(self, ring: DeviceRing, device: InputDevice, profile: Profile, *,
                 role: TapRole, notify: Callable[[StreamTap], object],
                 clock: Callable[[], float], block_s: float) -> None:
        self.ring = ring
        self.device = device
        self.profile = profile
        self.block_s = block_s
        self.role = role
        self.stream: InputStreamLike | None = None
        self.pending: list[tuple[npt.NDArray[np.float32], float]] = []  # (block, arrived at)
        self.wake_at: int | None = None
        self.started = False
        self.blocks = 0
        self.overflows = 0
        self.last_block_at = 0.0
        self._notify = notify
        self._clock = clock
        self._asked = False

    def callback(self, indata: npt.NDArray[Any], frames: int, time_info: Any,
                 status: Any) -> None:
        """The PortAudio callback (PortAudio thread): copy, count, maybe wake the loop."""
        now = self._clock()
        wake = False
        with self.ring.lock:
            self.blocks += 1
            self.last_block_at = now
            if getattr(status, "input_overflow", False):
                self.overflows += 1
            if self.role is TapRole.WRITER:
                self.ring.append(indata, now)
                wake = self.wake_at is not None and self.ring.end >= self.wake_at
            elif self.role in (TapRole.WAITING, TapRole.HOLDING):
                self.pending.append((indata.copy(), now))
                wake = self.role is TapRole.WAITING
            if not self.started:
                self.started = wake = True
            if wake:
                wake, self._asked = not self._asked, True
        if wake:
            with contextlib.suppress(RuntimeError):  # the loop is closed: the app is exiting
                self._notify(self)

    def resume(self) -> None:
        """Loop, with `ring.lock` held: a switch away from this (holding) writer failed;
        append what it kept aside and write again."""
        if self.role is TapRole.HOLDING:
            for block, at in self.pending:
                self.ring.append(block, at)
            self.pending = []
            self.role = TapRole.WRITER

    def woken(self) -> None:
        """Loop, with `ring.lock` held: the wake was taken; the next one may be sent."""
        self._asked = False

    def take_over(self, old: StreamTap | None, now: float, *, give_up_s: float) -> bool:
        """Loop, with `ring.lock` held, for a WAITING tap: join the ring where this stream's
        audio continues what `old` (the writer) wrote, and become the writer. Waits (returns
        False) until the ring's end lies at least `SEAM_NEED_S` inside this stream's audio,
        and this stream's audio reaches past it; joins without an overlap once `old` has been
        silent for `give_up_s` past this stream's start."""
        if not self.pending:
            return False
        ring, rate = self.ring, self.ring.rate_hz
        first, first_at = self.pending[0]
        start_at = first_at - len(first) / rate
        overlap_s = ring.written_at - start_at
        old_alive = old is not None and old.role in (TapRole.WRITER, TapRole.HOLDING) and (
            now - start_at < give_up_s)
        if old_alive and (overlap_s < SEAM_NEED_S or self.pending[-1][1] < ring.written_at):
            return False
        blocks = np.concatenate([block for block, _ in self.pending])
        expected = max(0, round(overlap_s * rate))
        skip = expected
        if overlap_s >= SEAM_NEED_S:
            slack, window = round(SEAM_SLACK_S * rate), round(SEAM_WINDOW_S * rate)
            found = overlap_frames(to_mono(ring.tail(expected + slack)), to_mono(blocks),
                                   expected=expected, slack=slack, window=window)
            skip = expected if found is None else found
            if skip > len(blocks) and old is not None and old_alive:
                # the ring reaches past this stream's audio (the old stream has less
                # latency): hold the old stream's blocks back until this one catches up
                old.role = TapRole.HOLDING
                return False
            log.debug("seam: %d frames overlap (%s; %d expected from the times)", skip,
                      "matched" if found is not None else "by the times", expected)
        ring.append(blocks[min(skip, len(blocks)):], self.pending[-1][1])
        self.pending = []
        self.role = TapRole.WRITER
        if old is not None:
            old.role = TapRole.RETIRED
            self.wake_at = old.wake_at
        return True
