"""The real push-to-talk stack for end-to-end tests and the benchmark, put together by the
app's own composition (`app.push_to_talk.build_push_to_talk`): the real worker on the
virtual microphone and a local server, the session's hotkey backend (pynput + the X11
keyboard service on X11, sway's IPC on sway) and insertion backend (xdotool/xclip, or
wl-clipboard/wtype)."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scribe_desktop.app.push_to_talk import PttParts, build_push_to_talk
from scribe_desktop.audio.capture import Microphone
from scribe_desktop.client import ApiKeyAuth, Endpoint
from scribe_desktop.connect import ApiKeys, FixedBackend
from scribe_desktop.connect.keyring_store import ApiKeyStore
from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.core.transcript import Segment
from scribe_desktop.hotkey.interpreter import HotkeyMode
from scribe_desktop.inject.inserter import InsertMode
from scribe_desktop.protocol.options import CommitStrategy
from scribe_desktop.qt.push_to_talk.controller import Outcome, PushToTalk
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.worker.worker import DictationWorker
from scribe_desktop.session.live import FinalCommitSent, LiveEvent
from tests.app.fakes import MemoryKeyring
from tests.rig.pulse import DEVICE_NAME

CHORD = ("ctrl", "shift", "space")  # the default chord, as xdotool key names


async def keys(desktop: Any, action: str, *names: str) -> None:
    """`xdotool ACTION NAMES...` on the test desktop (keydown, keyup, key), off the loop."""
    await asyncio.to_thread(desktop.xdotool, action, *names)


@dataclass
class Timings:
    """Client-side times of the last commit: sent, and its committed text received."""

    commit_sent: list[float] = field(default_factory=list)
    committed: list[float] = field(default_factory=list)


@dataclass
class PttStack:
    worker: DictationWorker
    parts: PttParts
    timings: Timings
    segments: list[str] = field(default_factory=list)  # what the server committed
    outcomes: list[tuple[Outcome, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def ptt(self) -> PushToTalk:
        return self.parts.controller

    async def wait(self, condition: Callable[[], bool], timeout_s: float, what: str) -> None:
        try:
            async with asyncio.timeout(timeout_s):
                # the conditions span the worker, the controller and their tasks: polled
                while not condition():  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}; "
                                 f"notices {self.notices}") from None

    def idle(self) -> bool:
        return (self.worker.state == DictationState.IDLE and self.ptt.current is None
                and not self.ptt._open and not self.ptt._tasks.pending)

    async def close(self) -> None:
        await self.parts.close()
        await asyncio.wait_for(self.worker.shutdown(), 15)


async def make_stack(sd: Any, local_server: Any, *, mode: HotkeyMode = HotkeyMode.HOLD,
                     max_hold_s: float = 60.0, per_segment: bool = False,
                     strategy: CommitStrategy = CommitStrategy.MANUAL,
                     insert_mode: InsertMode = InsertMode.PASTE, chord: str = "+".join(CHORD),
                     sounds: bool = False, **settings: Any) -> PttStack:
    config = Settings(commit_strategy=strategy, device_name=DEVICE_NAME, preroll_ms=800,
                      hotkey=chord, hotkey_mode=mode, insert_mode=insert_mode,
                      insert_per_segment=per_segment, feedback_sounds=sounds,
                      **settings).validate()
    # below the Settings range (5 s), so the stuck-key test runs quickly
    config = dataclasses.replace(config, max_hold_s=max_hold_s)
    backend = FixedBackend(Endpoint(base_url=local_server.base_url),
                           ApiKeyAuth(local_server.secret))
    worker = DictationWorker(
        config, backend_factory=lambda s: backend,
        microphone_factory=lambda s: Microphone(sd, device=s.device_name,
                                                chunk_s=s.chunk_ms / 1000,
                                                preroll_s=s.preroll_ms / 1000),
        api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())))
    timings = Timings()
    on_event = worker.dictation._on_live_event

    def timed(event: LiveEvent) -> None:  # the server's commit time
        if isinstance(event, FinalCommitSent):
            timings.commit_sent.append(time.monotonic())
        on_event(event)

    worker.dictation._on_live_event = timed  # type: ignore[method-assign]
    worker.segment_committed.connect(lambda _s: timings.committed.append(time.monotonic()))
    await asyncio.wait_for(worker.open_microphone(), 15)
    stack = PttStack(worker, None, timings)  # type: ignore[arg-type]

    def committed(segment: Segment) -> None:
        if segment.text.strip():
            stack.segments.append(segment.text.strip())

    worker.segment_committed.connect(committed)
    stack.parts = build_push_to_talk(worker, config, notify=stack.notices.append,
                                     on_outcome=lambda o, d: stack.outcomes.append((o, d)))
    await stack.ptt._tasks.settle()  # the chords are reserved
    return stack
