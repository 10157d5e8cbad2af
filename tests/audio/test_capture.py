"""Microphone capture through the real PortAudio, from the PulseAudio virtual microphone."""

from __future__ import annotations

import asyncio
import itertools
import math
from typing import Any

import numpy as np
import pytest

from scribe_desktop.audio.capture import Microphone
from scribe_desktop.audio.capture_events import (
    CaptureWarning,
    DeviceRestored,
    LevelMeasured,
    SilenceEnded,
    WarningKind,
)
from scribe_desktop.audio.mic_source import MicChunk, MicrophoneSource
from scribe_desktop.audio.pcm import pcm16_bytes_to_array
from scribe_desktop.audio.processing import AudioOptions
from scribe_desktop.audio.stream_tap import Profile
from tests.rig.analysis import align
from tests.rig.events import EventRecorder
from tests.rig.pulse import DEVICE_NAME, PulseRig
from tests.speech import SENTENCES, synth

pytestmark = pytest.mark.timeout(90)


async def collect(source: MicrophoneSource) -> list[MicChunk]:
    chunks: list[MicChunk] = []
    async for chunk in source:
        assert isinstance(chunk, MicChunk)
        chunks.append(chunk)
    return chunks


def samples_of(chunks: list[MicChunk]) -> np.ndarray[Any, Any]:
    return pcm16_bytes_to_array(b"".join(c.pcm for c in chunks))


def reference(path: Any) -> np.ndarray[Any, Any]:
    import soundfile

    data, rate = soundfile.read(str(path), dtype="int16")
    assert rate == 16000
    return np.asarray(data)


@pytest.mark.parametrize("device_rate_hz", [16000, 48000, None])
async def test_captured_speech_correlates_with_played_speech(
        pulse_rig: PulseRig, sd: Any, device_rate_hz: int | None) -> None:
    """Speech played into the virtual microphone comes out as 50 ms 16 kHz chunks matching it."""
    wav = synth(SENTENCES[0], tail_silence_s=0.3)
    async with Microphone(sd, device=DEVICE_NAME, device_rate_hz=device_rate_hz,
                          preroll_s=0.0) as mic:
        assert mic.device is not None and mic.device.name == DEVICE_NAME
        source = mic.start()
        consumer = asyncio.ensure_future(collect(source))
        await asyncio.to_thread(pulse_rig.play, wav)
        source.stop()
        chunks = await asyncio.wait_for(consumer, 10)
    assert source.sample_rate_hz == 16000
    assert all(len(c.pcm) == 1600 for c in chunks[:-1])  # 50 ms of PCM16 at 16 kHz
    assert all(math.isclose(c.duration_s, 0.05) for c in chunks[:-1])
    assert all(math.isclose(b.start_s, a.end_s) for a, b in itertools.pairwise(chunks))
    _, r = align(reference(wav), samples_of(chunks))
    assert r > 0.95
    loudest = max(c.rms_dbfs for c in chunks)
    assert -30 < loudest < 0
    assert all(c.peak_dbfs <= 0 and c.peak_dbfs >= c.rms_dbfs for c in chunks)


async def test_silence_reads_minus_infinity_and_warns(pulse_rig: PulseRig, sd: Any) -> None:
    """A silent microphone gives -inf levels and a silence warning, then an all-clear in the
    next dictation that hears something."""
    events = EventRecorder()
    async with Microphone(sd, device=DEVICE_NAME, silence_warning_s=1.0) as mic:
        mic.add_listener(events)
        source = mic.start(preroll=False)
        warning = await events.wait_for(lambda e: isinstance(e, CaptureWarning)
                                        and e.kind is WarningKind.DIGITAL_SILENCE, 5)
        assert warning.device_name == DEVICE_NAME
        source.stop()
        chunks = [c async for c in source]
        assert chunks and all(c.rms_dbfs == -math.inf for c in chunks)
        events.drain()
        source = mic.start(preroll=False)  # signals are checked while someone listens
        player = pulse_rig.play_async(synth(SENTENCES[4]))
        try:
            await events.wait_for(lambda e: isinstance(e, SilenceEnded), 10)
            level = await events.wait_for(lambda e: isinstance(e, LevelMeasured)
                                          and e.rms_dbfs > -40, 10)
            assert level.peak_dbfs <= 0
        finally:
            player.kill()
            player.wait()
            source.stop()


def profile(mic: Microphone) -> Profile | None:
    """The stream's block sizes now (read afresh: they change in the background)."""
    return mic.profile


async def until_held(mic: Microphone, seconds: float, test: Any, what: str) -> None:
    """Until `test(frames)` holds for the last `seconds` of the microphone's ring (polled;
    the idle stream fills the ring without telling anyone)."""
    deadline = asyncio.get_running_loop().time() + 10
    while not test(mic.recent_audio(seconds)[:, 0]):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"the microphone never held {what}")
        await asyncio.sleep(0.002)  # polling PortAudio's thread's progress, bounded


async def test_preroll_holds_speech_that_began_before_start(pulse_rig: PulseRig,
                                                            sd: Any) -> None:
    """Speech that begins 300 ms before start() is at the beginning of the stream, captured
    by the idle stream's large blocks and continued by the live stream's small ones."""
    wav = synth(SENTENCES[2], noise=False, tail_silence_s=0.3)
    ref = reference(wav)
    onset = int(np.argmax(np.abs(ref) > 300))  # first clearly audible sample
    async with Microphone(sd, device=DEVICE_NAME, preroll_s=0.5) as mic:
        assert profile(mic) is Profile.IDLE
        rate = mic.capture_rate_hz or 0
        assert rate == 16000  # the sound server delivers the dictation's rate
        # As in the app, the stream has been open for a while: the pre-roll is full.
        await until_held(mic, 0.6, lambda x: x.size >= 0.6 * rate, "0.6 s")
        player = pulse_rig.play_async(wav)
        try:
            def heard_for(x: Any) -> bool:  # speech began 0.25 s or more before the end
                loud = np.flatnonzero(np.abs(x) > 300 / 32768)
                return loud.size > 0 and x.size - loud[0] >= 0.25 * rate
            await until_held(mic, 1.0, heard_for, "speech")
            source = mic.start()
            consumer = asyncio.ensure_future(collect(source))
            await asyncio.to_thread(player.wait, 30)
        finally:
            player.kill()
        assert profile(mic) is Profile.LIVE
        source.stop()
        chunks = await asyncio.wait_for(consumer, 10)
    assert 0.45 <= source.preroll_s <= 0.5
    captured = samples_of(chunks)
    lag, r = align(ref, captured)
    assert r > 0.95
    onset_in_stream_s = (onset + lag) / 16000
    assert 0.0 <= onset_in_stream_s <= source.preroll_s - 0.25


async def test_webrtc_options_keep_speech_and_rate(pulse_rig: PulseRig, sd: Any) -> None:
    """With noise suppression and gain control on, speech still arrives as 16 kHz chunks."""
    wav = synth(SENTENCES[4], tail_silence_s=0.3)
    options = AudioOptions.from_switches(noise_suppression=True, auto_gain=True)
    async with Microphone(sd, device=DEVICE_NAME, options=options, preroll_s=0.0) as mic:
        source = mic.start()
        consumer = asyncio.ensure_future(collect(source))
        await asyncio.to_thread(pulse_rig.play, wav)
        source.stop()
        chunks = await asyncio.wait_for(consumer, 10)
    assert all(len(c.pcm) == 1600 for c in chunks[:-1])
    _, r = align(reference(wav), samples_of(chunks))
    assert r > 0.6  # filtered, so not identical, but clearly the same speech
    assert max(c.rms_dbfs for c in chunks) > -30


@pytest.mark.slow
async def test_device_loss_warns_and_recovers(pulse_rig: PulseRig, sd: Any) -> None:
    """Unplugging the virtual microphone mid-dictation warns, retries and recovers."""
    events = EventRecorder()
    async with Microphone(sd, device=DEVICE_NAME, retry_s=0.5) as mic:
        mic.add_listener(events)
        source = mic.start()
        pulse_rig.remove_microphone()
        lost = await events.wait_for(lambda e: isinstance(e, CaptureWarning)
                                     and e.kind is WarningKind.DEVICE_LOST, 10)
        assert lost.device_name == DEVICE_NAME
        await events.wait_for(lambda e: isinstance(e, CaptureWarning)
                              and e.kind is WarningKind.NO_DEVICE, 10)
        assert not source.stopped  # the dictation survives the loss
        pulse_rig.restore_microphone()
        restored = await events.wait_for(lambda e: isinstance(e, DeviceRestored), 20)
        assert restored.device.name == DEVICE_NAME
        assert await mic.wait_for_audio(10)
        events.drain()
        await events.wait_for(lambda e: isinstance(e, LevelMeasured), 10)
        source.stop()
    assert not mic.is_open


@pytest.mark.parametrize("device_rate_hz", [16000, 44100])
async def test_stream_switches_keep_real_capture_continuous(pulse_rig: PulseRig, sd: Any,
                                                           device_rate_hz: int) -> None:
    """Dictations started and ended while speech plays into the virtual microphone hold it
    without a gap or a repeat through the switches between idle and live blocks."""
    wav = synth(" ".join(SENTENCES[:3]), tail_silence_s=0.3)
    ref = reference(wav)
    async with Microphone(sd, device=DEVICE_NAME, preroll_s=0.5, linger_s=0.0,
                          device_rate_hz=device_rate_hz) as mic:
        assert profile(mic) is Profile.IDLE
        await until_held(mic, 0.6, lambda x: x.size >= 0.6 * device_rate_hz, "0.6 s")
        player = pulse_rig.play_async(wav)
        try:
            await until_held(mic, 0.2, lambda x: np.abs(x).max() > 0.01, "speech")
            sessions = []
            for _ in range(2):  # live, back to idle, live again: the pre-roll spans a seam
                source = mic.start()
                consumer = asyncio.ensure_future(collect(source))
                await until_held(mic, 1.5, lambda x: profile(mic) is Profile.LIVE, "live")
                await until_held(mic, 1.0, lambda x, s=source: s.seconds_delivered > 1.2,
                                 "1.2 s")
                source.stop()
                sessions.append(samples_of(await asyncio.wait_for(consumer, 10)))
                await until_held(mic, 0.1, lambda x: profile(mic) is Profile.IDLE, "idle")
        finally:
            player.kill()
            player.wait()
    for captured in sessions:
        lag, r = align(ref, captured)
        # a repeat or gap at a seam would misalign everything after it (r ~ 0.5)
        assert r > 0.97
        if device_rate_hz == 16000:  # bit-exact but for the float -> int16 scale
            a = ref[max(0, -lag):].astype(np.int32)
            b = captured[max(0, lag):].astype(np.int32)
            n = min(a.size, b.size)
            assert int(np.max(np.abs(a[:n] - b[:n]))) <= 2
