"""The ElevenLabs API key, from the OS keyring or held for this run only. No Qt."""

from __future__ import annotations

import asyncio
import contextlib

from .keyring_store import ApiKeyStore, SecretsUnavailableError


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
