"""Capture logic with a fake sounddevice: handoff bounds, device choice, pre-roll, options."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from scribe_desktop.audio import desktop_sources
from scribe_desktop.audio.capture import Microphone
from scribe_desktop.audio.capture_events import (
    CaptureWarning,
    DeviceOpened,
    DeviceRestored,
    WarningKind,
)
from scribe_desktop.audio.desktop_sources import DesktopSource, SourceCache
from scribe_desktop.audio.devices import find_input_device, list_input_devices
from scribe_desktop.audio.preroll import PreRollBuffer
from scribe_desktop.audio.processing import (
    ECHO_CANCELLATION_AVAILABLE,
    ECHO_CANCELLATION_NOTE,
    AudioOptions,
    CapturePipeline,
)
from tests.rig.events import EventRecorder


class FakeStream:
    def __init__(self, callback: Any, finished_callback: Any, samplerate: float,
                 channels: int, blocksize: int, **_: Any) -> None:
        self.callback, self.finished = callback, finished_callback
        self.samplerate, self.channels, self.blocksize = samplerate, channels, blocksize
        self.aborted = self.closed = False

    def push(self, value: float = 0.1) -> None:
        block = np.full((self.blocksize, self.channels), value, dtype=np.float32)
        self.callback(block, self.blocksize, None, None)

    def start(self) -> None:
        self.push()  # a live device delivers at once

    def abort(self) -> None:
        self.aborted = True

    def close(self) -> None:
        self.closed = True


class FakeSoundDevice:
    def __init__(self, names: list[str], default: int = 0) -> None:
        self.names, self.default, self.broken = names, default, set[str]()
        self.streams: list[FakeStream] = []
        self.rescans = 0

    def query_devices(self) -> list[dict[str, Any]]:
        return [{"name": n, "hostapi": 0, "max_input_channels": 2,
                 "default_samplerate": 48000.0} for n in self.names]

    def query_hostapis(self) -> list[dict[str, Any]]:
        return [{"name": "ALSA", "default_input_device": self.default}]

    def InputStream(self, *, device: int, **kw: Any) -> FakeStream:
        if self.names[device] in self.broken:
            raise RuntimeError("Error opening InputStream: Unanticipated host error")
        stream = FakeStream(**kw)
        self.streams.append(stream)
        return stream

    def _terminate(self) -> None:
        self.rescans += 1

    def _initialize(self) -> None:
        pass


@pytest.fixture(autouse=True)
def no_sound_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """These fakes stand for PortAudio alone: no sound server's sources are mixed in."""
    monkeypatch.setattr(desktop_sources, "SOURCES", SourceCache(lambda: None))


def test_devices_are_found_by_name_not_index() -> None:
    """A device is found by exact, case-insensitive or unique partial name wherever it sits."""
    sd = FakeSoundDevice(["default", "USB Mic: Audio (hw:1,0)", "USB Headset"], default=0)
    first = list_input_devices(sd)[0]
    assert first.name == "default" and first.is_default
    found = find_input_device(sd, "usb mic: audio (hw:1,0)")
    assert found is not None and found.index == 1
    sd.names.insert(0, "pulse")  # replugging shifts the indexes
    again = find_input_device(sd, "USB Mic: Audio (hw:1,0)")
    assert again is not None and again.index == 2
    assert find_input_device(sd, "USB") is None  # ambiguous
    assert find_input_device(sd, "Headset") is not None
    assert find_input_device(sd, "nothing") is None


def test_sound_server_sources_replace_alsa_plugins_by_their_desktop_names() -> None:
    """With PulseAudio, "pulse"/"default" and raw hw devices give way to the sources by
    description, the default marked; named ALSA devices stay; old names still resolve."""
    sd = FakeSoundDevice(["HDA Intel PCH: ALC257 Analog (hw:0,0)", "sysdefault", "pulse",
                          "scribe_vmic", "default"], default=4)
    sources = [DesktopSource("alsa_input.pci.analog", "Built-in Audio Analog Stereo"),
               DesktopSource("alsa_input.usb.yeti", "Blue Yeti", is_default=True)]
    devices = list_input_devices(sd, sources)
    assert [(d.name, d.is_default, d.pulse_source) for d in devices] == [
        ("Built-in Audio Analog Stereo", False, "alsa_input.pci.analog"),
        ("Blue Yeti", True, "alsa_input.usb.yeti"),
        ("scribe_vmic", False, None)]
    assert {d.index for d in devices[:2]} == {2}  # captured through the pulse plugin
    assert devices[1].label == "Blue Yeti (PulseAudio)"
    desktop_sources.SOURCES = SourceCache(lambda: sources)
    found = find_input_device(sd, "blue yeti")
    assert found is not None and found.pulse_source == "alsa_input.usb.yeti"
    legacy = find_input_device(sd, "pulse")  # remembered before names were shown
    assert legacy is not None and legacy.name == "Blue Yeti"


def test_wasapi_names_replace_the_other_windows_host_apis() -> None:
    """On Windows the full WASAPI names are listed, not MME's cut-off copies."""
    class WindowsSoundDevice(FakeSoundDevice):
        def query_devices(self) -> list[dict[str, Any]]:
            return [{"name": "Microphone (Blue Yeti Stereo Mi", "hostapi": 0,
                     "max_input_channels": 2, "default_samplerate": 44100.0},
                    {"name": "Microphone (Blue Yeti Stereo Microphone)", "hostapi": 1,
                     "max_input_channels": 2, "default_samplerate": 48000.0}]

        def query_hostapis(self) -> list[dict[str, Any]]:
            return [{"name": "MME", "default_input_device": 0},
                    {"name": "Windows WASAPI", "default_input_device": 1}]

    devices = list_input_devices(WindowsSoundDevice([]))
    assert [(d.name, d.is_default) for d in devices] == [
        ("Microphone (Blue Yeti Stereo Microphone)", True)]


def test_preroll_keeps_only_the_latest_samples() -> None:
    """The ring buffer returns the last `capacity` samples, oldest first, across wraps."""
    ring = PreRollBuffer(5)
    ring.push(np.arange(3, dtype=np.int16))
    assert ring.snapshot().tolist() == [0, 1, 2]
    ring.push(np.arange(3, 7, dtype=np.int16))
    assert ring.snapshot().tolist() == [2, 3, 4, 5, 6]
    ring.push(np.arange(10, 22, dtype=np.int16))
    assert ring.snapshot().tolist() == [17, 18, 19, 20, 21]


def test_echo_cancellation_is_honestly_unavailable() -> None:
    """Echo cancellation is reported unavailable, with the reason, and is no option."""
    assert ECHO_CANCELLATION_AVAILABLE is False
    assert "not available" in ECHO_CANCELLATION_NOTE
    assert not hasattr(AudioOptions(), "echo_cancellation")
    with pytest.raises(ValueError):
        AudioOptions(noise_suppression=5)


@pytest.mark.parametrize("options", [AudioOptions(), AudioOptions(noise_suppression=2,
                                                                  auto_gain_dbfs=3)])
def test_pipeline_output_tracks_input_length(options: AudioOptions) -> None:
    """48 kHz stereo in gives 16 kHz mono int16 out at the right length overall."""
    pipe = CapturePipeline(48000, 16000, options)
    rng = np.random.default_rng(1)
    total = sum(pipe.process(rng.uniform(-0.3, 0.3, (480, 2)).astype(np.float32)).size
                for _ in range(200))  # 2 s
    assert abs(total - 32000) <= 400  # resampler and 10 ms framing delay only


async def test_handoff_is_bounded_and_drops_are_counted() -> None:
    """Blocks beyond the pending limit are dropped, counted and reported, never queued."""
    sd = FakeSoundDevice(["mic"])
    events = EventRecorder()
    mic = Microphone(sd, max_pending_blocks=5, stall_s=60)
    mic.add_listener(events)
    async with mic:
        stream = sd.streams[-1]
        blocks_before = mic.blocks
        for _ in range(20):  # the loop is busy (we do not yield): blocks pile up
            stream.push()
        assert mic.dropped_blocks == 15
        await events.wait_for(lambda e: isinstance(e, CaptureWarning)
                              and e.kind is WarningKind.OVERFLOW, 5)
        assert mic.blocks - blocks_before == 5


async def test_missing_device_falls_back_then_returns() -> None:
    """A broken chosen device gives a fallback warning, and capture returns when it works."""
    sd = FakeSoundDevice(["default", "USB Mic"], default=0)
    sd.broken.add("USB Mic")
    events = EventRecorder()
    mic = Microphone(sd, device="USB Mic", stall_s=60, rescan_s=0.3)
    mic.add_listener(events)
    async with mic:
        assert mic.device is not None and mic.device.name == "default"
        assert any(isinstance(e, CaptureWarning) and e.kind is WarningKind.FALLBACK_TO_DEFAULT
                   for e in events.events)
        source = mic.start()
        sd.broken.clear()
        rescans = sd.rescans
        source.stop()  # the switch back waits until no dictation runs
        restored = await events.wait_for(lambda e: isinstance(e, DeviceRestored), 5)
        assert restored.device.name == "USB Mic" and sd.rescans > rescans
        assert any(isinstance(e, DeviceOpened) and e.preferred for e in events.events)
        assert sd.streams[0].aborted and sd.streams[0].closed
