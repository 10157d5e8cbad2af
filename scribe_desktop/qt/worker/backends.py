"""Which backend the worker talks to: the `BackendFactory` seam, the production factory,
`BackendSlot` (the current backend, replaced when its settings change), and "Test
connection" for settings that may not be the current ones. No Qt.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ...connect import (
    CLOUD,
    POCKETSPHINX,
    ApiKeys,
    Backend,
    BackendStatus,
    Capabilities,
    CloudBackend,
    LocalBackend,
    StatusListener,
)
from ...core.backend_kind import BackendKind
from ...core.owned_tasks import OwnedTasks
from ...session.connection_check import check_connection
from ...session.user_errors import UserError, user_error_for
from ..settings import Settings

BackendFactory = Callable[[Settings], Backend]


def backend_factory_for(keys: ApiKeys) -> BackendFactory:
    """The production backend factory: the local server child, or ElevenLabs with `keys`."""
    def make(settings: Settings) -> Backend:
        if settings.backend == BackendKind.CLOUD:
            return CloudBackend(keys, region=settings.region,
                                single_use_tokens=settings.single_use_tokens)
        return LocalBackend(*settings.local_server_args())
    return make


async def test_connection(settings: Settings, api_key: str | None, *, keys: ApiKeys,
                          current: Backend, current_settings: Settings,
                          factory: BackendFactory) -> UserError | None:
    """Check that `settings` can connect: ElevenLabs with `api_key` if given (else `keys`),
    the running local server `current` if that is the current backend, else a backend made
    for the check and closed after it. Returns the error to show, or None."""
    try:
        options = settings.session_options()
    except Exception as exc:
        return user_error_for(exc)
    if settings.backend == BackendKind.CLOUD:
        if api_key:
            keys = ApiKeys(keys.store)
            await keys.set(api_key, remember=False)
        backend: Backend = CloudBackend(keys, region=settings.region,
                                        single_use_tokens=settings.single_use_tokens)
    elif current_settings.backend == BackendKind.LOCAL:
        backend = current
    else:
        backend = factory(settings)
    result = await check_connection(backend, options)
    if backend is not current:
        await backend.aclose()
    return result


class BackendSlot:
    """The worker's current backend: made by `factory`, reporting through `on_status`, and
    replaced (the old one closed once no dictation uses it) when the settings change."""

    def __init__(self, factory: BackendFactory, keys: ApiKeys, settings: Settings,
                 on_status: StatusListener, tasks: OwnedTasks) -> None:
        self._factory = factory
        self._tasks = tasks
        self._keys = keys
        self._on_status = on_status
        self._kind = settings.backend
        self._local = POCKETSPHINX  # the local engine's capabilities, as last seen
        self.current = self._make(settings)

    def _make(self, settings: Settings) -> Backend:
        backend = self._factory(settings)
        self._kind = settings.backend

        def on_status(status: BackendStatus, detail: str) -> None:
            if settings.backend == BackendKind.LOCAL:  # its ready line names the engine
                self._local = backend.capabilities
            self._on_status(status, detail)
        backend.on_status = on_status
        return backend

    def capabilities_for(self, kind: BackendKind) -> Capabilities:
        """What the backend of `kind` does with the settings: the current backend's own
        answer when it is of that kind, else what is known without starting one."""
        if kind == self._kind:
            return self.current.capabilities
        return CLOUD if kind == BackendKind.CLOUD else self._local

    async def replace(self, settings: Settings, *, running: asyncio.Task[None] | None) -> None:
        """A backend for `settings`; a running dictation keeps the old one until it ends."""
        previous, self.current = self.current, self._make(settings)
        previous.on_status = None
        if isinstance(self.current, LocalBackend):
            self.current.start()
        if running is None or running.done():
            await previous.aclose()
        else:
            self._tasks.spawn(self._close_after(previous, running))

    @staticmethod
    async def _close_after(backend: Backend, running: asyncio.Task[None]) -> None:
        await asyncio.wait({running})
        await backend.aclose()

    async def test(self, settings: Settings, api_key: str | None, *,
                   current_settings: Settings) -> UserError | None:
        return await test_connection(settings, api_key, keys=self._keys, current=self.current,
                                     current_settings=current_settings,
                                     factory=self._factory)
