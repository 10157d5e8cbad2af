"""`StreamKeeper`: the PortAudio streams behind `Microphone` — which device, which block
size (the base of `capture_watchdog.WatchedStreams`, which keeps them alive, and of
`capture.Microphone`, which says what it wants through `_wanted_profile()` and reads what
they capture).

One stream writes the `DeviceRing` at a time. `_kick()` brings the streams in line with what
is wanted: none, idle blocks or live blocks. A change of block size opens a second stream on
the same device and format, which waits until its audio overlaps the first's, joins the ring
there (`StreamTap.take_over`) and replaces it; a device that cannot be opened twice is
switched with a gap instead, and then kept at live blocks. Blocking PortAudio calls run in a
worker thread, one at a time (`_io_lock`). The watchdog is `capture_watchdog`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable

from .capture_events import (
    CaptureEvent,
    CaptureWarning,
    DeviceOpened,
    DeviceRestored,
    WarningKind,
)
from .device_ring import DeviceRing
from .devices import (
    InputDevice,
    SoundDeviceModule,
    list_input_devices,
    open_candidates,
    reenumerate,
)
from .input_stream import close_input_stream, open_input_stream
from .stream_tap import Profile, StreamTap, TapRole

log = logging.getLogger(__name__)


class StreamKeeper:
    """See the module doc. Loop-only; subclasses provide the hooks at the end."""

    switch_timeout_s = 3.0  # a new stream that delivers nothing by then is given up
    seam_give_up_s = 1.0  # the old stream went quiet: join without an overlap after this

    def __init__(self, sd: SoundDeviceModule, *, device: str | None, rate_hz: int,
                 device_rate_hz: int | None, chunk_s: float, block_s: float,
                 idle_block_s: float, ring_s: float, stall_s: float, start_timeout_s: float,
                 retry_s: float, rescan_s: float, clock: Callable[[], float]) -> None:
        self._sd = sd
        self.device_name = device
        self.rate_hz = rate_hz
        self.device_rate_hz = device_rate_hz
        self.chunk_s = chunk_s
        self.block_s = min(block_s, chunk_s)
        self.idle_block_s = max(block_s, idle_block_s)
        self.stall_s = stall_s
        self.start_timeout_s = start_timeout_s
        self.retry_s = retry_s
        self.rescan_s = rescan_s
        self._ring_s = max(ring_s, 4 * self.idle_block_s)
        self._clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._io_lock = asyncio.Lock()
        self._tap: StreamTap | None = None  # the ring's writer
        self._incoming: StreamTap | None = None  # a stream taking over (block-size switch)
        self._ring: DeviceRing | None = None
        self.device: InputDevice | None = None  # the device being captured now
        self.on_preferred = False
        self._lost = False  # a loss or fallback happened; a preferred reopen is a "restore"
        self._first_audio = asyncio.Event()
        self._seamed = asyncio.Event()
        self._opened_at = 0.0
        self._next_attempt_at = 0.0
        self._recovering: asyncio.Task[None] | None = None
        self._reconciling: asyncio.Task[None] | None = None
        self._rekick = False
        self._ticker: asyncio.TimerHandle | None = None
        self._tick_every: float | None = None
        self._wanted = False  # open() or start() was called
        self._exclusive = False  # the device cannot be opened twice
        self._closed = False
        self.wakeups = 0  # times a stream woke the loop (a measure of idle cost)

    # -- public API ---------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._tap is not None

    @property
    def profile(self) -> Profile | None:
        """The block sizes of the stream now capturing (None: no stream is open)."""
        return self._tap.profile if self._tap is not None else None

    @property
    def capture_rate_hz(self) -> int | None:
        """The rate the device delivers now (None: no stream was opened yet)."""
        return self._ring.rate_hz if self._ring is not None else None

    async def open(self) -> None:
        """Open the stream (chosen device, else the default) and wait until audio flows, up to
        `start_timeout_s` (a NO_AUDIO warning then; capture keeps trying). Idempotent.
        If nothing can be opened, a NO_DEVICE warning is sent and retries continue. A
        microphone closed while idle opens only for a dictation."""
        self._loop = self._loop or asyncio.get_running_loop()
        self._wanted = True
        await self._settled()
        if self._tap is not None:
            await self.wait_for_audio(self.start_timeout_s)

    async def wait_for_audio(self, timeout_s: float) -> bool:
        """True once the current stream has delivered a block (False after `timeout_s`)."""
        try:
            await asyncio.wait_for(self._first_audio.wait(), timeout_s)
            return True
        except TimeoutError:
            if self._tap is not None:
                self._emit(CaptureWarning(WarningKind.NO_AUDIO, "The microphone is open but "
                                          "delivers no audio yet.", self._device_label()))
            return False

    async def set_device(self, name: str | None) -> None:
        """Capture from `name` (None: the default) from now on; re-enumerates first."""
        self.device_name = name
        self._lost = False
        async with self._io_lock:
            await self._close_all()
            await self._open_best(rescan=True)
        self._kick()

    async def refresh_devices(self) -> list[InputDevice]:
        """Re-enumerate now when possible (PortAudio can only rescan with no stream open, so
        the stream is reopened; skipped while a dictation runs) and return the inputs."""
        if not self._busy():
            async with self._io_lock:
                await self._close_all()
                await self._open_best(rescan=True)
        return list_input_devices(self._sd)

    # -- bringing the streams in line -------------------------------------------------------

    def _kick(self) -> None:
        """Open, close or switch the stream to match `_wanted_profile()` (in the background)."""
        if self._closed or self._loop is None:
            return
        if self._reconciling is not None and not self._reconciling.done():
            self._rekick = True
            return
        self._reconciling = self._loop.create_task(self._reconcile())

    async def _settled(self) -> None:
        self._kick()
        while self._reconciling is not None and not self._reconciling.done():
            await asyncio.shield(self._reconciling)

    async def _reconcile(self) -> None:
        while True:
            self._rekick = False
            async with self._io_lock:
                if self._recovering is None or self._recovering.done():
                    await self._reconcile_once()
            self._schedule_tick()
            if not self._rekick or self._closed:
                return

    def _target(self) -> Profile | None:
        want = self._wanted_profile()
        if want is Profile.IDLE and self.idle_block_s <= self.block_s:
            return Profile.LIVE  # the same blocks: nothing to switch
        return want

    async def _reconcile_once(self) -> None:
        want = self._target()
        if want is None:
            if self._tap is not None or self._incoming is not None:
                await self._close_all()
                self._stream_changed(None)
        elif self._tap is None:
            await self._open_best(rescan=False)
        elif self._tap.profile is not want:
            await self._switch(want)

    async def _switch(self, want: Profile) -> None:
        old = self._tap
        assert old is not None
        try:
            new = await self._open_tap(old.device, want, TapRole.WAITING, like=old.ring)
        except Exception as exc:  # e.g. an ALSA hw device held by the first stream
            log.info("%s cannot be opened twice (%s): its block size changes with a gap, "
                     "and it stays at live blocks", old.device.label, exc)
            self._exclusive = True
            await self._close_all()
            await self._open_best(rescan=False)
            return
        self._seamed = asyncio.Event()
        self._incoming = new
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._seamed.wait(), self.switch_timeout_s)
        if self._tap is new:
            log.debug("microphone now at %s blocks", want.value)
            if old.stream is not None:
                await close_input_stream(old.stream)
            return
        with new.ring.lock:
            new.role = TapRole.RETIRED
            old.resume()
        if self._incoming is new:
            self._incoming = None
        if self._closed:  # closing while it waited for its seam: nothing went wrong
            log.debug("a switch to %s blocks abandoned: the microphone closes", want.value)
        else:
            log.warning("a %s-block stream on %s delivered nothing; keeping the %s one",
                        want.value, new.device.label, old.profile.value)
        if new.stream is not None:
            await close_input_stream(new.stream)

    # -- opening and closing (the io lock is held) --------------------------------------------

    async def _open_best(self, *, rescan: bool) -> bool:
        """Open the chosen device, else the default; warn about what happened."""
        profile = self._target()
        if profile is None:
            return True
        if rescan:
            await asyncio.to_thread(reenumerate, self._sd)
        candidates = open_candidates(self._sd, self.device_name)
        if self.device_name and not (candidates and candidates[0][1]) and not self._lost:
            self._lost = True
            self._emit(CaptureWarning(WarningKind.DEVICE_NOT_FOUND,
                                      f"Microphone {self.device_name!r} is not connected.",
                                      self.device_name))
        for device, is_preferred in candidates:
            self._first_audio = asyncio.Event()
            self._opened_at = self._clock()
            try:
                tap = await self._open_tap(device, profile, TapRole.WRITER)
            except Exception as exc:  # PortAudioError, or anything a host API throws
                log.info("cannot open %s: %s", device.label, exc)
                continue
            self._tap, self._ring, self.device = tap, tap.ring, device
            if tap.started:  # its first block came before we knew it was ours
                self._first_audio.set()
            was_lost, self.on_preferred = self._lost, is_preferred
            self._emit(DeviceOpened(device, tap.ring.rate_hz, tap.ring.channels, is_preferred))
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
            self._stream_changed(tap)
            return True
        self._lost = True
        self._next_attempt_at = self._clock() + self.retry_s
        self._emit(CaptureWarning(WarningKind.NO_DEVICE, "No microphone can be opened; "
                                  f"retrying every {self.retry_s:g} s.", self.device_name))
        return False

    async def _open_tap(self, device: InputDevice, profile: Profile, role: TapRole, *,
                        like: DeviceRing | None = None) -> StreamTap:
        """A started stream on `device`, in the format of `like`, else the first the device
        takes of: the dictation's rate (the sound server resamples more cheaply than we do,
        and the chunks then end where blocks end), its own rate; mono (the server or driver
        downmixes), stereo."""
        loop = self._loop
        assert loop is not None
        if like is not None:
            formats = [(like.rate_hz, like.channels)]
        else:
            rates = [self.device_rate_hz] if self.device_rate_hz else list(dict.fromkeys(
                (self.rate_hz, device.default_sample_rate_hz)))
            layouts = (1, 2) if device.max_input_channels > 1 else (1,)
            formats = [(rate, channels) for rate in rates for channels in layouts]
        failure: Exception | None = None
        for rate, channels in formats:
            ring = like or self._ring_for(device, channels, rate)
            tap = StreamTap(ring, device, profile, role=role, clock=self._clock,
                            block_s=self._block_s(profile, rate),
                            notify=lambda t: loop.call_soon_threadsafe(self._on_wake, t))

            def finished(tap: StreamTap = tap) -> None:
                with contextlib.suppress(RuntimeError):  # the loop may be closed at exit
                    loop.call_soon_threadsafe(self._on_stream_finished, tap)
            try:
                tap.stream = await asyncio.to_thread(
                    open_input_stream, self._sd, device, rate_hz=rate, channels=channels,
                    block_s=tap.block_s, callback=tap.callback, finished=finished)
                return tap
            except Exception as exc:
                failure = exc
        assert failure is not None
        raise failure

    def _ring_for(self, device: InputDevice, channels: int, rate: int) -> DeviceRing:
        """The current ring when the device and format stay (readers keep their place)."""
        ring = self._ring
        if ring is not None and ring.fits(channels, rate) and self.device is not None \
                and self.device.name == device.name:
            return ring
        return DeviceRing(math.ceil(self._ring_s * rate), channels, rate)

    async def _close_all(self) -> None:
        taps = [t for t in (self._incoming, self._tap) if t is not None]
        self._tap = self._incoming = None
        self._seamed.set()  # a switch waiting for its seam gives up
        for tap in taps:
            with tap.ring.lock:
                tap.role = TapRole.RETIRED
        for tap in taps:
            if tap.stream is not None:
                await close_input_stream(tap.stream)

    def _block_s(self, profile: Profile, rate_hz: int) -> float:
        """Idle blocks; live blocks of a whole chunk when nothing is resampled (a chunk is
        complete when its last sample arrives, whatever the block size), else small ones
        (the resampler holds a few samples back, so a chunk waits for the next block)."""
        if profile is Profile.IDLE:
            return self.idle_block_s
        return self.chunk_s if rate_hz == self.rate_hz else self.block_s

    # -- loop side: wakes from the PortAudio thread -------------------------------------------

    def _on_wake(self, tap: StreamTap) -> None:
        self.wakeups += 1
        with tap.ring.lock:
            tap.woken()
            if tap is self._incoming and tap.role is TapRole.WAITING and tap.take_over(
                    self._tap, self._clock(), give_up_s=self.seam_give_up_s):
                self._tap, self._incoming = tap, None
                self._seamed.set()
        if tap is self._tap:
            if tap.started:
                self._first_audio.set()
            self._drain()

    def _on_stream_finished(self, tap: StreamTap) -> None:
        if self._closed or tap.role is TapRole.RETIRED:
            return  # our own abort(), or an old stream
        if tap is self._incoming:
            with tap.ring.lock:
                tap.role = TapRole.RETIRED
            self._incoming = None
            self._seamed.set()
        elif tap is self._tap:
            self._device_failed("The microphone stopped (disconnected?).")

    async def _close_everything(self) -> None:
        """For `close()`: stop watching, let a running switch or recovery end, close."""
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        self._seamed.set()
        for task in (self._reconciling, self._recovering):
            if task is not None and not task.done():
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(asyncio.shield(task), self.switch_timeout_s + 5)
        async with self._io_lock:
            await self._close_all()

    def _device_label(self) -> str | None:
        return self.device.name if self.device else self.device_name

    # -- hooks ----------------------------------------------------------------------------------

    def _schedule_tick(self) -> None:
        """Run the watchdog at the interval the streams now need (`capture_watchdog`)."""
        raise NotImplementedError

    def _device_failed(self, why: str) -> None:
        """The capturing stream died or went quiet: warn and recover (`capture_watchdog`)."""
        raise NotImplementedError

    def _wanted_profile(self) -> Profile | None:
        """The stream wanted now: None (closed), idle or live blocks."""
        raise NotImplementedError

    def _busy(self) -> bool:
        """A dictation runs (no rescans: they reopen the stream)."""
        raise NotImplementedError

    def _stream_changed(self, tap: StreamTap | None) -> None:
        """A stream became the writer without a seam (or none is open any more)."""
        raise NotImplementedError

    def _drain(self) -> None:
        """The writer has frames the loop asked for (`StreamTap.wake_at`)."""
        raise NotImplementedError

    def _emit(self, event: CaptureEvent) -> None:
        raise NotImplementedError
