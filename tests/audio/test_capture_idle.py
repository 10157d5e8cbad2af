"""The microphone's idle and live block sizes, the seam between their streams, closing while
idle and level monitoring, on a fake device that hears a known signal in fake time."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from scribe_desktop.audio.capture import Microphone
from scribe_desktop.audio.capture_events import LevelMeasured
from scribe_desktop.audio.device_ring import DeviceRing
from scribe_desktop.audio.mic_source import MicrophoneSource
from scribe_desktop.audio.pcm import float_to_int16, pcm16_bytes_to_array
from scribe_desktop.audio.seam import overlap_frames
from scribe_desktop.audio.stream_tap import Profile
from tests.audio.timed_device import TimedDevice
from tests.rig.events import EventRecorder

RATE = 16000


def profile(mic: Microphone) -> Profile | None:
    """The stream's block sizes now (read afresh: they change in the background)."""
    return mic.profile


def noise(seconds: float, seed: int = 7) -> np.ndarray[Any, Any]:
    rng = np.random.default_rng(seed)
    return rng.uniform(-0.3, 0.3, round(seconds * RATE)).astype(np.float32)


def microphone(device: TimedDevice, **kw: Any) -> Microphone:
    kw = {"preroll_s": 0.5, "chunk_s": 0.05, "block_s": 0.01, "idle_block_s": 0.2,
          "linger_s": 0.3, "stall_s": 60, "start_timeout_s": 60, **kw}
    return Microphone(device, clock=device.clock, **kw)


async def opened(mic: Microphone, device: TimedDevice) -> None:
    opening = asyncio.ensure_future(mic.open())
    await device.wait_streams(1)
    await device.run(0.6)
    await asyncio.wait_for(opening, 10)


async def dictate(mic: Microphone, device: TimedDevice, seconds: float,
                  *, preroll: bool = True) -> tuple[np.ndarray[Any, Any], MicrophoneSource]:
    """A dictation of `seconds` of fake time; its samples."""
    streams = len(device.streams)
    source = mic.start(preroll=preroll)
    consumer = asyncio.ensure_future(_collect(source))
    if profile(mic) is not Profile.LIVE:
        await device.wait_streams(streams + 1)  # the live stream opens in a thread
    await device.run(seconds)
    source.stop()
    return await asyncio.wait_for(consumer, 10), source


async def _collect(source: MicrophoneSource) -> np.ndarray[Any, Any]:
    return pcm16_bytes_to_array(b"".join([c.pcm async for c in source]))


def position_in(signal: np.ndarray[Any, Any], samples: np.ndarray[Any, Any]) -> int:
    """Where `samples` start in `signal` (they must continue it exactly from there)."""
    reference = float_to_int16(signal)
    head = samples[:64]
    hits = [i for i in np.flatnonzero(reference == head[0])
            if np.array_equal(reference[i:i + 64], head)]
    assert len(hits) == 1, f"the dictation's start is not in the signal ({len(hits)} hits)"
    return int(hits[0])


def continues(signal: np.ndarray[Any, Any], samples: np.ndarray[Any, Any]) -> bool:
    start = position_in(signal, samples)
    return np.array_equal(float_to_int16(signal[start:start + samples.size]), samples)


def test_ring_reads_across_wraps_and_counts_what_a_slow_reader_lost() -> None:
    """The ring keeps the last frames; a reader too far behind is told how many it lost."""
    ring = DeviceRing(5, 1, RATE)
    ring.append(np.arange(3, dtype=np.float32)[:, None], 1.0)
    assert ring.tail(10)[:, 0].tolist() == [0, 1, 2]
    ring.append(np.arange(3, 7, dtype=np.float32)[:, None], 2.0)
    frames, lost = ring.read(1)
    assert frames[:, 0].tolist() == [2, 3, 4, 5, 6] and lost == 1
    ring.append(np.arange(10, 22, dtype=np.float32)[:, None], 3.0)
    assert ring.tail(5)[:, 0].tolist() == [17, 18, 19, 20, 21]
    assert ring.read(ring.end - 2)[0][:, 0].tolist() == [20, 21]
    assert ring.end == 19 and ring.written_at == 3.0


@pytest.mark.parametrize("true_overlap", [400, 1000, 1750])
def test_overlap_is_found_from_the_samples_not_the_times(true_overlap: int) -> None:
    """The overlap of two captures of one signal is found exactly near a wrong estimate."""
    signal = noise(1.0)
    before, after = signal[:8000], signal[8000 - true_overlap:]
    found = overlap_frames(before, after, expected=true_overlap + 300, slack=800, window=320)
    assert found == true_overlap
    assert overlap_frames(np.zeros(8000), np.zeros(4000), expected=1000, slack=800,
                          window=320) is None  # silence: nothing to match


async def test_idle_capture_uses_large_blocks_and_never_wakes_the_loop() -> None:
    """While idle the stream runs with idle blocks and neither wakes the loop nor measures."""
    device = TimedDevice(noise(20))
    events = EventRecorder()
    mic = microphone(device)
    mic.add_listener(events)
    await opened(mic, device)
    try:
        assert profile(mic) is Profile.IDLE
        assert [s.blocksize for s in device.running] == [round(0.2 * RATE)]
        wakes = mic.wakeups
        await device.run(2.0)
        assert mic.wakeups == wakes
        assert not [e for e in events.events if isinstance(e, LevelMeasured)]
    finally:
        await mic.close()


async def test_dictation_audio_is_gapless_across_both_stream_switches() -> None:
    """The pre-roll and live audio of dictations continue the signal sample for sample
    through the switch to live blocks and back to idle blocks."""
    signal = noise(30)
    device = TimedDevice(signal)
    mic = microphone(device)
    await opened(mic, device)
    try:
        first, source = await dictate(mic, device, 1.5)
        await device.wait_running(1)  # the idle stream was closed after the seam
        assert profile(mic) is Profile.LIVE
        assert device.running[0].blocksize == round(0.05 * RATE)  # a chunk: no resampling
        assert 0.45 <= source.preroll_s <= 0.5 + 0.2
        assert continues(signal, first) and first.size > 1.5 * RATE
        await device.run(0.5)  # the linger ends: back to idle blocks
        await device.wait_streams(3)
        await device.run(0.5)
        await device.wait_running(1)
        assert profile(mic) is Profile.IDLE
        second, _ = await dictate(mic, device, 0.5)  # its pre-roll spans the switch back
        assert continues(signal, second)
        assert position_in(signal, second) > position_in(signal, first) + first.size
    finally:
        await mic.close()
    assert not device.running


async def test_a_device_at_another_rate_is_resampled_from_small_live_blocks() -> None:
    """A device that cannot deliver the dictation's rate is captured at its own, in small
    live blocks, and the dictation still gets 16 kHz audio of the right length."""
    device = TimedDevice(noise(20), rate_hz=48000)
    mic = microphone(device)
    await opened(mic, device)
    try:
        assert mic.capture_rate_hz == 48000
        samples, _ = await dictate(mic, device, 1.0)
        await device.wait_running(1)
        assert [s.blocksize for s in device.running] == [round(0.01 * 48000)]
        assert abs(samples.size - 1.5 * RATE) < 0.25 * RATE  # 0.5 s pre-roll + 1 s
    finally:
        await mic.close()


async def test_a_device_that_opens_once_switches_with_a_gap_and_stays_live() -> None:
    """When the device refuses a second stream, the switch closes and reopens it, and the
    microphone keeps live blocks from then on."""
    device = TimedDevice(noise(20), exclusive=True)
    mic = microphone(device)
    await opened(mic, device)
    try:
        samples, _ = await dictate(mic, device, 1.0)
        assert samples.size > 0.8 * RATE
        await device.run(1.0)
        assert profile(mic) is Profile.LIVE and len(device.running) == 1
        assert [s.blocksize for s in device.streams] == [3200, 800]  # no idle again
    finally:
        await mic.close()


async def test_closing_during_a_switch_is_not_reported_as_a_failed_stream(
        caplog: pytest.LogCaptureFixture) -> None:
    """A microphone closed while its live stream waits for its seam logs no warning."""
    device = TimedDevice(noise(20))
    mic = microphone(device)
    await opened(mic, device)
    try:
        mic.start(preroll=False)
        await device.wait_streams(2)  # the live stream is open, its first block not come
        assert profile(mic) is Profile.IDLE
    finally:
        with caplog.at_level("WARNING", logger="scribe_desktop.audio"):
            await asyncio.wait_for(mic.close(), 10)
    assert not mic.is_open
    assert not [r for r in caplog.records if r.levelname == "WARNING"], caplog.text


async def test_closed_while_idle_opens_for_a_dictation_and_closes_after() -> None:
    """With close_when_idle nothing runs until a dictation, which hears from its start."""
    signal = noise(20)
    device = TimedDevice(signal)
    mic = microphone(device, close_when_idle=True)
    await mic.open()
    try:
        assert not mic.is_open and not device.streams
        samples, source = await dictate(mic, device, 1.0)
        assert source.preroll_s == 0 and continues(signal, samples)
        await device.wait_running(0)  # closed at once: no linger
        assert not mic.is_open
    finally:
        await mic.close()


async def test_level_monitor_measures_while_idle_only_when_asked() -> None:
    """Levels come while a monitor is on (with live blocks), and stop when it is off."""
    device = TimedDevice(noise(20))
    events = EventRecorder()
    mic = microphone(device, linger_s=0.0)
    mic.add_listener(events)
    await opened(mic, device)
    try:
        mic.monitor_levels(True)
        await device.wait_streams(2)
        await device.run(1.0)
        levels = [e for e in events.events if isinstance(e, LevelMeasured)]
        assert len(levels) >= 10 and all(-20 < e.rms_dbfs < -5 for e in levels)
        assert profile(mic) is Profile.LIVE
        mic.monitor_levels(False)
        await device.wait_streams(3)
        await device.run(0.5)
        seen = len(events.events)
        await device.run(1.0)
        assert profile(mic) is Profile.IDLE
        assert not [e for e in events.events[seen:] if isinstance(e, LevelMeasured)]
    finally:
        await mic.close()
