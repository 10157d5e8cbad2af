"""The worker's microphone: the `MicrophoneLike` seam (faked in tests), the production
factory, and `Microphones`, which owns the current one and replaces it when its settings
change. No Qt: the worker turns its capture events into signals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ...audio.capture_events import CaptureEvent
from ...audio.devices import InputDevice
from ...audio.processing import AudioOptions
from ...session.live import LiveSource
from ..settings import Settings

# settings that need a new microphone when they change


class MicrophoneLike(Protocol):
    """The part of `audio.capture.Microphone` the worker uses (injected for tests)."""

    @property
    def is_open(self) -> bool: ...

    def add_listener(self, listener: Callable[[CaptureEvent], None]) -> Callable[[], None]: ...

    def list_devices(self) -> list[InputDevice]: ...

    async def refresh_devices(self) -> list[InputDevice]: ...

    async def open(self) -> None: ...

    def start(self, *, preroll: bool = True) -> LiveSource: ...

    def monitor_levels(self, on: bool) -> None: ...

    async def set_device(self, name: str | None) -> None: ...

    async def close(self) -> None: ...


MicrophoneFactory = Callable[[Settings], MicrophoneLike]


def default_microphone_factory(settings: Settings) -> MicrophoneLike:
    """A real `Microphone` on sounddevice (imported here: PortAudio loads on first use)."""
    import sounddevice

    from ...audio.capture import Microphone

    mic: MicrophoneLike = Microphone(
        sounddevice, device=settings.device_name, chunk_s=settings.chunk_ms / 1000,
        preroll_s=settings.preroll_ms / 1000, close_when_idle=settings.close_mic_when_idle,
        options=AudioOptions(noise_suppression=settings.noise_suppression,
                             auto_gain_dbfs=settings.auto_gain_dbfs))
    return mic


class Microphones:
    """The current microphone, built by `factory` with `on_capture` listening to it."""

    def __init__(self, factory: MicrophoneFactory, settings: Settings,
                 on_capture: Callable[[CaptureEvent], None]) -> None:
        self._factory = factory
        self._on_capture = on_capture
        self.current: MicrophoneLike = self._make(settings)
        self.replace_pending = False  # its settings changed during a dictation
        self.loss_reported = False  # the running dictation already showed "microphone lost"

    def _make(self, settings: Settings) -> MicrophoneLike:
        mic = self._factory(settings)
        mic.add_listener(self._on_capture)
        return mic

    async def replace(self, settings: Settings) -> None:
        """Swap in a microphone built for `settings` and close the old one (not opened)."""
        old, self.current = self.current, self._make(settings)
        await old.close()
