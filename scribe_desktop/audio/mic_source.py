"""`MicrophoneSource`: one dictation's worth of microphone audio, as an `AudioSource`.

`Microphone.start()` creates it with the pre-roll already inside, then feeds it processed
samples on the event loop; `stop()` flushes the last partial chunk and ends the iteration.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import numpy as np

from .pcm import Int16Array, array_to_pcm16_bytes, level_dbfs
from .source import AudioChunk


@dataclass(frozen=True, slots=True)
class MicChunk(AudioChunk):
    """An `AudioChunk` plus its peak level and, for live audio, the `clock()` time of the
    PortAudio callback that delivered its last sample (None for pre-roll audio)."""

    peak_dbfs: float = float("-inf")
    captured_at: float | None = None


class MicrophoneSource:
    """Mono PCM16 chunks of `chunk_samples` at `sample_rate_hz` (the last may be shorter).

    Loop-only (not thread-safe). Iterate once. If the consumer falls behind by more than
    `max_chunks`, the oldest chunks are dropped and counted in `dropped_chunks`.
    """

    def __init__(self, *, name: str, sample_rate_hz: int, chunk_samples: int,
                 preroll: Int16Array, max_chunks: int = 600,
                 preroll_s: float | None = None) -> None:
        """`preroll_s`: how much of the stream lies before the dictation began (default: the
        length of `preroll`; the microphone also counts audio captured before that moment
        that PortAudio had not delivered yet)."""
        self._name = name
        self._rate = sample_rate_hz
        self.chunk_samples = chunk_samples
        self.max_chunks = max_chunks
        self.preroll_s = preroll.size / sample_rate_hz if preroll_s is None else preroll_s
        self.on_stop: Callable[[], None] | None = None  # called once, when it stops
        self.dropped_chunks = 0
        self._chunks: collections.deque[MicChunk] = collections.deque()
        self._wakeup = asyncio.Event()
        self._pending = np.zeros(0, dtype=np.int16)
        self._emitted = 0
        self._stopped = False
        self.feed(preroll, None)

    @property
    def name(self) -> str:
        return self._name

    @property
    def sample_rate_hz(self) -> int:
        return self._rate

    @property
    def duration_s(self) -> float | None:
        return None  # live input

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def samples_to_next_chunk(self) -> int:
        """Samples still missing before the next whole chunk can be cut."""
        return self.chunk_samples - self._pending.size

    @property
    def seconds_delivered(self) -> float:
        return self._emitted / self._rate

    def feed(self, samples: Int16Array, captured_at: float | None) -> list[MicChunk]:
        """Add samples; the whole chunks they completed (also queued for the consumer)."""
        if self._stopped or samples.size == 0:
            return []
        data = np.concatenate((self._pending, samples)) if self._pending.size else samples
        whole = data.size - data.size % self.chunk_samples
        cut = [self._push(data[pos:pos + self.chunk_samples], captured_at)
               for pos in range(0, whole, self.chunk_samples)]
        self._pending = data[whole:].copy()
        return cut

    def stop(self) -> None:
        """End the stream after what has been captured so far (idempotent)."""
        if self._stopped:
            return
        if self._pending.size:
            self._push(self._pending, None)
            self._pending = np.zeros(0, dtype=np.int16)
        self._stopped = True
        self._wakeup.set()
        if self.on_stop is not None:
            self.on_stop()

    def _push(self, samples: Int16Array, captured_at: float | None) -> MicChunk:
        rms, peak = level_dbfs(samples)
        chunk = MicChunk(
            pcm=array_to_pcm16_bytes(samples), start_s=self._emitted / self._rate,
            duration_s=samples.size / self._rate, rms_dbfs=rms, peak_dbfs=peak,
            captured_at=captured_at)
        self._chunks.append(chunk)
        self._emitted += samples.size
        while len(self._chunks) > self.max_chunks:
            self._chunks.popleft()
            self.dropped_chunks += 1
        self._wakeup.set()
        return chunk

    def __aiter__(self) -> AsyncIterator[AudioChunk]:
        return self._aiter()

    async def _aiter(self) -> AsyncIterator[AudioChunk]:
        while True:
            while self._chunks:
                yield self._chunks.popleft()
            if self._stopped:
                return
            self._wakeup.clear()
            await self._wakeup.wait()
