"""Input devices through PortAudio (sounddevice): list, find by name, re-enumerate.

Devices are chosen by NAME: PortAudio indexes change when a device is plugged or unplugged,
names survive it. PortAudio enumerates devices only when it initialises, so seeing a device
that was plugged in later needs `reenumerate()` (terminate + initialise), which is only valid
while no stream is open; `Microphone` takes care of that.

The sounddevice module is injected (`SoundDeviceModule`, a Protocol) so tests can substitute a
fake where a real device is impossible; production code passes `import sounddevice`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class InputStreamLike(Protocol):
    """The part of `sounddevice.InputStream` the capture uses."""

    samplerate: float
    channels: int

    def start(self) -> None: ...
    def abort(self) -> None: ...
    def close(self) -> None: ...


class SoundDeviceModule(Protocol):
    """The part of the `sounddevice` module the capture uses (injected; see module doc)."""

    def query_devices(self) -> Any: ...
    def query_hostapis(self) -> Any: ...
    def InputStream(  # mirrors sounddevice's class name
        self, *, samplerate: float, blocksize: int, device: int, channels: int, dtype: str,
        callback: Callable[..., None], finished_callback: Callable[[], None],
    ) -> InputStreamLike: ...
    def _terminate(self) -> None: ...
    def _initialize(self) -> None: ...


@dataclass(frozen=True, slots=True)
class InputDevice:
    """One capture device as PortAudio reports it (index valid until the next re-enumeration)."""

    index: int
    name: str
    host_api: str
    max_input_channels: int
    default_sample_rate_hz: int
    is_default: bool = False

    @property
    def label(self) -> str:
        """What a device picker shows: the name and its host API."""
        return f"{self.name} ({self.host_api})"


def _field(info: Any, key: str) -> Any:
    return info[key] if isinstance(info, Mapping) else getattr(info, key)


def list_input_devices(sd: SoundDeviceModule) -> list[InputDevice]:
    """Every device with at least one input channel, in PortAudio order."""
    devices: Sequence[Any] = list(sd.query_devices())
    apis: Sequence[Any] = list(sd.query_hostapis())
    default_inputs = {int(_field(api, "default_input_device")) for api in apis[:1]}
    out: list[InputDevice] = []
    for index, info in enumerate(devices):
        channels = int(_field(info, "max_input_channels"))
        if channels <= 0:
            continue
        api_index = int(_field(info, "hostapi"))
        api = str(_field(apis[api_index], "name")) if 0 <= api_index < len(apis) else "?"
        out.append(InputDevice(
            index=index, name=str(_field(info, "name")), host_api=api,
            max_input_channels=channels,
            default_sample_rate_hz=round(float(_field(info, "default_samplerate"))),
            is_default=index in default_inputs))
    return out


def default_input_device(sd: SoundDeviceModule) -> InputDevice | None:
    """The system default input (PortAudio's default host API), else the first input."""
    devices = list_input_devices(sd)
    return next((d for d in devices if d.is_default), devices[0] if devices else None)


def find_input_device(sd: SoundDeviceModule, name: str) -> InputDevice | None:
    """The input device called `name`: an exact match first, then a case-insensitive one,
    then the only device whose name contains `name` (None if absent or ambiguous)."""
    devices = list_input_devices(sd)
    exact = [d for d in devices if d.name == name]
    if exact:
        return exact[0]
    folded = [d for d in devices if d.name.casefold() == name.casefold()]
    if folded:
        return folded[0]
    partial = [d for d in devices if name.casefold() in d.name.casefold()]
    return partial[0] if len(partial) == 1 else None


def reenumerate(sd: SoundDeviceModule) -> None:
    """Make PortAudio scan the devices again. Only valid while no stream is open."""
    sd._terminate()
    sd._initialize()


def open_candidates(sd: SoundDeviceModule, name: str | None) -> list[tuple[InputDevice, bool]]:
    """The devices to try, in order, each with whether it is the preferred one: the device
    named `name` if connected, then the default (preferred itself when no name is chosen)."""
    preferred = find_input_device(sd, name) if name else None
    default = default_input_device(sd)
    candidates: list[tuple[InputDevice, bool]] = []
    if preferred is not None:
        candidates.append((preferred, True))
    if default is not None and default != preferred:
        candidates.append((default, name is None))
    return candidates
