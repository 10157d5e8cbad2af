"""The 14 server error types (protocol doc §6.10), their deprecated spellings, and which of
them no retry can cure. What to tell a user lives in `session.user_errors`."""

from __future__ import annotations

from enum import StrEnum


class ErrorType(StrEnum):
    """`message_type` of a server error; every one is followed by the server closing (§6.10)."""

    ERROR = "error"
    AUTH_ERROR = "auth_error"
    QUOTA_EXCEEDED = "quota_exceeded"
    TRANSCRIBER_ERROR = "transcriber_error"
    INPUT_ERROR = "input_error"
    INVALID_REQUEST = "invalid_request"
    COMMIT_THROTTLED = "commit_throttled"
    UNACCEPTED_TERMS = "unaccepted_terms"
    RATE_LIMITED = "rate_limited"
    QUEUE_OVERFLOW = "queue_overflow"
    RESOURCE_EXHAUSTED = "resource_exhausted"
    SESSION_TIME_LIMIT_EXCEEDED = "session_time_limit_exceeded"
    CHUNK_SIZE_EXCEEDED = "chunk_size_exceeded"
    INSUFFICIENT_AUDIO_ACTIVITY = "insufficient_audio_activity"


# Deprecated spellings seen in older SDKs and docs (§6.10 "Name conflicts").
ERROR_TYPE_ALIASES: dict[str, ErrorType] = {
    "unaccepted_terms_error": ErrorType.UNACCEPTED_TERMS,
    "quota_exceeded_error": ErrorType.QUOTA_EXCEEDED,
}

# Errors after which retrying the same request cannot help (used to stop reconnecting).
FATAL_ERROR_TYPES: frozenset[ErrorType] = frozenset(
    {
        ErrorType.AUTH_ERROR,
        ErrorType.QUOTA_EXCEEDED,
        ErrorType.UNACCEPTED_TERMS,
        ErrorType.INVALID_REQUEST,
    }
)


def parse_error_type(message_type: str) -> ErrorType | None:
    """The error type named by `message_type`, accepting deprecated aliases; None if not one."""
    try:
        return ErrorType(message_type)
    except ValueError:
        return ERROR_TYPE_ALIASES.get(message_type)
