"""What every backend is: a place to connect to, with a status. No Qt.

A backend answers one question, `await backend.connection()` -> `Connection(endpoint, auth,
label)`, starting whatever it needs first, and reports changes through `on_status`.
Loop-only; nothing here is thread-safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ..client import Auth, Endpoint
from .capabilities import UNKNOWN, Capabilities


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
    """A place to connect to. `on_status` is set by the worker (may stay None);
    `capabilities` says what its engine does with the settings (as far as known now)."""

    label: str
    status: BackendStatus
    on_status: StatusListener | None

    @property
    def capabilities(self) -> Capabilities: ...

    async def connection(self) -> Connection: ...

    async def aclose(self) -> None: ...


class FixedBackend:
    """A fixed endpoint and auth: a server someone else runs (`--server-url`, a test's)."""

    def __init__(self, endpoint: Endpoint, auth: Auth, label: str = "Local", *,
                 capabilities: Capabilities = UNKNOWN) -> None:
        self._connection = Connection(endpoint, auth, label)
        self.label = label
        self.capabilities = capabilities
        self.status = BackendStatus.READY
        self.on_status: StatusListener | None = None

    async def connection(self) -> Connection:
        return self._connection

    async def aclose(self) -> None:
        self.status = BackendStatus.STOPPED
