"""The real push-to-talk stack for end-to-end tests and the benchmark: the real worker on the
virtual microphone and a local server, pynput listening on the test X display, insertion
with xdotool/xclip."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scribe_desktop.audio.capture import Microphone
from scribe_desktop.client import ApiKeyAuth, Endpoint
from scribe_desktop.connect import ApiKeys, FixedBackend
from scribe_desktop.connect.keyring_store import ApiKeyStore
from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.hotkey.backends.pynput_listener import PynputListener
from scribe_desktop.hotkey.chord import parse_chord
from scribe_desktop.hotkey.interpreter import HotkeyConfig, HotkeyMode
from scribe_desktop.inject.inserter import Inserter, InsertMode
from scribe_desktop.protocol.options import CommitStrategy
from scribe_desktop.qt.push_to_talk.controller import PushToTalk
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.worker.worker import DictationWorker
from scribe_desktop.session.live import FinalCommitSent, LiveEvent
from tests.app.fakes import MemoryKeyring
from tests.rig.pulse import DEVICE_NAME

CHORD = ("ctrl", "alt", "space")


@dataclass
class Timings:
    """Client-side times of the last commit: sent, and its committed text received."""

    commit_sent: list[float] = field(default_factory=list)
    committed: list[float] = field(default_factory=list)


@dataclass
class PttStack:
    worker: DictationWorker
    ptt: PushToTalk
    timings: Timings

    async def wait(self, condition: Callable[[], bool], timeout_s: float, what: str) -> None:
        async with asyncio.timeout(timeout_s):
            # the conditions span the worker, the controller and their tasks: polled
            while not condition():  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        del what

    def idle(self) -> bool:
        return (self.worker.state == DictationState.IDLE and self.ptt.current is None
                and not self.ptt._open and not self.ptt._tasks.pending)

    async def close(self) -> None:
        await self.ptt.close()
        await asyncio.wait_for(self.worker.shutdown(), 15)


async def make_stack(sd: Any, local_server: Any, *, mode: HotkeyMode = HotkeyMode.HOLD,
                     max_hold_s: float = 60.0, per_segment: bool = False,
                     strategy: CommitStrategy = CommitStrategy.MANUAL,
                     insert_mode: InsertMode = InsertMode.PASTE) -> PttStack:
    settings = Settings(commit_strategy=strategy, device_name=DEVICE_NAME, preroll_ms=800)
    backend = FixedBackend(Endpoint(base_url=local_server.base_url),
                            ApiKeyAuth(local_server.secret))
    worker = DictationWorker(
        settings, backend_factory=lambda s: backend,
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
    config = HotkeyConfig(chord=parse_chord("+".join(CHORD)), mode=mode,
                          cancel=parse_chord("esc"), undo=parse_chord("ctrl+alt+z"),
                          paste_last=parse_chord("ctrl+alt+v"), max_hold_s=max_hold_s)
    ptt = PushToTalk(worker, Inserter(mode=insert_mode), config, listener=PynputListener(),
                     per_segment=per_segment)
    await asyncio.wait_for(worker.open_microphone(), 15)
    ptt.start()
    return PttStack(worker, ptt, timings)
