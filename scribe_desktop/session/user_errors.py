"""What to tell the user about a failure: a typed `UserError` for every exception. Pure.

`user_error_for(exc)` maps each of the 14 server error types (protocol doc §6.10), a rejected
handshake, a lost or refused connection, a dead local server, a lost microphone, a missing
keyring or API key, bad settings and bad files to a specific title, message and action (what
to do next, e.g. "Open Settings"). Anything unexpected becomes `ErrorKind.INTERNAL`, which
points at the log file. The texts never contain secrets: client exceptions already redact
tokens, and keys are never part of an exception message.

The app-level failures the worker detects itself are exceptions declared here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..audio.file_source import FileSourceError
from ..client.errors import (
    ConnectError,
    ConnectionLostError,
    HandshakeRejectedError,
    ScribeServerError,
    SessionClosedError,
    TokenMintError,
    TokenRejectedError,
)
from ..connect.keyring_store import SecretsError, SecretsUnavailableError
from ..connect.server_process import LocalServerError
from ..protocol.errors import ErrorType
from ..protocol.options import OptionsError
from .file_transcription import FileTranscriptionError

OPEN_SETTINGS = "Open Settings"
TRY_AGAIN = "Try again"
SHOW_LOG = "Show log"


class ErrorKind(StrEnum):
    # one per server error type (§6.10)
    SERVER_ERROR = "server_error"
    AUTH = "auth"
    QUOTA_EXCEEDED = "quota_exceeded"
    TRANSCRIBER_ERROR = "transcriber_error"
    INPUT_ERROR = "input_error"
    INVALID_REQUEST = "invalid_request"
    COMMIT_THROTTLED = "commit_throttled"
    UNACCEPTED_TERMS = "unaccepted_terms"
    RATE_LIMITED = "rate_limited"
    QUEUE_OVERFLOW = "queue_overflow"
    RESOURCE_EXHAUSTED = "resource_exhausted"
    SESSION_TIME_LIMIT = "session_time_limit"
    CHUNK_SIZE_EXCEEDED = "chunk_size_exceeded"
    INSUFFICIENT_AUDIO = "insufficient_audio"
    # transport
    HANDSHAKE_REJECTED = "handshake_rejected"
    CONNECT_FAILED = "connect_failed"
    CONNECTION_LOST = "connection_lost"
    TOKEN_MINT_FAILED = "token_mint_failed"
    COMMIT_TIMEOUT = "commit_timeout"
    # app
    LOCAL_SERVER_DIED = "local_server_died"
    LOCAL_SERVER_FAILED = "local_server_failed"
    MICROPHONE_LOST = "microphone_lost"
    NO_KEYRING = "no_keyring"
    KEYRING_FAILED = "keyring_failed"
    NO_API_KEY = "no_api_key"
    INVALID_SETTINGS = "invalid_settings"
    FILE_UNSUPPORTED = "file_unsupported"
    FILE_FAILED = "file_failed"
    INTERNAL = "internal"


@dataclass(frozen=True, slots=True)
class UserError:
    """A failure as the user sees it: dialog title, one-paragraph message, suggested action
    (a button label such as "Open Settings", or None) and the technical detail for the log
    or a "Details" section."""

    kind: ErrorKind
    title: str
    message: str
    action: str | None = None
    detail: str = ""


# --- app-level failures (raised by the worker and the backends) ---------------------------


class AppError(Exception):
    """Base of the failures the app detects itself (not the client or the server)."""


class LocalServerDiedError(AppError):
    """The local server child process exited while the app needed it."""

    def __init__(self, returncode: int | None, stderr_tail: str = "") -> None:
        super().__init__(f"the local server exited with code {returncode}"
                         + (f": {stderr_tail.strip()[-300:]}" if stderr_tail.strip() else ""))
        self.returncode = returncode


class MicrophoneLostError(AppError):
    """The microphone stopped delivering audio (unplugged, muted at the server, ...)."""

    def __init__(self, device: str | None, detail: str = "") -> None:
        super().__init__(detail or f"the microphone {device or '(default)'} was lost")
        self.device = device


class MissingApiKeyError(AppError):
    """The ElevenLabs backend is selected but no API key is stored or entered."""


class CommitTimeoutError(AppError):
    """The server did not answer the final commit in time."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__(f"no final transcript within {timeout_s:g} s")
        self.timeout_s = timeout_s


# --- the mapping ------------------------------------------------------------------------

_SERVER: dict[ErrorType, tuple[ErrorKind, str, str, str | None]] = {
    ErrorType.ERROR: (ErrorKind.SERVER_ERROR, "Server error",
                      "The transcription server reported an internal error.", TRY_AGAIN),
    ErrorType.AUTH_ERROR: (ErrorKind.AUTH, "API key rejected",
                           "The API key was rejected — open Settings and check the key.",
                           OPEN_SETTINGS),
    ErrorType.QUOTA_EXCEEDED: (ErrorKind.QUOTA_EXCEEDED, "Quota used up",
                               "Your ElevenLabs usage quota is used up. Check your plan in the "
                               "ElevenLabs dashboard, or switch to the Local backend in "
                               "Settings.", OPEN_SETTINGS),
    ErrorType.TRANSCRIBER_ERROR: (ErrorKind.TRANSCRIBER_ERROR, "Transcriber failed",
                                  "The transcriber failed on this audio. Start dictating "
                                  "again.", TRY_AGAIN),
    ErrorType.INPUT_ERROR: (ErrorKind.INPUT_ERROR, "Audio not accepted",
                            "The server could not read the audio that was sent. Check the "
                            "microphone and audio settings.", OPEN_SETTINGS),
    ErrorType.INVALID_REQUEST: (ErrorKind.INVALID_REQUEST, "Settings rejected",
                                "The server rejected the session settings — open Settings "
                                "and check the language, model id and voice-detection values.",
                                OPEN_SETTINGS),
    ErrorType.COMMIT_THROTTLED: (ErrorKind.COMMIT_THROTTLED, "Commit too short",
                                 "A segment was committed with under 0.3 s of audio. Speak a "
                                 "little longer before committing.", None),
    ErrorType.UNACCEPTED_TERMS: (ErrorKind.UNACCEPTED_TERMS, "Terms not accepted",
                                 "Accept the Scribe terms of service in the ElevenLabs "
                                 "dashboard, then try again.", TRY_AGAIN),
    ErrorType.RATE_LIMITED: (ErrorKind.RATE_LIMITED, "Too many requests",
                             "ElevenLabs is rate-limiting this key. Wait a moment, then try "
                             "again.", TRY_AGAIN),
    ErrorType.QUEUE_OVERFLOW: (ErrorKind.QUEUE_OVERFLOW, "Server overloaded",
                               "The server's queue is full and the session was closed. Try "
                               "again in a moment.", TRY_AGAIN),
    ErrorType.RESOURCE_EXHAUSTED: (ErrorKind.RESOURCE_EXHAUSTED, "Server at capacity",
                                   "The server is at capacity. Try again later, or use the "
                                   "Local backend.", TRY_AGAIN),
    ErrorType.SESSION_TIME_LIMIT_EXCEEDED: (ErrorKind.SESSION_TIME_LIMIT, "Time limit reached",
                                            "The session reached its time limit. Start "
                                            "dictating again to open a new one.", TRY_AGAIN),
    ErrorType.CHUNK_SIZE_EXCEEDED: (ErrorKind.CHUNK_SIZE_EXCEEDED, "Audio chunk too large",
                                    "An audio chunk was too large for the server — lower the "
                                    "chunk length in Settings (Audio).", OPEN_SETTINGS),
    ErrorType.INSUFFICIENT_AUDIO_ACTIVITY: (ErrorKind.INSUFFICIENT_AUDIO, "No audio",
                                            "The session was closed because no audio arrived. "
                                            "Check that the microphone is not muted.",
                                            TRY_AGAIN),
}


def _make(kind: ErrorKind, title: str, message: str, action: str | None,
          exc: BaseException) -> UserError:
    return UserError(kind, title, message, action, detail=f"{type(exc).__name__}: {exc}")


def user_error_for(exc: BaseException) -> UserError:
    """The user-facing error for `exc` (never raises; unknown exceptions -> INTERNAL)."""
    if isinstance(exc, TokenRejectedError):
        return _make(ErrorKind.AUTH, "API key rejected", "The API key was rejected when "
                     "requesting a single-use token — open Settings and check the key.",
                     OPEN_SETTINGS, exc)
    if isinstance(exc, ScribeServerError):
        kind, title, message, action = _SERVER[exc.server_error.error_type]
        return _make(kind, title, message, action, exc)
    if isinstance(exc, HandshakeRejectedError):
        if exc.is_auth_failure:
            return _make(ErrorKind.HANDSHAKE_REJECTED, "Connection refused",
                         f"The server refused the connection (HTTP {exc.status}): the API key "
                         "or token was rejected — open Settings and check the key.",
                         OPEN_SETTINGS, exc)
        return _make(ErrorKind.HANDSHAKE_REJECTED, "Connection refused",
                     f"The server refused the connection (HTTP {exc.status}). Check the "
                     "backend and region in Settings.", OPEN_SETTINGS, exc)
    if isinstance(exc, ConnectError):
        return _make(ErrorKind.CONNECT_FAILED, "Cannot connect",
                     "The transcription service cannot be reached. Check your network "
                     "connection, or switch to the Local backend in Settings.",
                     OPEN_SETTINGS, exc)
    if isinstance(exc, ConnectionLostError | SessionClosedError):
        return _make(ErrorKind.CONNECTION_LOST, "Connection lost",
                     "The connection to the transcription service was lost and could not be "
                     "restored. Start dictating again.", TRY_AGAIN, exc)
    if isinstance(exc, TokenMintError):
        return _make(ErrorKind.TOKEN_MINT_FAILED, "Cannot get a session token",
                     "Requesting a single-use token failed. Try again, or turn off "
                     "single-use tokens in Settings.", OPEN_SETTINGS, exc)
    if isinstance(exc, CommitTimeoutError):
        return _make(ErrorKind.COMMIT_TIMEOUT, "No final transcript",
                     f"The server did not send the final text within {exc.timeout_s:g} s; the "
                     "last words may be missing.", None, exc)
    if isinstance(exc, LocalServerDiedError):
        return _make(ErrorKind.LOCAL_SERVER_DIED, "Local server stopped",
                     "The local transcription server stopped unexpectedly and is being "
                     "restarted. Start dictating again in a moment; if it keeps failing, "
                     "check the log.", SHOW_LOG, exc)
    if isinstance(exc, LocalServerError):
        return _make(ErrorKind.LOCAL_SERVER_FAILED, "Local server unavailable",
                     "The local transcription server could not be started. Check the log, "
                     "or switch to the ElevenLabs backend in Settings.", SHOW_LOG, exc)
    if isinstance(exc, MicrophoneLostError):
        return _make(ErrorKind.MICROPHONE_LOST, "Microphone lost",
                     f"{_microphone_name(exc.device)} stopped delivering audio (unplugged "
                     "or muted?). Reconnect it or pick another one in the microphone list.",
                     None, exc)
    if isinstance(exc, SecretsUnavailableError):
        return _make(ErrorKind.NO_KEYRING, "No keyring",
                     "No OS keyring is available, so the API key cannot be saved. You can "
                     "still use it for this run only — it is never written to disk.",
                     OPEN_SETTINGS, exc)
    if isinstance(exc, SecretsError):
        return _make(ErrorKind.KEYRING_FAILED, "Keyring error",
                     "The OS keyring failed to read or store the API key. Unlock the keyring "
                     "and try again.", OPEN_SETTINGS, exc)
    if isinstance(exc, MissingApiKeyError):
        return _make(ErrorKind.NO_API_KEY, "API key needed",
                     "The ElevenLabs backend needs an API key — open Settings and enter it, "
                     "or switch to the Local backend.", OPEN_SETTINGS, exc)
    if isinstance(exc, OptionsError):
        return _make(ErrorKind.INVALID_SETTINGS, "Invalid settings",
                     f"A setting is not allowed: {exc}. Open Settings to fix it.",
                     OPEN_SETTINGS, exc)
    if isinstance(exc, FileSourceError):
        return _make(ErrorKind.FILE_UNSUPPORTED, "Cannot read the file",
                     f"{exc.path.name}: {exc.reason}. Supported formats: WAV, FLAC, OGG and "
                     "MP3.", None, exc)
    if isinstance(exc, FileTranscriptionError):
        return _make(ErrorKind.FILE_FAILED, "File transcription failed",
                     f"The file could not be transcribed: {exc}.", TRY_AGAIN, exc)
    return _make(ErrorKind.INTERNAL, "Unexpected error",
                 "Something went wrong inside the app; it keeps running. The details are in "
                 "the log file.", SHOW_LOG, exc)


def _microphone_name(device: str | None) -> str:
    """'The microphone "USB Mic"', or 'The default microphone' for the system default."""
    if not device or device.lower() in ("default", "pulse", "system default"):
        return "The default microphone"
    return f'The microphone "{device}"'
