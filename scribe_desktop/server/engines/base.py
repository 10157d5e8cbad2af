"""The engine contract of the local server.

An `Engine` loads its model once and is shared by every connection; each connection gets its
own `EngineSession`. Session methods block (they run inference): the server calls them through
`asyncio.to_thread`, one call at a time per session, never concurrently on one session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

ENGINE_SAMPLE_RATE_HZ = 16000  # every engine is fed 16 kHz mono int16


@dataclass(frozen=True, slots=True)
class WordTiming:
    """One recognised word; seconds relative to the start of its segment."""

    word: str
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class SegmentResult:
    """The final text of a committed segment and its words (text == " ".join(words))."""

    text: str
    words: tuple[WordTiming, ...] = ()


class EngineSession(Protocol):
    """Recognition state of one connection. Not thread-safe: calls must be serialised."""

    def feed(self, samples: npt.NDArray[np.int16]) -> str | None:
        """Add 16 kHz audio to the current segment; the whole-segment partial text, or None
        when there is no hypothesis yet. Never called with an empty array."""
        ...

    def commit(self) -> SegmentResult:
        """End the current segment, return its final result and start a new segment."""
        ...

    def close(self) -> None:
        """Release resources; the session is unusable afterwards. Idempotent."""
        ...


class Engine(Protocol):
    """A loaded model shared by all connections; `new_session` is thread-safe."""

    name: str

    def new_session(self, source_rate_hz: int = ENGINE_SAMPLE_RATE_HZ) -> EngineSession:
        """A fresh session (may block: it can load or borrow a model instance).

        `source_rate_hz` is the client's audio rate before resampling to 16 kHz: a hint for
        engines that adapt to band-limited (e.g. 8 kHz telephone) audio."""
        ...

    def close(self) -> None:
        """Release the model; no session may be used afterwards."""
        ...
