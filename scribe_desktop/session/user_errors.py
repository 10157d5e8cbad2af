"""What to tell the user about a failure: the one table from exception type to message,
used by the window and the command line alike. No Qt, no I/O.

Each exception is declared next to the code that raises it; this module only explains them.
`user_error_for(exc)` looks `type(exc)` up along its MRO (so a subclass may have its own entry,
e.g. `TokenRejectedError` before `AuthError`); the 14 server error types are one entry keyed
by `ErrorType`. Anything without an entry is an internal error that points at the log.
Messages never contain secrets: client exceptions redact tokens, and keys are never part of
an exception message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..audio.capture_events import MicrophoneLostError
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
from ..connect import (
    LocalServerDiedError,
    LocalServerError,
    MissingApiKeyError,
    SecretsError,
    SecretsUnavailableError,
)
from ..protocol.errors import ErrorType
from ..protocol.options import OptionsError
from .file_transcription import FileTranscriptionError, TranscriptionIncomplete
from .live import CommitTimeoutError


class Action(StrEnum):
    """The one button a dialog offers besides closing."""

    OPEN_SETTINGS = "Open Settings"
    TRY_AGAIN = "Try again"
    SHOW_LOG = "Show log"


OPEN_SETTINGS, TRY_AGAIN, SHOW_LOG = Action.OPEN_SETTINGS, Action.TRY_AGAIN, Action.SHOW_LOG


class AppErrorKind(StrEnum):
    """Kinds of failure other than a server error frame (those are their `ErrorType`)."""

    HANDSHAKE_REJECTED = "handshake_rejected"
    CONNECT_FAILED = "connect_failed"
    CONNECTION_LOST = "connection_lost"
    TOKEN_MINT_FAILED = "token_mint_failed"
    COMMIT_TIMEOUT = "commit_timeout"
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


ErrorKind = ErrorType | AppErrorKind


@dataclass(frozen=True, slots=True)
class UserError:
    """A failure as the user sees it: dialog title, one paragraph naming the cause and its
    fix, the suggested action (a button) and the technical detail for the log.
    `settings_field` names the Settings field "Open Settings" should show, if one.
    `cli_message` is the same text for a terminal (no buttons to point at)."""

    kind: ErrorKind
    title: str
    message: str
    action: Action | None = None
    detail: str = ""
    settings_field: str | None = None
    cli_message: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """How to explain one exception type. `cause` and `fix` may be functions of the
    exception; `cli_fix` replaces `fix` on a terminal."""

    kind: ErrorKind
    title: str
    cause: str | Callable[[Any], str]
    fix: str | Callable[[Any], str] = ""
    action: Action | None = None
    settings_field: str | Callable[[Any], str | None] | None = None
    cli_fix: str | None = None


# query parameters (§4) -> the Settings field that sets them
_PARAMETER_FIELDS = (("language", "language"), ("model", "model_id"), ("keyterm", "keyterms"),
                     ("vad_silence", "vad_silence_threshold_secs"),
                     ("vad_threshold", "vad_threshold"),
                     ("min_speech", "min_speech_duration_ms"),
                     ("min_silence", "min_silence_duration_ms"),
                     ("verbatim", "no_verbatim"), ("timestamps", "include_timestamps"))


def _field_named_in(text: str) -> str | None:
    """The Settings field a server message is about, when it names a parameter."""
    lowered = text.lower()
    return next((field for key, field in _PARAMETER_FIELDS if key in lowered), None)


def _text(part: str | Callable[[Any], str], exc: BaseException) -> str:
    return part(exc) if callable(part) else part


_SERVER: dict[ErrorType, Entry] = {
    ErrorType.ERROR: Entry(ErrorType.ERROR, "Server error",
                           "The transcription server reported an internal error.",
                           "Try again.", TRY_AGAIN),
    ErrorType.AUTH_ERROR: Entry(ErrorType.AUTH_ERROR, "API key rejected",
                                "The API key was rejected.",
                                "Open Settings and check the key.", OPEN_SETTINGS, "api_key",
                                "Check the API key ($ELEVENLABS_API_KEY or the key saved in "
                                "the app)."),
    ErrorType.QUOTA_EXCEEDED: Entry(ErrorType.QUOTA_EXCEEDED, "Quota used up",
                                    "Your ElevenLabs usage quota is used up.",
                                    "Check your plan in the ElevenLabs dashboard, or switch to "
                                    "the Local backend in Settings.", OPEN_SETTINGS, "backend",
                                    "Check your plan, or use --backend local."),
    ErrorType.TRANSCRIBER_ERROR: Entry(ErrorType.TRANSCRIBER_ERROR, "Transcriber failed",
                                       "The transcriber failed on this audio.",
                                       "Start dictating again.", TRY_AGAIN),
    ErrorType.INPUT_ERROR: Entry(ErrorType.INPUT_ERROR, "Audio not accepted",
                                 "The server could not read the audio that was sent.",
                                 "Check the microphone and audio settings.", OPEN_SETTINGS,
                                 "device_name"),
    ErrorType.INVALID_REQUEST: Entry(
        ErrorType.INVALID_REQUEST, "Settings rejected",
        lambda e: f"The server rejected the session settings: {e.message}",
        "Open Settings and change the setting it names.", OPEN_SETTINGS,
        lambda e: _field_named_in(e.message), "Change the option it names."),
    ErrorType.COMMIT_THROTTLED: Entry(ErrorType.COMMIT_THROTTLED, "Commit too short",
                                      "A segment was committed with under 0.3 s of audio.",
                                      "Speak a little longer before committing."),
    ErrorType.UNACCEPTED_TERMS: Entry(ErrorType.UNACCEPTED_TERMS, "Terms not accepted",
                                      "The Scribe terms of service are not accepted for this "
                                      "account.", "Accept them in the ElevenLabs dashboard, "
                                      "then try again.", TRY_AGAIN),
    ErrorType.RATE_LIMITED: Entry(ErrorType.RATE_LIMITED, "Too many requests",
                                  "ElevenLabs is rate-limiting this key.",
                                  "Wait a moment, then try again.", TRY_AGAIN),
    ErrorType.QUEUE_OVERFLOW: Entry(ErrorType.QUEUE_OVERFLOW, "Server overloaded",
                                    "The server's queue is full and the session was closed.",
                                    "Try again in a moment.", TRY_AGAIN),
    ErrorType.RESOURCE_EXHAUSTED: Entry(ErrorType.RESOURCE_EXHAUSTED, "Server at capacity",
                                        "The server is at capacity.",
                                        "Try again later, or use the Local backend.",
                                        TRY_AGAIN),
    ErrorType.SESSION_TIME_LIMIT_EXCEEDED: Entry(
        ErrorType.SESSION_TIME_LIMIT_EXCEEDED, "Time limit reached",
        "The session reached its time limit.", "Start dictating again to open a new one.",
        TRY_AGAIN),
    ErrorType.CHUNK_SIZE_EXCEEDED: Entry(ErrorType.CHUNK_SIZE_EXCEEDED, "Audio chunk too large",
                                         "An audio chunk was too large for the server.",
                                         "Lower the chunk length in Settings (Audio).",
                                         OPEN_SETTINGS, "chunk_ms"),
    ErrorType.INSUFFICIENT_AUDIO_ACTIVITY: Entry(
        ErrorType.INSUFFICIENT_AUDIO_ACTIVITY, "No audio",
        "The session was closed because no audio arrived.",
        "Check that the microphone is not muted.", TRY_AGAIN),
}
assert set(_SERVER) == set(ErrorType)


def _server_entry(exc: ScribeServerError) -> Entry:
    return _SERVER[exc.server_error.error_type]


def _handshake(exc: HandshakeRejectedError) -> Entry:
    if exc.is_auth_failure:
        return Entry(AppErrorKind.HANDSHAKE_REJECTED, "Connection refused",
                     f"The server refused the connection (HTTP {exc.status}): the API key or "
                     "token was rejected.", "Open Settings and check the key.", OPEN_SETTINGS,
                     "api_key", "Check the API key or --server-secret.")
    return Entry(AppErrorKind.HANDSHAKE_REJECTED, "Connection refused",
                 f"The server refused the connection (HTTP {exc.status}).",
                 "Check the backend and region in Settings.", OPEN_SETTINGS, "region",
                 "Check the server URL and region.")


def _microphone_name(device: str | None) -> str:
    """'The microphone "USB Mic"', or 'The default microphone' for the system default."""
    if not device or device.lower() in ("default", "pulse", "system default"):
        return "The default microphone"
    return f'The microphone "{device}"'


def _incomplete(exc: TranscriptionIncomplete) -> Entry:
    """The cause's own explanation, saying that the text so far was kept."""
    inner = entry_for(exc.cause)
    kept = len(exc.transcript.segments)
    return Entry(inner.kind, inner.title,
                 lambda e: f"{_text(inner.cause, e.cause)} The transcript is incomplete; "
                 f"the {kept} segment(s) transcribed before were kept.",
                 lambda e: _text(inner.fix, e.cause), inner.action, None, inner.cli_fix)


ExplainFn = Callable[[Any], Entry]

# Most specific type first does not matter: the lookup walks each exception's MRO.
_TABLE: dict[type[BaseException], Entry | ExplainFn] = {
    ScribeServerError: _server_entry,
    TokenRejectedError: Entry(ErrorType.AUTH_ERROR, "API key rejected",
                              "The API key was rejected when requesting a single-use token.",
                              "Open Settings and check the key.", OPEN_SETTINGS, "api_key",
                              "Check the API key."),
    HandshakeRejectedError: _handshake,
    ConnectError: Entry(AppErrorKind.CONNECT_FAILED, "Cannot connect",
                        lambda e: f"The transcription service cannot be reached ({e.detail}).",
                        "Check your network connection, or switch to the Local backend in "
                        "Settings.", OPEN_SETTINGS, "backend",
                        "Check the network, or use --backend local."),
    ConnectionLostError: Entry(AppErrorKind.CONNECTION_LOST, "Connection lost",
                               "The connection to the transcription service was lost and "
                               "could not be restored.", "Start dictating again.", TRY_AGAIN),
    SessionClosedError: Entry(AppErrorKind.CONNECTION_LOST, "Connection lost",
                              "The session had already ended.", "Start dictating again.",
                              TRY_AGAIN),
    TokenMintError: Entry(AppErrorKind.TOKEN_MINT_FAILED, "Cannot get a session token",
                          lambda e: f"Requesting a single-use token failed ({e.detail}).",
                          "Try again, or turn off single-use tokens in Settings.",
                          OPEN_SETTINGS, "single_use_tokens", "Try again."),
    CommitTimeoutError: Entry(AppErrorKind.COMMIT_TIMEOUT, "No final transcript",
                              lambda e: f"The server did not send the final text within "
                              f"{e.timeout_s:g} s; the last words may be missing."),
    LocalServerDiedError: Entry(AppErrorKind.LOCAL_SERVER_DIED, "Local server stopped",
                                "The local transcription server stopped unexpectedly and is "
                                "being restarted.", "Start dictating again in a moment; if it "
                                "keeps failing, check the log.", SHOW_LOG),
    LocalServerError: Entry(AppErrorKind.LOCAL_SERVER_FAILED, "Local server unavailable",
                            "The local transcription server could not be started.",
                            "Check the log, or switch to the ElevenLabs backend in Settings.",
                            SHOW_LOG, None, "Run scribe-desktop --self-check."),
    MicrophoneLostError: Entry(AppErrorKind.MICROPHONE_LOST, "Microphone lost",
                               lambda e: f"{_microphone_name(e.device)} stopped delivering "
                               "audio (unplugged or muted?).",
                               "Reconnect it or pick another one in the microphone list."),
    SecretsUnavailableError: Entry(AppErrorKind.NO_KEYRING, "No keyring",
                                   "No OS keyring is available, so the API key cannot be "
                                   "saved.", "You can still use it for this run only — it is "
                                   "never written to disk.", OPEN_SETTINGS, "api_key",
                                   "Set $ELEVENLABS_API_KEY instead."),
    SecretsError: Entry(AppErrorKind.KEYRING_FAILED, "Keyring error",
                        "The OS keyring failed to read or store the API key.",
                        "Unlock the keyring and try again.", OPEN_SETTINGS, "api_key"),
    MissingApiKeyError: Entry(AppErrorKind.NO_API_KEY, "API key needed",
                              "The ElevenLabs backend needs an API key.",
                              "Open Settings and enter it, or switch to the Local backend.",
                              OPEN_SETTINGS, "api_key",
                              "Set $ELEVENLABS_API_KEY, or use --backend local."),
    OptionsError: Entry(AppErrorKind.INVALID_SETTINGS, "Invalid settings",
                        lambda e: f"A setting is not allowed: {e}.",
                        "Open Settings to fix it.", OPEN_SETTINGS),
    FileSourceError: Entry(AppErrorKind.FILE_UNSUPPORTED, "Cannot read the file",
                           lambda e: f"{e.path.name}: {e.reason}."),
    TranscriptionIncomplete: _incomplete,
    FileTranscriptionError: Entry(AppErrorKind.FILE_FAILED, "File transcription failed",
                                  lambda e: f"The file could not be transcribed: {e}.",
                                  "Try again.", TRY_AGAIN),
}

INTERNAL = Entry(AppErrorKind.INTERNAL, "Unexpected error",
                 "Something went wrong inside the app; it keeps running.",
                 "The details are in the log file.", SHOW_LOG)


def entry_for(exc: BaseException) -> Entry:
    """The table entry that explains `exc` (INTERNAL when none does)."""
    for cls in type(exc).__mro__:
        found = _TABLE.get(cls)
        if found is not None:
            return found(exc) if callable(found) else found
    return INTERNAL


def user_error_for(exc: BaseException) -> UserError:
    """The user-facing error for `exc` (never raises; unknown exceptions -> INTERNAL)."""
    entry = entry_for(exc)
    cause = _text(entry.cause, exc)
    fix = _text(entry.fix, exc)
    cli_fix = fix if entry.cli_fix is None else entry.cli_fix
    field = entry.settings_field(exc) if callable(entry.settings_field) \
        else entry.settings_field
    return UserError(entry.kind, entry.title, " ".join(p for p in (cause, fix) if p),
                     entry.action, detail=f"{type(exc).__name__}: {exc}",
                     settings_field=field,
                     cli_message=" ".join(p for p in (cause, cli_fix) if p))


def explained_types() -> tuple[type[BaseException], ...]:
    """Every exception type the table explains (for the completeness test)."""
    return tuple(_TABLE)
