"""`Microphone`: PortAudio capture for the app's lifetime, cheap while idle, feeding the
pre-roll and, during a dictation, a `MicrophoneSource` (an `AudioSource`).

Cost while idle (architecture.md, "Idle cost"): the stream runs with large blocks
(`idle_block_s`) and its callback only copies them into the `DeviceRing` (the pre-roll, kept
as the device delivered it); nothing is downmixed, resampled or filtered and the loop is not
woken. A dictation, or a level monitor, switches to live blocks — a whole chunk when the
device delivers the dictation's rate (the sound server resamples), else `block_s`: PortAudio
cannot change a stream's block size, so a second stream is opened and joined to the first
where they overlap (`seam.py`), then the first is closed; the ring stays one gapless
timeline. The loop is woken once per chunk, when the ring holds enough frames to cut it, and
only then runs the processing chain (`CapturePipeline`). `linger_s` after a dictation the
stream goes back to idle blocks; with `close_when_idle` it is closed instead (no pre-roll; the
next dictation opens it). Blocking PortAudio calls (open, abort/close, re-enumeration) run
in a worker thread, one at a time.

Devices: chosen by name (`devices.py`). When the chosen device is missing or its stream dies,
capture falls back to the default device with a warning, retries while nothing can be opened,
and, while no dictation is running, re-enumerates periodically to go back to the chosen one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import numpy as np

from .capture_events import (
    CaptureEvent,
    CaptureWarning,
    LevelMeasured,
    SilenceEnded,
    WarningKind,
)
from .capture_watchdog import WatchedStreams
from .device_ring import Frames
from .devices import InputDevice, SoundDeviceModule, list_input_devices
from .mic_source import MicrophoneSource
from .pcm import level_dbfs
from .processing import AudioOptions, CapturePipeline
from .signal_monitor import SilenceDetector
from .stream_tap import Profile, StreamTap

log = logging.getLogger(__name__)

Listener = Callable[[CaptureEvent], None]


class Microphone(WatchedStreams):
    """The microphone (see module doc). Loop-only API.

    `async with Microphone(sounddevice, device="USB Mic") as mic:` opens it; `mic.start()`
    begins a dictation (a `MicrophoneSource` starting with the audio of up to `preroll_s`
    before the call); `source.stop()` (or `mic.stop()`) ends it. `device=None` means the
    system default. `device_rate_hz=None` captures at `sample_rate_hz` if the device takes
    it, else at the device's native rate.
    """

    def __init__(self, sd: SoundDeviceModule, *, device: str | None = None,
                 sample_rate_hz: int = 16000, chunk_s: float = 0.05, preroll_s: float = 0.5,
                 options: AudioOptions | None = None, device_rate_hz: int | None = None,
                 block_s: float = 0.02, idle_block_s: float = 0.2,
                 close_when_idle: bool = False, linger_s: float = 2.0,
                 backlog_s: float = 2.0, silence_warning_s: float = 1.0, stall_s: float = 2.0,
                 start_timeout_s: float = 5.0, retry_s: float = 1.0, rescan_s: float = 3.0,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        if chunk_s <= 0 or sample_rate_hz <= 0:
            raise ValueError("chunk_s and sample_rate_hz must be positive")
        super().__init__(sd, device=device, rate_hz=sample_rate_hz,
                         device_rate_hz=device_rate_hz, chunk_s=chunk_s, block_s=block_s,
                         idle_block_s=idle_block_s, ring_s=max(0.0, preroll_s) + backlog_s,
                         stall_s=stall_s, start_timeout_s=start_timeout_s, retry_s=retry_s,
                         rescan_s=rescan_s, clock=clock)
        self.sample_rate_hz = sample_rate_hz
        self.chunk_samples = max(1, round(chunk_s * sample_rate_hz))
        self.preroll_s = max(0.0, preroll_s)
        self.options = options or AudioOptions()
        self.close_when_idle = close_when_idle
        self.linger_s = linger_s
        self._listeners: list[Listener] = []
        self._session: MicrophoneSource | None = None
        self._pipeline: CapturePipeline | None = None
        self._read_pos = 0  # the ring position the session or monitor reads next
        self._monitoring = False
        self._live_until = 0.0
        self._reported_overflows = 0
        self.dropped_frames = 0  # frames lost because the loop fell behind
        # Digital silence (exact zeros) is checked at the device, before any processing.
        self._silence = SilenceDetector(silence_warning_s)

    # -- public API ---------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(event)` on the loop for every event; returns a remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def list_devices(self) -> list[InputDevice]:
        """Input devices as of the last enumeration (see `refresh_devices`)."""
        return list_input_devices(self._sd)

    @property
    def session(self) -> MicrophoneSource | None:
        """The running dictation (None once its source was stopped)."""
        if self._session is not None and self._session.stopped:
            self._session = None
        return self._session

    def start(self, *, preroll: bool = True) -> MicrophoneSource:
        """Begin a dictation: a new source that starts with the pre-roll (if `preroll`;
        without it, exactly at this call). A running dictation is stopped first. The stream
        need not be delivering yet (it is opened if it is closed)."""
        if self._closed:
            raise RuntimeError("the microphone is closed")
        self.stop()
        self._loop = self._loop or asyncio.get_running_loop()
        self._wanted = True
        name = self.device.label if self.device else (self.device_name or "microphone")
        head, before_s = np.zeros(0, dtype=np.int16), 0.0
        self._pipeline = None
        tap, ring = self._tap, self._ring
        if tap is not None and ring is not None:
            rate = ring.rate_hz
            self._pipeline = CapturePipeline(rate, self.sample_rate_hz, self.options)
            with ring.lock:
                # captured before this call but still inside PortAudio's current block
                unheard = round(min(max(0.0, self._clock() - ring.written_at),
                                    tap.block_s) * rate)
                frames = ring.tail(round(self.preroll_s * rate) - unheard if preroll else 0)
                self._read_pos = ring.end + (0 if preroll else unheard)
            if len(frames):
                head = self._pipeline.process(frames)
            before_s = (len(frames) + unheard) / rate if preroll else 0.0
        source = MicrophoneSource(name=name, sample_rate_hz=self.sample_rate_hz,
                                  chunk_samples=self.chunk_samples, preroll=head,
                                  preroll_s=before_s)
        source.on_stop = lambda: self._session_ended(source)
        self._session = source
        self._silence.reset()
        self._kick()
        self._arm()
        return source

    def stop(self) -> None:
        """End the running dictation, if any (its source delivers what it has, then ends)."""
        session, self._session = self._session, None
        if session is not None:
            session.stop()

    def recent_audio(self, seconds: float) -> Frames:
        """Up to the last `seconds` the ring holds (device frames, as the pre-roll of a
        dictation started now would begin with them; empty while no stream is open)."""
        ring = self._ring
        if ring is None or self._tap is None:
            return np.zeros((0, 1), dtype=np.float32)
        with ring.lock:
            return ring.tail(round(seconds * ring.rate_hz))

    def monitor_levels(self, on: bool) -> None:
        """Measure levels while idle too (a microphone test showing a meter): the stream
        runs with small blocks meanwhile. Levels of a dictation are always measured."""
        if on != self._monitoring:
            self._monitoring = on
            self._read_pos = self._ring.end if self._ring is not None else 0
            self._kick()
            self._arm()

    async def close(self) -> None:
        """Stop any dictation and close the stream. Idempotent; never hangs on PortAudio."""
        self._closed = True
        self.stop()
        await self._close_everything()

    async def __aenter__(self) -> Microphone:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- what the stream keeper asks ----------------------------------------------------------

    def _wanted_profile(self) -> Profile | None:
        if self._closed or not self._wanted:
            return None
        if self.session is not None or self._monitoring or self._clock() < self._live_until:
            return Profile.LIVE
        if self.close_when_idle:
            return None
        return Profile.LIVE if self._exclusive else Profile.IDLE

    def _busy(self) -> bool:
        return self.session is not None

    def _session_ended(self, source: MicrophoneSource) -> None:
        if self._session is source:
            self._session = None
        self._pipeline = None
        if not self.close_when_idle and self.linger_s > 0 and self._loop is not None:
            self._live_until = self._clock() + self.linger_s
            self._loop.call_later(self.linger_s, self._kick)
        self._kick()
        self._arm()

    def _stream_changed(self, tap: StreamTap | None) -> None:
        """A new stream (or none) became the ring's writer without a seam: readers restart at
        the ring's end (a new device: the session's chain starts afresh)."""
        ring = self._ring
        self._read_pos = ring.end if ring is not None else 0
        if self._pipeline is not None and ring is not None and (
                self._pipeline.device_rate_hz != ring.rate_hz):
            self._pipeline = None
        self._silence.reset()
        self._arm()

    # -- loop side: audio ------------------------------------------------------------------

    def _drain(self) -> None:
        """Read what the ring gained since the last read, and feed the dictation or meter."""
        tap, ring = self._tap, self._ring
        if tap is None or ring is None or tap.ring is not ring:
            return
        with ring.lock:
            frames, lost = ring.read(self._read_pos)
            self._read_pos, at, overflows = ring.end, ring.written_at, tap.overflows
        session = self.session
        if session is None and not self._monitoring:
            self._arm()
            return
        if lost or overflows > self._reported_overflows:
            self.dropped_frames += lost
            self._reported_overflows = overflows
            self._emit(CaptureWarning(WarningKind.OVERFLOW, "Audio was dropped: the app "
                                      "could not keep up with the microphone.",
                                      self._device_label()))
        if len(frames):
            self._check_silence(frames, ring.rate_hz)
            if session is not None:
                if self._pipeline is None:
                    self._pipeline = CapturePipeline(ring.rate_hz, self.sample_rate_hz,
                                                     self.options)
                for chunk in session.feed(self._pipeline.process(frames), at):
                    self._emit(LevelMeasured(chunk.rms_dbfs, chunk.peak_dbfs,
                                             chunk.duration_s))
            else:
                rms, peak = level_dbfs(frames[:, 0])
                self._emit(LevelMeasured(rms, peak, len(frames) / ring.rate_hz))
        self._arm()

    def _arm(self) -> None:
        """Tell the writer stream when to wake the loop next: when the next chunk (or level
        window) can be cut; never while nobody reads."""
        tap, ring, loop = self._tap, self._ring, self._loop
        if tap is None or ring is None or loop is None:
            return
        session = self.session
        need: int | None = None
        if session is not None:
            pipeline = self._pipeline
            need = 1 if pipeline is None else pipeline.frames_for(session.samples_to_next_chunk)
        elif self._monitoring:
            need = max(1, round(self.chunk_s * ring.rate_hz))
        with ring.lock:
            tap.wake_at = None if need is None else self._read_pos + need
            due = tap.wake_at is not None and ring.end >= tap.wake_at
        if due:
            loop.call_soon(self._drain)

    def _check_silence(self, frames: Frames, rate_hz: int) -> None:
        change = self._silence.feed(frames, rate_hz)
        if change is False:
            self._emit(SilenceEnded())
        elif change:
            self._emit(CaptureWarning(
                WarningKind.DIGITAL_SILENCE,
                f"The microphone delivers pure digital silence (over "
                f"{self._silence.threshold_s:g} s of zeros): is it muted or switched off?",
                self._device_label()))

    # -- events -----------------------------------------------------------------------------

    def _emit(self, event: CaptureEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not stop the audio
                log.exception("capture event listener failed")
