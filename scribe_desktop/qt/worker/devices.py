"""The worker's microphone: the `MicrophoneLike` seam (faked in tests), the production
factory, and `Microphones`, which owns the current one, replaces it when its settings
change, and routes its capture events to the worker's `CaptureSinks` (levels only while
someone watches them, a lost microphone reported once per dictation). No Qt: the sinks are
the worker's signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ...audio.capture_events import (
    CaptureEvent,
    CaptureWarning,
    DeviceOpened,
    DeviceRestored,
    LevelMeasured,
    MicrophoneLostError,
    WarningKind,
)
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


@dataclass(frozen=True, slots=True)
class CaptureSinks:
    """Where capture events go (the worker's signals) and whether a dictation runs."""

    level: Callable[[float, float], None]  # rms_dbfs, peak_dbfs
    lost: Callable[[MicrophoneLostError], None]  # during a dictation, once
    warning: Callable[[str], None]
    devices_changed: Callable[[], object]
    active: Callable[[], bool]


class Microphones:
    """The current microphone, built by `factory`; its events go to `sinks`."""

    def __init__(self, factory: MicrophoneFactory, settings: Settings,
                 sinks: CaptureSinks) -> None:
        self._factory = factory
        self._sinks = sinks
        self.level_watchers: dict[str, bool] = {}  # who shows the level -> also when idle
        self.current: MicrophoneLike = self._make(settings)
        self.replace_pending = False  # its settings changed during a dictation
        self.loss_reported = False  # the running dictation already showed "microphone lost"

    def watch_levels(self, watcher: str, on: bool, *, idle: bool) -> None:
        """Levels are routed only while a watcher shows them (during a dictation; with
        `idle` also between dictations, which keeps the microphone measuring)."""
        if on:
            self.level_watchers[watcher] = idle
        else:
            self.level_watchers.pop(watcher, None)
        self.current.monitor_levels(any(self.level_watchers.values()))

    def _on_capture(self, event: CaptureEvent) -> None:
        sinks = self._sinks
        if isinstance(event, LevelMeasured):
            watchers = self.level_watchers
            if watchers and (sinks.active() or any(watchers.values())):
                sinks.level(event.rms_dbfs, event.peak_dbfs)
        elif isinstance(event, CaptureWarning):
            lost = event.kind in (WarningKind.DEVICE_LOST, WarningKind.NO_DEVICE)
            if lost and sinks.active() and not self.loss_reported:
                self.loss_reported = True
                sinks.lost(MicrophoneLostError(event.device_name, event.message))
            sinks.warning(event.message)
        elif isinstance(event, DeviceOpened | DeviceRestored):
            if isinstance(event, DeviceRestored):
                sinks.warning(f"Microphone restored: {event.device.name}")
            sinks.devices_changed()

    def _make(self, settings: Settings) -> MicrophoneLike:
        mic = self._factory(settings)
        mic.add_listener(self._on_capture)
        return mic

    async def replace(self, settings: Settings) -> None:
        """Swap in a microphone built for `settings` and close the old one (not opened)."""
        old, self.current = self.current, self._make(settings)
        self.current.monitor_levels(any(self.level_watchers.values()))
        await old.close()
