"""One python-xlib connection on its own thread, driven from the asyncio loop.

Xlib connections are not thread-safe (and pynput's are busy recording), so every call of
the X11 keyboard service happens on ONE dedicated thread with its own connection. The loop
asks with `call(fn)`: `fn(conn)` runs on the thread and its result (or exception) settles
the returned future on the loop. The thread wakes on X events (handed to `on_event` on the
thread), on requests (a pipe), and every `tick_s` while `wants_tick()` says so (polling
that has no X event, e.g. "is that key up yet").
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import queue
import select
import threading
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def xlib() -> tuple[Any, Any, Any, Any, Any]:
    """(X, XK, display, error, xtest) from python-xlib (pynput's dependency), lazily."""
    names = ("X", "XK", "display", "error", "ext.xtest")
    return tuple(importlib.import_module(f"Xlib.{m}")  # type: ignore[return-value]
                 for m in names)


class XThread:
    """The thread and its connection; see the module doc."""

    def __init__(self, display_name: str | None, *, name: str = "x11-keys",
                 on_connect: Callable[[Any], None] | None = None,
                 on_event: Callable[[Any, Any], None] | None = None,
                 on_tick: Callable[[Any], None] | None = None,
                 wants_tick: Callable[[], bool] | None = None, tick_s: float = 0.05,
                 on_close: Callable[[Any], None] | None = None) -> None:
        self.display_name = display_name
        self.name = name
        self.on_connect = on_connect
        self.on_event = on_event
        self.on_tick = on_tick
        self.wants_tick = wants_tick
        self.tick_s = tick_s
        self.on_close = on_close
        self.loop: asyncio.AbstractEventLoop | None = None
        self._requests: queue.SimpleQueue[tuple[Callable[[Any], Any],
                                                asyncio.Future[Any] | None]] = \
            queue.SimpleQueue()
        self._wake_r, self._wake_w = -1, -1
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._closing = False

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        """Connect on the thread (raises if the display is unusable). On the loop."""
        if self._thread is not None:
            return
        self.loop = asyncio.get_running_loop()
        self._wake_r, self._wake_w = os.pipe()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        self._ready.wait(10.0)
        if self._start_error is not None:
            error, self._start_error = self._start_error, None
            self._thread.join(2.0)
            self._thread = None
            self._close_pipe()
            raise error

    def call(self, fn: Callable[[Any], T]) -> asyncio.Future[T]:
        """`fn(conn)` on the thread; the future gets its result or its exception."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if self._thread is None:
            future.set_exception(RuntimeError("the X11 keyboard thread is not running"))
            return future
        self._requests.put((fn, future))
        self._wake()
        return future

    def post(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run `callback(*args)` on the loop (from the thread)."""
        loop = self.loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(callback, *args)

    def close(self) -> None:
        """End the thread (`on_close` runs on it first) and join it."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._closing = True
        self._wake()
        thread.join(5.0)
        self._close_pipe()

    # -- the thread ------------------------------------------------------------------------

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def _close_pipe(self) -> None:
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._wake_r = self._wake_w = -1

    def _settle(self, future: asyncio.Future[Any] | None, result: Any,
                error: BaseException | None) -> None:
        def settle(future: asyncio.Future[Any]) -> None:
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

        if future is not None:
            self.post(settle, future)

    def _run(self) -> None:
        try:
            display = xlib()[2]
            conn = display.Display(self.display_name)
            if self.on_connect is not None:
                self.on_connect(conn)
        except BaseException as exc:  # no display, no Xlib: start() re-raises it
            self._start_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            self._serve(conn)
        except xlib()[3].ConnectionClosedError:
            log.info("%s: the X server closed the connection", self.name)  # logout, tests
        except Exception:
            log.exception("%s thread failed", self.name)
        finally:
            if self.on_close is not None:
                with contextlib.suppress(Exception):
                    self.on_close(conn)
            with contextlib.suppress(Exception):
                conn.close()

    def _serve(self, conn: Any) -> None:
        while not self._closing:
            while conn.pending_events():
                event = conn.next_event()
                if self.on_event is not None:
                    self.on_event(conn, event)
            while True:
                try:
                    fn, future = self._requests.get_nowait()
                except queue.Empty:
                    break
                try:
                    result = fn(conn)
                except Exception as exc:
                    self._settle(future, None, exc)
                else:
                    self._settle(future, result, None)
            if self.on_tick is not None and self.wants_tick is not None and self.wants_tick():
                self.on_tick(conn)
            if conn.pending_events():  # read into Xlib's queue during a round trip
                continue
            timeout = self.tick_s if self.wants_tick is not None and self.wants_tick() \
                else None
            readable, _, _ = select.select([conn.fileno(), self._wake_r], [], [], timeout)
            if self._wake_r in readable:
                with contextlib.suppress(OSError):
                    os.read(self._wake_r, 512)
