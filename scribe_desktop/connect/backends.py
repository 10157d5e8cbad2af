"""Where dictation connects: the embedded local server or the ElevenLabs cloud. No Qt.

A backend answers one question, `await backend.connection()` -> `Connection(endpoint, auth,
label)`, starting whatever it needs first. `LocalBackend` runs `scribe-desktop server` as a
child process (`LocalServerProcess`: free loopback port, per-launch secret), watches it and
restarts it when it dies — on the same port when it can, so a client reconnecting to the old
endpoint finds it again — reporting every change through `on_status`. `CloudBackend` reads the
API key from an `ApiKeys` (the OS keyring, or a key for this run only) at each connection.

Loop-only; nothing here is thread-safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ..client import ApiKeyAuth, Auth, Endpoint, ScribeError, TokenAuth, connect
from ..protocol.options import Region, SessionOptions
from ..session.user_errors import (
    LocalServerDiedError,
    MissingApiKeyError,
    UserError,
    user_error_for,
)
from .keyring_store import ApiKeyStore, SecretsUnavailableError
from .server_process import LocalServerError, LocalServerProcess

log = logging.getLogger(__name__)


class BackendStatus(StrEnum):
    STOPPED = "stopped"
    STARTING = "starting"
    READY = "ready"
    RESTARTING = "restarting"  # the local server died; a new one is starting
    FAILED = "failed"  # the local server could not be started


StatusListener = Callable[["BackendStatus", str], None]


@dataclass(frozen=True, slots=True)
class Connection:
    """Everything `client.connect` needs besides the session options."""

    endpoint: Endpoint
    auth: Auth
    label: str


class Backend(Protocol):
    """A place to connect to. `on_status` is set by the worker (may stay None)."""

    label: str
    status: BackendStatus
    on_status: StatusListener | None

    async def connection(self) -> Connection: ...

    async def aclose(self) -> None: ...


class StaticBackend:
    """A fixed endpoint and auth (a server someone else runs, e.g. a test's)."""

    def __init__(self, endpoint: Endpoint, auth: Auth, label: str = "Local") -> None:
        self._connection = Connection(endpoint, auth, label)
        self.label = label
        self.status = BackendStatus.READY
        self.on_status: StatusListener | None = None

    async def connection(self) -> Connection:
        return self._connection

    async def aclose(self) -> None:
        self.status = BackendStatus.STOPPED


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


class ApiKeys:
    """The ElevenLabs API key: in the OS keyring, or — when there is none — held in memory for
    this run only (never written anywhere). Keyring calls may block on D-Bus: they run in a
    thread."""

    def __init__(self, store: ApiKeyStore | None = None) -> None:
        self.store = store or ApiKeyStore()
        self._session_key: str | None = None
        self.keyring_available: bool | None = None  # unknown until first used

    @property
    def session_only(self) -> bool:
        return self._session_key is not None

    async def get(self) -> str | None:
        if self._session_key is not None:
            return self._session_key
        try:
            key = await asyncio.to_thread(self.store.get_api_key)
        except SecretsUnavailableError:
            self.keyring_available = False
            return None
        self.keyring_available = True
        return key

    async def set(self, key: str, *, remember: bool = True) -> bool:
        """Store `key`; True if saved in the keyring. With no keyring (or `remember=False`)
        it is kept for this run only and False is returned. Raises `SecretsError` when the
        keyring exists but fails, ValueError for an empty key."""
        key = key.strip()
        if not key:
            raise ValueError("the API key is empty")
        if remember:
            try:
                await asyncio.to_thread(self.store.set_api_key, key)
            except SecretsUnavailableError:
                self.keyring_available = False
            else:
                self.keyring_available = True
                self._session_key = None
                return True
        self._session_key = key
        return False

    async def delete(self) -> None:
        self._session_key = None
        with contextlib.suppress(SecretsUnavailableError):
            await asyncio.to_thread(self.store.delete_api_key)


class CloudBackend:
    """ElevenLabs: region host, key from `keys`, optionally single-use tokens (rule C11)."""

    def __init__(self, keys: ApiKeys, *, region: Region = Region.DEFAULT,
                 single_use_tokens: bool = True, base_url: str | None = None) -> None:
        self.keys = keys
        self.region = region
        self.single_use_tokens = single_use_tokens
        self.base_url = base_url
        suffix = "" if region == Region.DEFAULT else f" ({region.value.upper()})"
        self.label = f"ElevenLabs{suffix}"
        self.status = BackendStatus.READY
        self.on_status: StatusListener | None = None

    async def connection(self) -> Connection:
        key = await self.keys.get()
        if key is None:
            raise MissingApiKeyError("no ElevenLabs API key is stored or entered")
        auth: Auth = TokenAuth(key) if self.single_use_tokens else ApiKeyAuth(key)
        return Connection(Endpoint(base_url=self.base_url, region=self.region), auth,
                          self.label)

    async def aclose(self) -> None:
        return None


async def check_connection(backend: Backend, options: SessionOptions, *,
                           timeout_s: float = 10.0) -> UserError | None:
    """"Test connection": open a session with `options` and close it. None on success, else
    the `UserError` to show. Never raises (except cancellation)."""
    try:
        conn = await backend.connection()
        session = await connect(options, conn.endpoint, conn.auth, timeout_s=timeout_s)
        await session.close()
    except (ScribeError, LocalServerError, MissingApiKeyError, LocalServerDiedError,
            OSError, ValueError) as exc:
        return user_error_for(exc)
    return None
