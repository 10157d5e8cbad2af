"""asyncio client of the ElevenLabs Scribe v2 Realtime protocol (cloud or our local server).

    async with await connect(options, Endpoint(base_url=...), TokenAuth(api_key)) as session:
        await session.send_audio(pcm)
        await session.commit()
        async for event in session.events():   # protocol.connection events
            ...

Everything runs on one asyncio loop; nothing here is thread-safe. Never imports the server:
the contract between the two is `scribe_desktop.protocol`.
"""

from .auth import ApiKeyAuth, Auth, Endpoint, StaticTokenAuth, TokenAuth
from .errors import (
    ERROR_CLASSES,
    AuthError,
    ChunkSizeExceededError,
    CommitThrottledError,
    ConnectError,
    ConnectionLostError,
    GenericServerError,
    HandshakeRejectedError,
    InputError,
    InsufficientAudioActivityError,
    InvalidRequestError,
    QueueOverflowError,
    QuotaExceededError,
    RateLimitedError,
    ResourceExhaustedError,
    ScribeError,
    ScribeServerError,
    SessionClosedError,
    SessionTimeLimitExceededError,
    TokenMintError,
    TokenRejectedError,
    TranscriberError,
    UnacceptedTermsError,
    error_from_server,
)
from .reconnect import DEFAULT_RECONNECT_DELAYS_S, is_fatal, reconnect
from .session import ScribeSession, TokenMinter, connect, redact_url
from .tokens import mint_token

__all__ = [
    "DEFAULT_RECONNECT_DELAYS_S", "ERROR_CLASSES", "ApiKeyAuth", "Auth", "AuthError",
    "ChunkSizeExceededError",
    "CommitThrottledError", "ConnectError", "ConnectionLostError", "Endpoint",
    "GenericServerError", "HandshakeRejectedError", "InputError",
    "InsufficientAudioActivityError", "InvalidRequestError", "QueueOverflowError",
    "QuotaExceededError", "RateLimitedError", "ResourceExhaustedError", "ScribeError",
    "ScribeServerError", "ScribeSession", "SessionClosedError",
    "SessionTimeLimitExceededError", "StaticTokenAuth", "TokenAuth", "TokenMintError",
    "TokenMinter", "TokenRejectedError", "TranscriberError", "UnacceptedTermsError",
    "connect", "error_from_server", "is_fatal", "mint_token", "reconnect", "redact_url",
]
