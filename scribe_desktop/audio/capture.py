"""`Microphone`: a PortAudio input stream kept open while the app runs, feeding a pre-roll ring
buffer and, during a dictation, a `MicrophoneSource` (an `AudioSource`).

Threads (architecture.md, "Concurrency"): the PortAudio callback only copies the block and
calls `loop.call_soon_threadsafe` through a bounded `input_stream.BlockHandoff`. Everything
else — downmix, resampling, WebRTC filters, chunking, levels, silence detection, device
recovery — runs on the loop. Blocking PortAudio calls (open, abort/close, re-enumeration) run
in a worker thread, one at a time (`input_stream`).

Devices: chosen by name (`devices.py`). When the chosen device is missing or its stream dies,
capture falls back to the default device with a warning, retries while nothing can be opened,
and, while no dictation is running, re-enumerates periodically to go back to the chosen one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from .capture_events import (
    CaptureEvent,
    CaptureWarning,
    DeviceOpened,
    DeviceRestored,
    SilenceEnded,
    WarningKind,
)
from .devices import (
    InputDevice,
    InputStreamLike,
    SoundDeviceModule,
    list_input_devices,
    open_candidates,
    reenumerate,
)
from .input_stream import BlockHandoff, close_input_stream, open_input_stream
from .mic_source import MicrophoneSource
from .preroll import PreRollBuffer
from .processing import AudioOptions, CapturePipeline
from .signal_monitor import LevelMeter, SilenceDetector

log = logging.getLogger(__name__)

Listener = Callable[[CaptureEvent], None]


class Microphone:
    """The microphone, open for the app's lifetime (see module doc). Loop-only API.

    `async with Microphone(sounddevice, device="USB Mic") as mic:` opens it; `mic.start()`
    begins a dictation (a `MicrophoneSource` starting with up to `preroll_s` of earlier audio);
    `source.stop()` (or `mic.stop()`) ends it. `device=None` means the system default.
    `device_rate_hz=None` captures at the device's native rate.
    """

    def __init__(self, sd: SoundDeviceModule, *, device: str | None = None,
                 sample_rate_hz: int = 16000, chunk_s: float = 0.05, preroll_s: float = 0.5,
                 options: AudioOptions | None = None, device_rate_hz: int | None = None,
                 block_s: float = 0.01, max_pending_blocks: int = 200,
                 silence_warning_s: float = 1.0, stall_s: float = 2.0,
                 start_timeout_s: float = 5.0, retry_s: float = 1.0, rescan_s: float = 3.0,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        if chunk_s <= 0 or sample_rate_hz <= 0:
            raise ValueError("chunk_s and sample_rate_hz must be positive")
        self._sd = sd
        self.device_name = device
        self.sample_rate_hz = sample_rate_hz
        self.chunk_samples = max(1, round(chunk_s * sample_rate_hz))
        self.options = options or AudioOptions()
        self.device_rate_hz = device_rate_hz
        self.block_s = block_s
        self.stall_s = stall_s
        self.start_timeout_s = start_timeout_s
        self.retry_s = retry_s
        self.rescan_s = rescan_s
        self._clock = clock
        self._preroll = PreRollBuffer(round(preroll_s * sample_rate_hz))
        self._listeners: list[Listener] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._io_lock = asyncio.Lock()
        self._stream: InputStreamLike | None = None
        self._pipeline: CapturePipeline | None = None
        self._generation = 0
        self.device: InputDevice | None = None  # the device being captured now
        self.on_preferred = False
        self._lost = False  # a loss or fallback happened; a preferred reopen is a "restore"
        self._first_audio = asyncio.Event()
        self._opened_at = 0.0
        self._last_block_at = 0.0
        self._next_attempt_at = 0.0
        self._recovering: asyncio.Task[None] | None = None
        self._ticker: asyncio.TimerHandle | None = None
        self._session: MicrophoneSource | None = None
        self._closed = False
        self._handoff = BlockHandoff(max_pending_blocks)
        self._reported_drops = 0
        self.overflows = 0
        self.blocks = 0
        # Digital silence (exact zeros) is checked at the device, before any processing.
        self._silence = SilenceDetector(silence_warning_s)
        self._meter = LevelMeter(self.chunk_samples, sample_rate_hz)

    # -- public API ---------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(event)` on the loop for every event; returns a remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def list_devices(self) -> list[InputDevice]:
        """Input devices as of the last enumeration (see `refresh_devices`)."""
        return list_input_devices(self._sd)

    @property
    def dropped_blocks(self) -> int:
        """Blocks dropped because the loop fell behind."""
        return self._handoff.dropped

    @property
    def is_open(self) -> bool:
        return self._stream is not None

    @property
    def session(self) -> MicrophoneSource | None:
        """The running dictation (None once its source was stopped)."""
        if self._session is not None and self._session.stopped:
            self._session = None
        return self._session

    async def open(self) -> None:
        """Open the stream (chosen device, else the default) and wait until audio flows, up to
        `start_timeout_s` (a NO_AUDIO warning then; capture keeps trying). Idempotent.
        If nothing can be opened, a NO_DEVICE warning is sent and retries continue."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._schedule_tick()
        async with self._io_lock:
            if self._stream is None:
                await self._open_best(rescan=False)
        await self.wait_for_audio(self.start_timeout_s)

    async def wait_for_audio(self, timeout_s: float) -> bool:
        """True once the current stream has delivered a block (False after `timeout_s`)."""
        try:
            await asyncio.wait_for(self._first_audio.wait(), timeout_s)
            return True
        except TimeoutError:
            if self._stream is not None:
                self._emit(CaptureWarning(WarningKind.NO_AUDIO, "The microphone is open but "
                                          "delivers no audio yet.", self._device_label()))
            return False

    def start(self, *, preroll: bool = True) -> MicrophoneSource:
        """Begin a dictation: a new source that starts with the pre-roll (if `preroll`).
        A running dictation is stopped first. The stream need not be delivering yet."""
        if self._closed:
            raise RuntimeError("the microphone is closed")
        self.stop()
        name = self.device.label if self.device else (self.device_name or "microphone")
        self._session = MicrophoneSource(
            name=name, sample_rate_hz=self.sample_rate_hz, chunk_samples=self.chunk_samples,
            preroll=self._preroll.snapshot() if preroll else np.zeros(0, dtype=np.int16))
        return self._session

    def stop(self) -> None:
        """End the running dictation, if any (its source delivers what it has, then ends)."""
        session, self._session = self._session, None
        if session is not None:
            session.stop()

    async def set_device(self, name: str | None) -> None:
        """Capture from `name` (None: the default) from now on; re-enumerates first."""
        self.device_name = name
        self._lost = False
        async with self._io_lock:
            await self._close_stream()
            await self._open_best(rescan=True)

    async def refresh_devices(self) -> list[InputDevice]:
        """Re-enumerate now when possible (PortAudio can only rescan with no stream open, so
        the stream is reopened; skipped while a dictation runs) and return the inputs."""
        if self.session is None:
            async with self._io_lock:
                await self._close_stream()
                await self._open_best(rescan=True)
        return self.list_devices()

    async def close(self) -> None:
        """Stop any dictation and close the stream. Idempotent; never hangs on PortAudio."""
        self._closed = True
        self.stop()
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        if self._recovering is not None:
            self._recovering.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._recovering
        async with self._io_lock:
            await self._close_stream()

    async def __aenter__(self) -> Microphone:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- stream management (loop side; the io lock is held) -----------------------------------

    async def _open_best(self, *, rescan: bool) -> bool:
        """Open the chosen device, else the default; warn about what happened."""
        if rescan:
            await asyncio.to_thread(reenumerate, self._sd)
        candidates = open_candidates(self._sd, self.device_name)
        if self.device_name and not (candidates and candidates[0][1]) and not self._lost:
            self._lost = True
            self._emit(CaptureWarning(WarningKind.DEVICE_NOT_FOUND,
                                      f"Microphone {self.device_name!r} is not connected.",
                                      self.device_name))
        for device, is_preferred in candidates:
            try:
                await self._open_stream(device)
            except Exception as exc:  # PortAudioError, or anything a host API throws
                log.info("cannot open %s: %s", device.label, exc)
                continue
            was_lost, self.on_preferred = self._lost, is_preferred
            self._emit(DeviceOpened(device, self._pipeline.device_rate_hz if self._pipeline
                                    else 0, getattr(self._stream, "channels", 0), is_preferred))
            if is_preferred and was_lost:
                self._lost = False
                self._emit(DeviceRestored(device))
            elif not is_preferred:
                self._lost = True
                self._emit(CaptureWarning(
                    WarningKind.FALLBACK_TO_DEFAULT,
                    f"Using the default microphone ({device.name}) until "
                    f"{self.device_name!r} is available again.", device.name))
            self._next_attempt_at = self._clock() + self.rescan_s
            return True
        self._lost = True
        self._next_attempt_at = self._clock() + self.retry_s
        self._emit(CaptureWarning(WarningKind.NO_DEVICE, "No microphone can be opened; "
                                  f"retrying every {self.retry_s:g} s.", self.device_name))
        return False

    async def _open_stream(self, device: InputDevice) -> None:
        assert self._loop is not None
        rate = self.device_rate_hz or device.default_sample_rate_hz
        channels = max(1, min(device.max_input_channels, 2))
        self._generation += 1
        gen, loop = self._generation, self._loop

        def callback(indata: npt.NDArray[Any], frames: int, time_info: Any, status: Any) -> None:
            self._on_portaudio_block(loop, gen, indata, status)

        def finished() -> None:
            with contextlib.suppress(RuntimeError):  # the loop may be closed at exit
                loop.call_soon_threadsafe(self._on_stream_finished, gen)

        self._pipeline = CapturePipeline(rate, self.sample_rate_hz, self.options)
        self._first_audio = asyncio.Event()
        self._silence.reset()
        self._opened_at = self._last_block_at = self._clock()
        self._stream = await asyncio.to_thread(
            open_input_stream, self._sd, device, rate_hz=rate, channels=channels,
            block_s=self.block_s, callback=callback, finished=finished)
        self.device = device

    async def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        self._generation += 1  # blocks and finish notices of the old stream are now stale
        if stream is not None:
            await close_input_stream(stream)

    # -- PortAudio thread ------------------------------------------------------------------

    def _on_portaudio_block(self, loop: asyncio.AbstractEventLoop, gen: int,
                            indata: npt.NDArray[Any], status: Any) -> None:
        """Runs on the PortAudio thread: copy, count, hand off. Nothing else."""
        now = self._clock()
        if not self._handoff.offer():
            return
        overflow = bool(getattr(status, "input_overflow", False))
        with contextlib.suppress(RuntimeError):  # loop closed: the app is exiting
            loop.call_soon_threadsafe(self._on_block, gen, indata.copy(), now, overflow)

    # -- loop side: audio ------------------------------------------------------------------

    def _on_block(self, gen: int, block: npt.NDArray[Any], captured_at: float,
                  overflow: bool) -> None:
        self._handoff.taken()
        if gen != self._generation or self._pipeline is None:
            return  # a block from a stream we already closed
        self.blocks += 1
        self._last_block_at = self._clock()
        self._first_audio.set()
        self.overflows += overflow
        drops = self.dropped_blocks
        if drops > self._reported_drops or overflow:
            self._reported_drops = drops
            self._emit(CaptureWarning(WarningKind.OVERFLOW, "Audio was dropped: the app "
                                      "could not keep up with the microphone.",
                                      self._device_label()))
        self._check_silence(block)
        samples = self._pipeline.process(block)
        if samples.size == 0:
            return
        self._preroll.push(samples)
        if self._session is not None:
            self._session.feed(samples, captured_at)
        level = self._meter.feed(samples)
        if level is not None:
            self._emit(level)

    def _check_silence(self, block: npt.NDArray[Any]) -> None:
        assert self._pipeline is not None
        change = self._silence.feed(block, self._pipeline.device_rate_hz)
        if change is False:
            self._emit(SilenceEnded())
        elif change:
            self._emit(CaptureWarning(
                WarningKind.DIGITAL_SILENCE,
                f"The microphone delivers pure digital silence (over "
                f"{self._silence.threshold_s:g} s of zeros): is it muted or switched off?",
                self._device_label()))

    # -- loop side: device health -----------------------------------------------------------

    def _on_stream_finished(self, gen: int) -> None:
        if gen != self._generation or self._closed:
            return  # our own abort(), or an old stream
        self._device_failed("The microphone stopped (disconnected?).")

    def _device_failed(self, why: str) -> None:
        self._generation += 1  # ignore whatever the dead stream still delivers
        self._lost = True
        self._emit(CaptureWarning(WarningKind.DEVICE_LOST, f"{why} Trying to recover.",
                                  self._device_label()))
        self._start_recovery()

    def _start_recovery(self) -> None:
        if self._recovering is not None and not self._recovering.done():
            return
        self._recovering = asyncio.ensure_future(self._recover())

    async def _recover(self) -> None:
        async with self._io_lock:
            if self._closed:
                return
            await self._close_stream()
            await self._open_best(rescan=True)

    def _schedule_tick(self) -> None:
        assert self._loop is not None
        self._ticker = self._loop.call_later(0.25, self._tick)

    def _tick(self) -> None:
        """Watchdog, retry and idle rescan, four times a second."""
        if self._closed:
            return
        self._schedule_tick()
        if self._recovering is not None and not self._recovering.done():
            return
        now = self._clock()
        if self._stream is not None:
            started = self._first_audio.is_set()
            quiet_since = self._last_block_at if started else self._opened_at
            limit = self.stall_s if started else self.start_timeout_s
            if now - quiet_since > limit:
                self._device_failed("The microphone stopped delivering audio.")
            elif (not self.on_preferred and self.device_name and self.session is None
                  and now >= self._next_attempt_at):
                self._start_recovery()  # idle: look for the chosen device again
        elif not self._io_lock.locked() and now >= self._next_attempt_at:
            self._start_recovery()

    # -- events -----------------------------------------------------------------------------

    def _device_label(self) -> str | None:
        return self.device.name if self.device else self.device_name

    def _emit(self, event: CaptureEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not stop the audio
                log.exception("capture event listener failed")
