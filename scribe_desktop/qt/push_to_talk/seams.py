"""What push-to-talk needs of its collaborators, as Protocols (seams for tests): the worker
(duck-typed, so the controller stays free of Qt), its signals, and the cancel-key grab.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from ...core.lifecycle import DictationState
from ...hotkey.chord import Chord


class SignalLike(Protocol):
    def connect(self, slot: Callable[..., Any]) -> Any: ...
    def disconnect(self, slot: Callable[..., Any]) -> Any: ...


class CancelGrab(Protocol):
    """What the controller needs of `hotkey.x11_grab.CancelKeyGrab` (a seam for tests)."""

    def start(self) -> None: ...
    def grab(self, chord: Chord) -> Any: ...
    def ungrab(self) -> Any: ...
    def close(self) -> None: ...


class WorkerLike(Protocol):
    """The part of `DictationWorker` push-to-talk uses."""

    state_changed: Any
    segment_committed: Any
    commit_timeout_s: float

    @property
    def state(self) -> DictationState: ...

    def start(self) -> asyncio.Task[None] | None: ...

    def stop(self) -> asyncio.Task[None] | None: ...

    def cancel(self) -> asyncio.Task[None] | None: ...
