"""Where to connect and how to authenticate (protocol doc §2, §3, §8).

Secrets never appear in `repr()`: these objects end up in logs and tracebacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..protocol.options import Region


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A region host of ElevenLabs, or a custom base such as our local server
    (`http://127.0.0.1:PORT`; http/https/ws/wss all work)."""

    base_url: str | None = None
    region: Region = Region.DEFAULT


@dataclass(frozen=True, slots=True)
class ApiKeyAuth:
    """Send the API key as the `xi-api-key` header (server-side style, §3)."""

    key: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class TokenAuth:
    """Mint a fresh single-use token with the API key for every connection, and send only
    `?token=` (rule C11: tokens are consumed on use; no `xi-api-key` with a token)."""

    api_key: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class StaticTokenAuth:
    """A token obtained elsewhere, sent as `?token=`; single-use tokens work only once."""

    token: str = field(repr=False)


Auth = ApiKeyAuth | TokenAuth | StaticTokenAuth
