"""The embedded local server as a backend: `scribe-desktop server` as a child process
(`LocalServerProcess`: free loopback port, per-launch secret), watched and restarted when it
dies — on the same port when it can, so a client reconnecting to the old endpoint finds it
again — reporting every change through `on_status`. No Qt; loop-only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from ..client import ApiKeyAuth, Endpoint
from .base import BackendStatus, Connection, StatusListener
from .capabilities import POCKETSPHINX, Capabilities
from .server_process import LocalServerError, LocalServerProcess

log = logging.getLogger(__name__)


class LocalServerDiedError(RuntimeError):
    """The local server child exited again and again; it is not restarted any more."""

    def __init__(self, returncode: int | None, stderr_tail: str = "") -> None:
        super().__init__(f"the local server exited with code {returncode}"
                         + (f": {stderr_tail.strip()[-300:]}" if stderr_tail.strip() else ""))
        self.returncode = returncode


ServerFactory = Callable[..., LocalServerProcess]


class LocalBackend:
    """The embedded server as a child process, started on demand and restarted if it dies.

    `start()` begins starting it in the background (the app calls it at launch so the first
    dictation does not wait); `connection()` waits until it is ready. At most `max_restarts`
    restarts within `restart_window_s`; after that the status is FAILED and `connection()`
    raises the `LocalServerError` until the next explicit `start()`.
    """

    label = "Local"

    def __init__(self, *extra_args: str, server_factory: ServerFactory = LocalServerProcess,
                 secret: str | None = None, max_restarts: int = 5, restart_window_s: float = 60.0,
                 watch_interval_s: float = 0.2) -> None:
        self._extra_args = extra_args
        self._factory = server_factory
        self.max_restarts = max_restarts
        self.restart_window_s = restart_window_s
        self.watch_interval_s = watch_interval_s
        self.status = BackendStatus.STOPPED
        self.on_status: StatusListener | None = None
        self.server: LocalServerProcess | None = None
        self.restarts = 0
        self._restart_times: list[float] = []
        self._secret = secret  # None: LocalServerProcess makes one per launch
        self._port: int | None = None
        self._starting: asyncio.Task[LocalServerProcess] | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._error: BaseException | None = None
        self._closed = False
        # what the last started server declared on its ready line (pocketsphinx until then)
        self._capabilities = POCKETSPHINX

    @property
    def capabilities(self) -> Capabilities:
        """The engine of the running (or last started) server: languages and options."""
        return self._capabilities

    def _set_status(self, status: BackendStatus, detail: str = "") -> None:
        self.status = status
        if self.on_status is not None:
            try:
                self.on_status(status, detail)
            except Exception:
                log.exception("backend status listener failed")

    def start(self) -> asyncio.Task[LocalServerProcess]:
        """Start the server unless it runs or is starting; returns the starting task."""
        self._closed = False
        if self._starting is None or (self._starting.done() and (
                self._starting.cancelled() or self._starting.exception() is not None
                or self._dead())):
            self._error = None
            self._starting = asyncio.ensure_future(self._start(BackendStatus.STARTING))
        return self._starting

    def _dead(self) -> bool:
        return self.server is None or self.server.returncode is not None

    async def _start(self, status: BackendStatus) -> LocalServerProcess:
        self._set_status(status)
        args = list(self._extra_args)
        if self._port is not None:
            args += ["--port", str(self._port)]  # argparse keeps the last --port
        try:
            server = self._factory(*args, secret=self._secret)
            await server.start()
        except (LocalServerError, OSError) as exc:
            if self._port is None:
                self._error = exc
                self._set_status(BackendStatus.FAILED, str(exc))
                raise
            log.info("restarting on port %s failed (%s); trying a free port", self._port, exc)
            self._port = None
            return await self._start(status)
        self.server = server
        self._secret, self._port = server.secret, server.port
        self._capabilities = Capabilities.from_ready(server.ready)
        self._set_status(BackendStatus.READY, server.base_url)
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.ensure_future(self._watch())
        return server

    async def _watch(self) -> None:
        """Poll the child's exit status (asyncio reaps it in the background)."""
        while not self._closed:
            await asyncio.sleep(self.watch_interval_s)
            server = self.server
            if server is None or server.returncode is None or self._closed:
                continue
            code, tail = server.returncode, server.stderr_tail
            log.warning("the local server exited with code %s; restarting. stderr: %s",
                        code, tail.strip()[-500:])
            await server.stop()  # collect its pipes
            self.server = None
            now = asyncio.get_running_loop().time()
            self._restart_times = [t for t in self._restart_times
                                   if now - t < self.restart_window_s] + [now]
            if len(self._restart_times) > self.max_restarts:
                self._error = LocalServerDiedError(code, tail)
                self._set_status(BackendStatus.FAILED, str(self._error))
                return
            self.restarts += 1
            self._starting = asyncio.ensure_future(self._start(BackendStatus.RESTARTING))
            with contextlib.suppress(Exception):
                await self._starting

    async def connection(self) -> Connection:
        if self._error is not None and self.status == BackendStatus.FAILED:
            raise self._error
        server = await asyncio.shield(self.start())
        return Connection(Endpoint(base_url=server.base_url), ApiKeyAuth(server.secret),
                          self.label)

    async def aclose(self) -> None:
        """Stop the child (SIGTERM, then SIGKILL); idempotent."""
        self._closed = True
        for task in (self._watcher, self._starting):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        if self.server is not None:
            await self.server.stop()
            self.server = None
        self._set_status(BackendStatus.STOPPED)
