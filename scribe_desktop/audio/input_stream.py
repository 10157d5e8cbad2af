"""Opening and closing a PortAudio input stream (blocking calls: run them in a thread), and
the bounded handoff of its blocks from the PortAudio thread to the asyncio loop.

The PortAudio callback must only copy and hand off (architecture.md, "Concurrency"):
`BlockHandoff.offer` counts the blocks in flight and drops (and counts) a block when too many
are waiting, so a stalled loop can never make PortAudio's thread block or grow memory.
Streams are stopped with `abort()` + `close()`: `stop()` can hang (test-rig.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy.typing as npt

from .devices import InputDevice, InputStreamLike, SoundDeviceModule

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_S = 5.0


def open_input_stream(sd: SoundDeviceModule, device: InputDevice, *, rate_hz: int,
                      channels: int, block_s: float,
                      callback: Callable[[npt.NDArray[Any], int, Any, Any], None],
                      finished: Callable[[], None]) -> InputStreamLike:
    """Open and start a float32 stream on `device` (blocking); closed again if start fails.
    A sound-server source (`device.pulse_source`) is opened through ALSA's pulse plugin
    with `PULSE_SOURCE` naming it: libpulse reads it when the plugin connects, at open."""
    with _pulse_source(device.pulse_source):
        stream = sd.InputStream(
            samplerate=rate_hz, blocksize=max(1, round(rate_hz * block_s)),
            device=device.index, channels=channels, dtype="float32", callback=callback,
            finished_callback=finished)
        try:
            stream.start()
        except BaseException:
            stream.close()
            raise
    return stream


_ENV_LOCK = threading.Lock()  # streams are opened from worker threads


@contextlib.contextmanager
def _pulse_source(source: str | None) -> Iterator[None]:
    """`PULSE_SOURCE=source` while a stream opens (nothing for other devices)."""
    if source is None:
        yield
        return
    with _ENV_LOCK:
        saved = os.environ.get("PULSE_SOURCE")
        os.environ["PULSE_SOURCE"] = source
        try:
            yield
        finally:
            if saved is None:
                os.environ.pop("PULSE_SOURCE", None)
            else:
                os.environ["PULSE_SOURCE"] = saved


async def close_input_stream(stream: InputStreamLike) -> None:
    """abort() + close() in a thread; never hangs the caller for more than CLOSE_TIMEOUT_S."""

    def abort_and_close() -> None:
        with contextlib.suppress(Exception):
            stream.abort()
        with contextlib.suppress(Exception):
            stream.close()

    try:
        await asyncio.wait_for(asyncio.to_thread(abort_and_close), CLOSE_TIMEOUT_S)
    except TimeoutError:
        log.warning("closing the PortAudio stream did not return within %g s",
                    CLOSE_TIMEOUT_S)


class BlockHandoff:
    """Blocks in flight from the PortAudio thread to the loop, bounded by `max_pending`."""

    def __init__(self, max_pending: int) -> None:
        self.max_pending = max_pending
        self._lock = threading.Lock()
        self._pending = 0
        self.dropped = 0  # written by the PortAudio thread

    def offer(self) -> bool:
        """PortAudio thread: may one more block be handed over? (False: dropped, counted.)"""
        with self._lock:
            if self._pending >= self.max_pending:
                self.dropped += 1
                return False
            self._pending += 1
            return True

    def taken(self) -> None:
        """Loop: a handed-over block arrived."""
        with self._lock:
            self._pending -= 1
