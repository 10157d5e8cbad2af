"""Opening and closing a PortAudio input stream (blocking calls: run them in a thread).

What the callback does with a block is `stream_tap.StreamTap`'s (copy it into the bounded
`DeviceRing`, so a stalled loop can never make PortAudio's thread block or grow memory).
Streams are stopped with `abort()` + `close()`: `stop()` can hang (test-rig.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy.typing as npt

from .devices import InputDevice, InputStreamLike, SoundDeviceModule

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_S = 5.0
wedged_closes = 0  # stream closes that never returned (their daemon threads are stuck)


def open_input_stream(sd: SoundDeviceModule, device: InputDevice, *, rate_hz: int,
                      channels: int, block_s: float,
                      callback: Callable[[npt.NDArray[Any], int, Any, Any], None],
                      finished: Callable[[], None]) -> InputStreamLike:
    """Open and start a float32 stream on `device` (blocking); closed again if start fails.
    A sound-server source (`device.pulse_source`) is opened through ALSA's pulse plugin
    with `PULSE_SOURCE` naming it: libpulse reads it when the plugin connects, at open."""
    with _pulse_source(device.pulse_source):
        stream = sd.InputStream(
            samplerate=rate_hz, blocksize=max(1, round(rate_hz * block_s)),
            device=device.index, channels=channels, dtype="float32", callback=callback,
            finished_callback=finished)
        try:
            stream.start()
        except BaseException:
            stream.close()
            raise
    return stream


_ENV_LOCK = threading.Lock()  # streams are opened from worker threads


@contextlib.contextmanager
def _pulse_source(source: str | None) -> Iterator[None]:
    """`PULSE_SOURCE=source` while a stream opens (nothing for other devices)."""
    if source is None:
        yield
        return
    with _ENV_LOCK:
        saved = os.environ.get("PULSE_SOURCE")
        os.environ["PULSE_SOURCE"] = source
        try:
            yield
        finally:
            if saved is None:
                os.environ.pop("PULSE_SOURCE", None)
            else:
                os.environ["PULSE_SOURCE"] = saved


async def close_input_stream(stream: InputStreamLike) -> None:
    """abort() + close() in a daemon thread; never hangs the caller for more than
    CLOSE_TIMEOUT_S. A driver that never returns (ALSA after a device vanished, seen on the
    rig) leaves its thread behind: a daemon one, so it cannot keep the app from exiting, as
    a thread of the loop's executor would (those are joined at exit). `wedged_closes`
    counts them."""
    global wedged_closes
    loop = asyncio.get_running_loop()
    closed: asyncio.Future[None] = loop.create_future()

    def done() -> None:
        if not closed.done():
            closed.set_result(None)

    def abort_and_close() -> None:
        with contextlib.suppress(Exception):
            stream.abort()
        with contextlib.suppress(Exception):
            stream.close()
        with contextlib.suppress(RuntimeError):  # the loop may be closed by now
            loop.call_soon_threadsafe(done)

    threading.Thread(target=abort_and_close, name="portaudio-close", daemon=True).start()
    try:
        await asyncio.wait_for(asyncio.shield(closed), CLOSE_TIMEOUT_S)
    except TimeoutError:
        wedged_closes += 1
        log.warning("closing the PortAudio stream did not return within %g s",
                    CLOSE_TIMEOUT_S)
