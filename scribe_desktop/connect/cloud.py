"""The ElevenLabs cloud as a backend: region host, the key from `ApiKeys` at each connection,
optionally single-use tokens (rule C11). No Qt; loop-only.
"""

from __future__ import annotations

from ..client import ApiKeyAuth, Auth, Endpoint, TokenAuth
from ..protocol.options import Region
from .api_keys import ApiKeys
from .base import BackendStatus, Connection, StatusListener
from .capabilities import CLOUD


class MissingApiKeyError(RuntimeError):
    """The ElevenLabs backend is selected but no API key is stored or entered."""


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
        self.capabilities = CLOUD

    async def connection(self) -> Connection:
        key = await self.keys.get()
        if key is None:
            raise MissingApiKeyError("no ElevenLabs API key is stored or entered")
        auth: Auth = TokenAuth(key) if self.single_use_tokens else ApiKeyAuth(key)
        return Connection(Endpoint(base_url=self.base_url, region=self.region), auth,
                          self.label)

    async def aclose(self) -> None:
        return None
