"""The audio-source interface: what a file, and later a microphone, hands to a session.

A source is an async iterator of `AudioChunk`s of mono PCM16 at `sample_rate_hz`. It knows its
total duration when it can (a file) and says `None` when it cannot (a microphone). Keeping the
interface this small lets the same streaming loop serve both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """A run of mono little-endian PCM16 samples and where it sits in the stream.

    `rms_dbfs` (-inf for digital silence) lets a consumer find pauses, e.g. to commit at one
    (protocol doc §10.1: "commit during silence periods").
    """

    pcm: bytes
    start_s: float
    duration_s: float
    rms_dbfs: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


@runtime_checkable
class AudioSource(Protocol):
    """Mono PCM16 audio at `sample_rate_hz`, as an async iterator of chunks.

    `duration_s` is the total length in seconds if known (None for live input); `name` is
    what error messages and progress displays call the source. Iterate a source once.
    """

    @property
    def name(self) -> str: ...

    @property
    def sample_rate_hz(self) -> int: ...

    @property
    def duration_s(self) -> float | None: ...

    def __aiter__(self) -> AsyncIterator[AudioChunk]: ...
