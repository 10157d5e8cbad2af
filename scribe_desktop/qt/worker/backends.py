"""Which backend the worker talks to: the `BackendFactory` seam, the production factory,
and "Test connection" for settings that may not be the current ones. No Qt.
"""

from __future__ import annotations

from collections.abc import Callable

from ...connect import ApiKeys, Backend, CloudBackend, LocalBackend
from ...core.backend_kind import BackendKind
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
        return LocalBackend()
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
