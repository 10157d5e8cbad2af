"""What the microphone reports besides audio: device changes, warnings and levels.

Listeners receive these on the event loop (never on the PortAudio thread). Warnings carry a
one-line `message` fit for a status bar or a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .devices import InputDevice


class WarningKind(StrEnum):
    DEVICE_NOT_FOUND = "device_not_found"  # the chosen device is not connected
    FALLBACK_TO_DEFAULT = "fallback_to_default"  # capturing from the default device instead
    DEVICE_LOST = "device_lost"  # the open stream died (unplugged, server gone)
    NO_DEVICE = "no_device"  # nothing could be opened; retrying
    NO_AUDIO = "no_audio"  # a stream is open but delivers nothing
    DIGITAL_SILENCE = "digital_silence"  # exact zeros for longer than the threshold
    OVERFLOW = "overflow"  # audio dropped (PortAudio overflow or a full handoff)


@dataclass(frozen=True, slots=True)
class CaptureWarning:
    kind: WarningKind
    message: str
    device_name: str | None = None


@dataclass(frozen=True, slots=True)
class DeviceOpened:
    """A stream is open and running on `device` (`preferred`: it is the one the user chose,
    or the default when none was chosen)."""

    device: InputDevice
    sample_rate_hz: int
    channels: int
    preferred: bool


@dataclass(frozen=True, slots=True)
class DeviceRestored:
    """Capture is back on the chosen device after a loss or a fallback."""

    device: InputDevice


@dataclass(frozen=True, slots=True)
class SilenceEnded:
    """Non-zero samples again after a DIGITAL_SILENCE warning."""


@dataclass(frozen=True, slots=True)
class LevelMeasured:
    """RMS and peak of the last `duration_s` of processed audio, in dBFS (-inf: all zeros)."""

    rms_dbfs: float
    peak_dbfs: float
    duration_s: float


class MicrophoneLostError(RuntimeError):
    """The microphone stopped delivering audio during a dictation (unplugged, muted...)."""

    def __init__(self, device: str | None, detail: str = "") -> None:
        super().__init__(detail or f"the microphone {device or '(default)'} was lost")
        self.device = device


CaptureEvent = CaptureWarning | DeviceOpened | DeviceRestored | SilenceEnded | LevelMeasured
