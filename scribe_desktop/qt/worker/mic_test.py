"""The worker's side of the welcome's microphone test: record through `session.mic_test`,
play back through the default output (sounddevice, in a thread), and report both outcomes
through callbacks (the worker's signals)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from ...audio.pcm import pcm16_bytes_to_array
from ...session.mic_test import MicTest, MicTestBusyError, record
from ...session.user_errors import user_error_for
from .devices import MicrophoneLike

log = logging.getLogger(__name__)

Player = Callable[[bytes, int], None]  # blocking: (PCM16 mono, rate) -> returns when done


def play_with_sounddevice(pcm: bytes, rate: int) -> None:
    """Play mono PCM16 on the default output and return when it has been heard."""
    import sounddevice

    sounddevice.play(pcm16_bytes_to_array(pcm), samplerate=rate, blocking=True)


class MicTests:
    """The worker's test recordings: `record()` and `play()` never raise; they report the
    `MicTest` (or None after playing) or the user's error through the callbacks."""

    def __init__(self, microphone: Callable[[], MicrophoneLike], dictating: Callable[[], bool],
                 *, recorded: Callable[[Any], None], played: Callable[[Any], None],
                 player: Player = play_with_sounddevice) -> None:
        self._microphone = microphone
        self._dictating = dictating
        self._recorded = recorded
        self._played = played
        self.player = player
        self.last: MicTest | None = None

    async def record(self, seconds: float) -> None:
        try:
            if self._dictating():
                raise MicTestBusyError("the microphone is in use by a dictation")
            microphone = self._microphone()
            if not microphone.is_open:
                await microphone.open()
            self.last = await record(microphone, seconds)
        except Exception as exc:
            log.warning("microphone test failed: %s", exc)
            self._recorded(user_error_for(exc))
            return
        self._recorded(self.last)

    async def play(self) -> None:
        try:
            if self.last is None:
                raise RuntimeError("there is no test recording to play yet")
            await asyncio.to_thread(self.player, self.last.pcm, self.last.sample_rate_hz)
        except Exception as exc:
            log.warning("playing the microphone test failed: %s", exc)
            self._played(user_error_for(exc))
            return
        self._played(None)
