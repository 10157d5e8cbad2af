"""`TimedDevice`: a fake sounddevice module whose one microphone hears a known signal in fake
time, so the capture's stream switches can be checked sample by sample.

Every stream delivers consecutive blocks of the signal from the moment it started (its first
block holds the block before that moment, as a device that had audio buffered), each when
the fake clock passes the block's end plus the stream's latency; larger blocks come later
(`latency_s(block_s)`), as through a sound server. `advance()` moves the clock and delivers
what became due, on the calling thread (which plays PortAudio's thread). Opening a stream
while another runs fails when `exclusive`, and at another rate than `rate_hz` (an ALSA hw
device).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt


def default_latency(block_s: float) -> float:
    return 0.004 + 0.12 * block_s


class TimedStream:
    def __init__(self, owner: TimedDevice, *, samplerate: float, blocksize: int,
                 channels: int, callback: Callable[..., None],
                 finished_callback: Callable[[], None], **_: Any) -> None:
        self.device, self.samplerate, self.blocksize = owner, float(samplerate), blocksize
        self.channels, self.callback, self.finished = channels, callback, finished_callback
        self.latency_s = owner.latency_s(blocksize / self.samplerate)
        self.pos = 0
        self.running = self.aborted = self.closed = False

    def start(self) -> None:
        with self.device.lock:
            self.pos = max(0, round(self.device.now * self.samplerate) - self.blocksize)
            self.running = True

    def due(self) -> list[npt.NDArray[np.float32]]:
        """Blocks whose end plus latency the clock has passed (the device lock is held)."""
        blocks = []
        while self.running and (self.pos + self.blocksize) / self.samplerate \
                + self.latency_s <= self.device.now + 1e-9:
            mono = self.device.signal[self.pos:self.pos + self.blocksize]
            self.pos += self.blocksize
            blocks.append(np.repeat(mono[:, None], self.channels, axis=1))
        return blocks

    def abort(self) -> None:
        with self.device.lock:
            self.running, self.aborted = False, True

    def close(self) -> None:
        with self.device.lock:
            self.running, self.closed = False, True


class TimedDevice:
    """See the module doc. `clock` is what the `Microphone` under test must use."""

    def __init__(self, signal: npt.NDArray[np.float32], rate_hz: int = 16000, *,
                 latency_s: Callable[[float], float] = default_latency,
                 exclusive: bool = False) -> None:
        self.signal, self.rate_hz, self.latency_s = signal, rate_hz, latency_s
        self.exclusive = exclusive
        self.now = 1.0
        self.lock = threading.Lock()
        self.streams: list[TimedStream] = []

    def clock(self) -> float:
        return self.now

    @property
    def running(self) -> list[TimedStream]:
        return [s for s in self.streams if s.running]

    def query_devices(self) -> list[dict[str, Any]]:
        return [{"name": "timed mic", "hostapi": 0, "max_input_channels": 1,
                 "default_samplerate": float(self.rate_hz)}]

    def query_hostapis(self) -> list[dict[str, Any]]:
        return [{"name": "ALSA", "default_input_device": 0}]

    def InputStream(self, *, samplerate: float, blocksize: int, device: int, channels: int,
                    dtype: str, callback: Callable[..., None],
                    finished_callback: Callable[[], None]) -> TimedStream:
        with self.lock:
            if self.exclusive and self.running:
                raise RuntimeError("Error opening InputStream: Device or resource busy")
            if round(samplerate) != self.rate_hz:  # a sound card, not a sound server
                raise RuntimeError("Error opening InputStream: Invalid sample rate")
            stream = TimedStream(self, samplerate=samplerate, blocksize=blocksize,
                                 channels=channels, callback=callback,
                                 finished_callback=finished_callback)
            self.streams.append(stream)
            return stream

    def _terminate(self) -> None:
        pass

    def _initialize(self) -> None:
        pass

    def advance(self, seconds: float) -> None:
        """Move the clock by `seconds` in 1 ms steps, delivering what becomes due."""
        for _ in range(round(seconds * 1000)):
            with self.lock:
                self.now += 0.001
                due = [(s, b) for s in self.streams for b in s.due()]
            for stream, block in due:
                stream.callback(block, len(block), None, None)

    async def run(self, seconds: float, step_s: float = 0.005) -> None:
        """`advance()` in steps, letting the loop (and the capture's threads) catch up."""
        for _ in range(round(seconds / step_s)):
            self.advance(step_s)
            await asyncio.sleep(0)

    async def wait_streams(self, count: int, timeout_s: float = 10.0) -> None:
        """Until `count` streams have been opened (they open in a worker thread)."""
        await self._until(lambda: len(self.streams) >= count and all(
            s.running or s.closed for s in self.streams), timeout_s,
            f"{count} streams opened")

    async def wait_running(self, count: int, timeout_s: float = 10.0) -> None:
        """Until exactly `count` streams run (they close in a worker thread)."""
        await self._until(lambda: len(self.running) == count, timeout_s,
                          f"{count} streams running")

    @staticmethod
    async def _until(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            await asyncio.sleep(0.001)  # polling another thread's progress, bounded
