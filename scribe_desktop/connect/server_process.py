"""Run `scribe-desktop server` as a child process.

This module only starts the process and reads its ready line; it never imports
`scribe_desktop.server`, so the app does not load the engine into its own process.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

server_log = logging.getLogger("scribe_desktop.server.child")

SECRET_ENV = "SCRIBE_DESKTOP_SERVER_SECRET"
STDERR_TAIL_LINES = 40


def server_command(python: str | None = None, *, frozen: bool | None = None) -> list[str]:
    """The argv that runs `scribe-desktop server`.

    In a PyInstaller bundle `sys.executable` is the app's own binary, which has no `-m`: the
    bundle starts its server as `<binary> server`. Elsewhere it is a Python
    interpreter: `python -m scribe_desktop server`. An explicit `python` is always an
    interpreter.
    """
    if frozen is None:
        frozen = bool(getattr(sys, "frozen", False))
    if python is None and frozen:
        return [sys.executable, "server"]
    return [python or sys.executable, "-m", "scribe_desktop", "server"]


class LocalServerError(RuntimeError):
    """The local server did not start; the text includes the tail of its stderr."""


class LocalServerProcess:
    """`async with LocalServerProcess() as server:` -> a listening server on a free port.

    Exposes `.base_url`, `.secret`, `.port`, `.host` once started. Exiting terminates the
    process (SIGTERM, then SIGKILL after `stop_timeout_s`). Not thread-safe; one loop.
    """

    def __init__(self, *extra_args: str, secret: str | None = None,
                 python: str | None = None, startup_timeout_s: float = 30.0,
                 stop_timeout_s: float = 5.0, env: Mapping[str, str] | None = None) -> None:
        self.secret = secret or secrets.token_urlsafe(32)
        # --exit-with-parent + a stdin pipe we never write to: if this process dies, even by
        # SIGKILL, the kernel closes the pipe and the server shuts itself down (no orphans).
        self._args: Sequence[str] = (*server_command(python), "--port", "0",
                                     "--exit-with-parent", *extra_args)
        self._startup_timeout_s = startup_timeout_s
        self._stop_timeout_s = stop_timeout_s
        self._env = {**(os.environ if env is None else env), SECRET_ENV: self.secret}
        self._proc: asyncio.subprocess.Process | None = None
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
        self._drains: list[asyncio.Task[None]] = []
        self.ready: dict[str, Any] = {}

    @property
    def base_url(self) -> str:
        return str(self._require_ready()["base_url"])

    @property
    def port(self) -> int:
        return int(self._require_ready()["port"])

    @property
    def host(self) -> str:
        return str(self._require_ready()["host"])

    @property
    def pid(self) -> int | None:
        """The server process id, once started."""
        return None if self._proc is None else self._proc.pid

    @property
    def returncode(self) -> int | None:
        return None if self._proc is None else self._proc.returncode

    @property
    def stderr_tail(self) -> str:
        return "".join(self._stderr_tail)

    async def wait(self) -> int | None:
        """Until the process exits (asyncio reaps it; nothing polls): its exit code, or None
        if it was never started."""
        if self._proc is None:
            return None
        return await self._proc.wait()

    async def start(self) -> None:
        """Spawn the server and wait for its ready line; raises `LocalServerError`."""
        if self._proc is not None:
            raise RuntimeError("already started")
        self._proc = await asyncio.create_subprocess_exec(
            *self._args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self._env)
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._drains.append(asyncio.create_task(self._drain_stderr(self._proc.stderr)))
        try:
            self.ready = await asyncio.wait_for(self._read_ready(self._proc.stdout),
                                                self._startup_timeout_s)
        except TimeoutError:
            await self.stop()
            raise LocalServerError(
                f"the local server did not become ready within {self._startup_timeout_s:g} s"
                f"{self._tail_text()}") from None
        except BaseException:  # LocalServerError, or cancelled: never leak the child
            await self.stop()
            raise
        # keep reading stdout so the child never blocks on a full pipe
        self._drains.append(asyncio.create_task(self._drain(self._proc.stdout)))

    async def stop(self) -> None:
        """Terminate the process, then kill it if it lingers. Idempotent."""
        proc = self._proc
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), self._stop_timeout_s)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        for task in self._drains:
            task.cancel()
        for task in self._drains:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._drains.clear()

    async def __aenter__(self) -> LocalServerProcess:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.stop()

    async def _read_ready(self, stdout: asyncio.StreamReader) -> dict[str, Any]:
        assert self._proc is not None
        while True:
            line = await stdout.readline()
            if not line:
                code = await self._proc.wait()
                with contextlib.suppress(TimeoutError):  # let stderr catch up
                    await asyncio.wait_for(asyncio.shield(self._drains[0]), 2.0)
                raise LocalServerError(
                    f"the local server exited with code {code} before it was ready"
                    f"{self._tail_text()}")
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict) and event.get("event") == "ready":
                    return event

    async def _drain_stderr(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            text = line.decode("utf-8", "replace")
            self._stderr_tail.append(text)
            # the server's own log (it never prints secrets or transcripts): in the app's
            # log, so one file tells what both sides did
            server_log.info("%s", text.rstrip())

    @staticmethod
    async def _drain(stream: asyncio.StreamReader) -> None:
        while await stream.read(65536):
            pass

    def _tail_text(self) -> str:
        tail = self.stderr_tail.strip()
        return f"; its stderr ends with:\n{tail}" if tail else " (no stderr output)"

    def _require_ready(self) -> dict[str, Any]:
        if not self.ready:
            raise RuntimeError("the local server is not started")
        return self.ready
