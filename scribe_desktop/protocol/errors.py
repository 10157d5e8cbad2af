"""The 14 server error types (protocol doc §6.10) and what to tell a user about each."""

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

USER_MESSAGES: dict[ErrorType, str] = {
    ErrorType.ERROR: "The transcription server reported an internal error. Try again.",
    ErrorType.AUTH_ERROR: "The API key or token was rejected. Open Settings and check the key.",
    ErrorType.QUOTA_EXCEEDED: "Your ElevenLabs usage quota is used up. Check your plan.",
    ErrorType.TRANSCRIBER_ERROR: "The transcriber failed on this audio. Try again.",
    ErrorType.INPUT_ERROR: "The server could not read the audio that was sent.",
    ErrorType.INVALID_REQUEST: "The server rejected the session settings. Check language, model "
    "and voice-detection settings.",
    ErrorType.COMMIT_THROTTLED: "A segment was committed with too little audio (under 0.3 s).",
    ErrorType.UNACCEPTED_TERMS: "Accept the Scribe terms of service in the ElevenLabs dashboard.",
    ErrorType.RATE_LIMITED: "Too many requests: wait a moment, then try again.",
    ErrorType.QUEUE_OVERFLOW: "The server's queue is full: send audio more slowly or retry.",
    ErrorType.RESOURCE_EXHAUSTED: "The server is at capacity. Try again later.",
    ErrorType.SESSION_TIME_LIMIT_EXCEEDED: "The session reached its time limit. Start a new one.",
    ErrorType.CHUNK_SIZE_EXCEEDED: "An audio chunk was too large for the server.",
    ErrorType.INSUFFICIENT_AUDIO_ACTIVITY: "The session was closed because no audio arrived.",
}


def parse_error_type(message_type: str) -> ErrorType | None:
    """The error type named by `message_type`, accepting deprecated aliases; None if not one."""
    try:
        return ErrorType(message_type)
    except ValueError:
        return ERROR_TYPE_ALIASES.get(message_type)
