"""Input devices through PortAudio (sounddevice): list, find by name, re-enumerate.

Devices are chosen by NAME: PortAudio indexes change when a device is plugged or unplugged,
names survive it. PortAudio enumerates devices only when it initialises, so seeing a device
that was plugged in later needs `reenumerate()` (terminate + initialise), which is only valid
while no stream is open; `Microphone` takes care of that.

Names are the ones the desktop shows: on Linux with PulseAudio or PipeWire, the sound
server's sources ("VirtualMic", "Blue Yeti", `desktop_sources.py`) replace ALSA's "pulse"
and "default" plugins and the raw ALSA devices behind them; on Windows the WASAPI names
(full length, unlike MME's 31 characters) replace the other host APIs' copies of the same
devices. macOS's Core Audio names are already the system's.

The sounddevice module is injected (`SoundDeviceModule`, a Protocol) so tests can substitute a
fake where a real device is impossible; production code passes `import sounddevice`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from . import desktop_sources
from .desktop_sources import DesktopSource


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
    pulse_source: str | None = None  # capture this sound-server source through `index`

    @property
    def label(self) -> str:
        """What a device picker shows: the name and its host API."""
        return f"{self.name} ({self.host_api})"


PULSE_DEVICE = "pulse"  # ALSA's PulseAudio plugin, as PortAudio lists it
# ALSA plugins and raw hardware that a sound server's sources stand for on a desktop
_ALSA_PLUGINS = ("default", "sysdefault", "pulse", "pipewire", "dmix", "dsnoop", "front",
                 "surround", "iec958", "spdif", "hdmi", "lavrate", "samplerate", "speexrate",
                 "upmix", "vdownmix", "jack", "oss", "usbstream", "null")
WASAPI = "Windows WASAPI"


def _alsa_plumbing(device: InputDevice) -> bool:
    name = device.name.lower()
    return device.host_api == "ALSA" and ("(hw:" in name or name.split(":")[0].strip()
                                          .split(" ")[0] in _ALSA_PLUGINS)


def _with_desktop_sources(devices: list[InputDevice],
                          sources: list[DesktopSource] | None) -> list[InputDevice]:
    pulse = next((d for d in devices if d.name == PULSE_DEVICE and d.host_api == "ALSA"), None)
    if pulse is None or not sources:
        return devices
    named = [replace(pulse, name=src.description, host_api="PulseAudio",
                     is_default=src.is_default, pulse_source=src.name) for src in sources]
    if not any(d.is_default for d in named):
        named[0] = replace(named[0], is_default=True)
    others = [replace(d, is_default=False) for d in devices if not _alsa_plumbing(d)]
    return named + others


def _prefer_wasapi(devices: list[InputDevice]) -> list[InputDevice]:
    wasapi = [d for d in devices if d.host_api == WASAPI]
    return wasapi or devices


def _field(info: Any, key: str) -> Any:
    return info[key] if isinstance(info, Mapping) else getattr(info, key)


def list_input_devices(sd: SoundDeviceModule,
                       sources: Sequence[DesktopSource] | None = None) -> list[InputDevice]:
    """Every microphone, by the name the desktop shows (see the module doc); `sources`:
    the sound server's sources (None: as last read; []: PortAudio's names only)."""
    devices = _portaudio_inputs(sd)
    if any(d.host_api == WASAPI for d in devices):
        return _prefer_wasapi(devices)
    desktop = desktop_sources.SOURCES.get() if sources is None else list(sources)
    return _with_desktop_sources(devices, desktop)


def _portaudio_inputs(sd: SoundDeviceModule) -> list[InputDevice]:
    """Every device with at least one input channel, in PortAudio order."""
    devices: Sequence[Any] = list(sd.query_devices())
    apis: Sequence[Any] = list(sd.query_hostapis())
    default_inputs = {int(_field(api, "default_input_device")) for api in apis[:1]}
    default_inputs |= {int(_field(api, "default_input_device")) for api in apis
                       if str(_field(api, "name")) == WASAPI}
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
    if len(partial) == 1:
        return partial[0]
    if name in ("pulse", "default") and devices and devices[0].pulse_source is not None:
        # a name remembered before the desktop's names were shown: the same default input
        return next((d for d in devices if d.is_default), devices[0])
    return None


def reenumerate(sd: SoundDeviceModule) -> None:
    """Make PortAudio (and the sound server's source list) scan the devices again. Only
    valid while no stream is open."""
    sd._terminate()
    sd._initialize()
    desktop_sources.SOURCES.refresh()


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
