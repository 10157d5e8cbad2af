"""Exceptions of the realtime client: one class per server error type, plus transport failures.

Hierarchy::

    ScribeError
    ├── ConnectError                 connection refused, DNS, timeout, bad handshake (names URL)
    │   └── HandshakeRejectedError   HTTP status instead of 101 at the upgrade (rule C10)
    ├── ConnectionLostError          abnormal close, or a close before session_started
    ├── SessionClosedError           sending on a session that has ended
    ├── TokenMintError               the single-use token request failed (not auth)
    └── ScribeServerError            an in-band error frame (rule B2); one subclass per type
        ├── AuthError
        │   └── TokenRejectedError   HTTP 401/403 from the token endpoint
        ├── QuotaExceededError ... InsufficientAudioActivityError
"""

from __future__ import annotations

from ..protocol.errors import FATAL_ERROR_TYPES, ErrorType
from ..protocol.messages import ServerError


class ScribeError(Exception):
    """Base of every error the realtime client raises."""


class ConnectError(ScribeError):
    """The session could not be opened; the message names the URL (token redacted)."""

    def __init__(self, url: str, detail: str) -> None:
        super().__init__(f"cannot connect to {url}: {detail}")
        self.url = url
        self.detail = detail


class HandshakeRejectedError(ConnectError):
    """The server answered the WebSocket upgrade with an HTTP status (e.g. 401/403, rule C10)."""

    def __init__(self, url: str, status: int, body: str = "") -> None:
        detail = f"the server rejected the WebSocket upgrade with HTTP {status}"
        if body:
            detail += f": {body}"
        super().__init__(url, detail)
        self.status = status
        self.body = body

    @property
    def is_auth_failure(self) -> bool:
        return self.status in (401, 403)


class ConnectionLostError(ScribeError):
    """The socket closed abnormally (or before the session started); code/reason as received."""

    def __init__(self, code: int | None, reason: str = "", detail: str = "") -> None:
        text = f"connection lost (close code {code if code is not None else 'none'}"
        text += f", reason {reason!r})" if reason else ")"
        if detail:
            text += f": {detail}"
        super().__init__(text)
        self.code = code
        self.reason = reason


class SessionClosedError(ScribeError):
    """Audio or a commit was sent on a session that had already ended cleanly."""


class TokenMintError(ScribeError):
    """Minting a single-use token failed for a reason other than a rejected key."""

    def __init__(self, url: str, detail: str, status: int | None = None) -> None:
        super().__init__(f"cannot mint a token at {url}: {detail}")
        self.url = url
        self.detail = detail
        self.status = status


class ScribeServerError(ScribeError):
    """An error message from the server (rule B2); the server closes the session after it."""

    error_type: ErrorType = ErrorType.ERROR

    def __init__(self, server_error: ServerError) -> None:
        super().__init__(f"{server_error.error_type.value}: {server_error.error}")
        self.server_error = server_error

    @property
    def message(self) -> str:
        """The server's own text."""
        return self.server_error.error

    @property
    def fatal(self) -> bool:
        """True when retrying the same request cannot help (stop reconnecting)."""
        return self.server_error.error_type in FATAL_ERROR_TYPES


class GenericServerError(ScribeServerError):
    error_type = ErrorType.ERROR


class AuthError(ScribeServerError):
    error_type = ErrorType.AUTH_ERROR


class QuotaExceededError(ScribeServerError):
    error_type = ErrorType.QUOTA_EXCEEDED


class TranscriberError(ScribeServerError):
    error_type = ErrorType.TRANSCRIBER_ERROR


class InputError(ScribeServerError):
    error_type = ErrorType.INPUT_ERROR


class InvalidRequestError(ScribeServerError):
    error_type = ErrorType.INVALID_REQUEST


class CommitThrottledError(ScribeServerError):
    error_type = ErrorType.COMMIT_THROTTLED


class UnacceptedTermsError(ScribeServerError):
    error_type = ErrorType.UNACCEPTED_TERMS


class RateLimitedError(ScribeServerError):
    error_type = ErrorType.RATE_LIMITED


class QueueOverflowError(ScribeServerError):
    error_type = ErrorType.QUEUE_OVERFLOW


class ResourceExhaustedError(ScribeServerError):
    error_type = ErrorType.RESOURCE_EXHAUSTED


class SessionTimeLimitExceededError(ScribeServerError):
    error_type = ErrorType.SESSION_TIME_LIMIT_EXCEEDED


class ChunkSizeExceededError(ScribeServerError):
    error_type = ErrorType.CHUNK_SIZE_EXCEEDED


class InsufficientAudioActivityError(ScribeServerError):
    error_type = ErrorType.INSUFFICIENT_AUDIO_ACTIVITY


class TokenRejectedError(AuthError):
    """The token endpoint answered HTTP 401/403: the API key was rejected."""

    def __init__(self, url: str, status: int, detail: str) -> None:
        super().__init__(ServerError(ErrorType.AUTH_ERROR, detail or f"HTTP {status}"))
        self.url = url
        self.status = status


ERROR_CLASSES: dict[ErrorType, type[ScribeServerError]] = {
    cls.error_type: cls
    for cls in (GenericServerError, AuthError, QuotaExceededError, TranscriberError, InputError,
                InvalidRequestError, CommitThrottledError, UnacceptedTermsError,
                RateLimitedError, QueueOverflowError, ResourceExhaustedError,
                SessionTimeLimitExceededError, ChunkSizeExceededError,
                InsufficientAudioActivityError)
}
assert len(ERROR_CLASSES) == len(ErrorType)


def error_from_server(server_error: ServerError) -> ScribeServerError:
    """The typed exception for an error message."""
    return ERROR_CLASSES[server_error.error_type](server_error)
