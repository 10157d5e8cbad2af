"""Test doubles for the app tests: an in-memory keyring and a scripted microphone."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import numpy as np

from scribe_desktop.audio.capture_events import CaptureEvent, LevelMeasured
from scribe_desktop.audio.devices import InputDevice
from scribe_desktop.audio.mic_source import MicrophoneSource
from scribe_desktop.audio.pcm import level_dbfs
from tests.keyrings import MemoryKeyring, NoKeyring

__all__ = ["FakeMicrophone", "MemoryKeyring", "NoKeyring"]


class FakeMicrophone:
    """`MicrophoneLike` fed by the test: `await mic.play(pcm)` delivers PCM16 audio at
    `speed` x real time to the running dictation (and the pre-roll ring)."""

    def __init__(self, sample_rate_hz: int = 16000, chunk_s: float = 0.1) -> None:
        self.sample_rate_hz = sample_rate_hz
        self.chunk_samples = round(chunk_s * sample_rate_hz)
        self.opened = 0
        self.rescans = 0
        self.closed = False
        self.devices = [InputDevice(0, "Fake Mic", "test", 1, sample_rate_hz, True)]
        self.device_name: str | None = None
        self.source: MicrophoneSource | None = None
        self._listeners: list[Callable[[CaptureEvent], None]] = []
        self._preroll = np.zeros(0, dtype=np.int16)
        self.monitoring = False

    @property
    def is_open(self) -> bool:
        return self.opened > 0 and not self.closed

    def add_listener(self, listener: Callable[[CaptureEvent], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, event: CaptureEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    def list_devices(self) -> list[InputDevice]:
        return list(self.devices)

    async def refresh_devices(self) -> list[InputDevice]:
        self.rescans += 1
        return list(self.devices)

    async def open(self) -> None:
        self.opened += 1

    def start(self, *, preroll: bool = True) -> MicrophoneSource:
        if self.source is not None:
            self.source.stop()
        self.source = MicrophoneSource(name="Fake Mic", sample_rate_hz=self.sample_rate_hz,
                                       chunk_samples=self.chunk_samples,
                                       preroll=self._preroll if preroll
                                       else np.zeros(0, dtype=np.int16))
        return self.source

    async def set_device(self, name: str | None) -> None:
        self.device_name = name

    def monitor_levels(self, on: bool) -> None:
        self.monitoring = on

    async def close(self) -> None:
        self.closed = True
        if self.source is not None:
            self.source.stop()

    def feed_preroll(self, pcm: bytes) -> None:
        self._preroll = np.frombuffer(pcm, dtype=np.int16).copy()

    async def play(self, pcm: bytes, *, speed: float = 4.0) -> None:
        """Deliver `pcm` chunk by chunk, pacing at `speed` x real time (a stand-in for the
        sound card's clock, not a wait for an event)."""
        samples = np.frombuffer(pcm, dtype=np.int16)
        step = self.chunk_samples
        for pos in range(0, samples.size, step):
            block = samples[pos:pos + step]
            if self.source is not None:
                self.source.feed(block, asyncio.get_running_loop().time())
            rms, peak = level_dbfs(block)
            self.emit(LevelMeasured(rms, peak, block.size / self.sample_rate_hz))
            await asyncio.sleep(block.size / self.sample_rate_hz / speed)


def wav_pcm(path: Path) -> bytes:
    from tests.speech import pcm16

    return pcm16(path)
