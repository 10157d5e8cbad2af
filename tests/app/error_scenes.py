"""What the error-table GUI tests drive: the real main window on the real `DictationWorker`,
made to fail by real causes (a scripted Scribe server, the real local server, closed ports,
unresolvable names, an unreachable network, a locked keyring, /dev/full...), and read back
as a user sees it: the error dialog's title, text and button, or the inline message of the
dialog that shows it. Async helpers never run a nested Qt event loop (test-rig.md)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from keyring.backend import KeyringBackend
from keyring.errors import KeyringError

from scribe_desktop.connect import ApiKeys, Backend
from scribe_desktop.connect.keyring_store import ApiKeyStore
from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.hotkey.backends import ListenerKind, ListenerStatus
from scribe_desktop.protocol.options import CommitStrategy
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.worker.worker import DictationWorker
from scribe_desktop.session.user_errors import ErrorKind, UserError
from scribe_desktop.ui.main_window import MainWindow
from tests.app.fakes import FakeMicrophone, MemoryKeyring
from tests.app.recorder import Recorder

MANUAL = Settings(commit_strategy=CommitStrategy.MANUAL)
NO_HOTKEY = ListenerStatus(False, ListenerKind.NONE, "no global hotkey in this test")


class LockedKeyring(KeyringBackend):
    """A keyring that exists but refuses (a locked one that the user did not unlock)."""

    priority = 0

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("the collection is locked")


@dataclass(frozen=True)
class Shown:
    """What the user reads: a title, the text, and the button besides Close (None: none)."""

    title: str
    text: str
    action: str | None
    error: UserError | None = None  # the UserError behind it, when the test can see it


class Scene:
    """One window on one worker whose backend is `backend`."""

    def __init__(self, backend: Backend, settings: Settings = MANUAL, *,
                 keyring: KeyringBackend | None = None, **worker_kwargs: Any) -> None:
        self.mic = FakeMicrophone()
        self.worker = DictationWorker(
            settings, backend_factory=lambda _s: backend, microphone_factory=lambda _s: self.mic,
            api_keys=ApiKeys(ApiKeyStore(keyring or MemoryKeyring())), reconnect_delays_s=(),
            **worker_kwargs)
        self.window = MainWindow(self.worker, settings)
        self.window.hotkey_status = NO_HOTKEY  # the settings dialog must not probe pynput
        self.rec = Recorder(self.worker)
        self.log_requests = 0
        self.window.show_log_requested.connect(self._log_requested)

    def _log_requested(self) -> None:
        self.log_requests += 1

    async def wait_error(self, timeout_s: float = 20.0) -> Shown:
        await self.rec.wait_for(lambda: bool(self.rec.errors), timeout_s, "an error")
        return self.dialog_shown()

    async def dictate_until_error(self, timeout_s: float = 20.0) -> Shown:
        self.worker.start()
        return await self.wait_error(timeout_s)

    async def listening(self) -> None:
        self.worker.start()
        await self.rec.wait_state(DictationState.LISTENING, 20)

    def dialog_shown(self) -> Shown:
        dialog = self.window.error_dialog
        assert dialog.isVisible(), "the error dialog is not shown"
        action = dialog.action_button.text() if dialog.action_button.isVisibleTo(dialog) \
            else None
        return Shown(dialog.title_label.text(), dialog.message_label.text(), action,
                     dialog.error)

    async def close(self) -> None:
        await asyncio.wait_for(self.worker.shutdown(), 20)
        self.window.deleteLater()


SceneRun = Callable[["Fixtures"], Awaitable[tuple[Scene | None, Shown]]]


@dataclass
class Fixtures:
    """What scenarios may use: a temporary folder, the real local server, helpers."""

    tmp_path: Any
    local_server: Any


@contextlib.asynccontextmanager
async def tcp_server(handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter],
                                      Awaitable[None]]) -> AsyncIterator[int]:
    """A raw TCP server on 127.0.0.1 running `handle` per connection; yields its port."""
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accept and never answer (a server that hangs)."""
    with contextlib.suppress(Exception):
        await reader.read()
    writer.close()


async def not_websocket(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer an upgrade with something that is not HTTP at all."""
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
    await writer.drain()
    writer.close()


async def plain_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A plain HTTP server: a TLS client hello gets an HTTP answer (what "wss://" to an
    "http://" port meets)."""
    await reader.read(1024)
    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()
    writer.close()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def kind_of(shown: Shown) -> ErrorKind | None:
    return shown.error.kind if shown.error is not None else None
