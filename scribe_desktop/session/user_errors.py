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

import errno
from collections.abc import Callable
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
    UnsupportedLanguageError,
)
from ..core.transcript import RedactionMissingError
from ..models import DiskFullError, ModelsError, NotInstalledError
from ..protocol.errors import ErrorType
from ..protocol.languages import label
from ..protocol.options import OptionsError
from .error_model import (
    GET_MODEL,
    INTERNAL,
    OPEN_SETTINGS,
    SHOW_LOG,
    TRY_AGAIN,
    Action,
    AppErrorKind,
    Entry,
    ErrorKind,
    UserError,
)
from .error_texts import SERVER, field_named_in, handshake_entry, network_entry, server_entry
from .file_transcription import FileTranscriptionError, TranscriptionIncomplete
from .live import CommitTimeoutError
from .mic_test import MicTestBusyError
from .network_errors import network_failure

__all__ = ["GET_MODEL", "INTERNAL", "OPEN_SETTINGS", "SERVER", "SHOW_LOG", "TRY_AGAIN",
           "Action", "AppErrorKind", "Entry", "ErrorKind", "ErrorType", "UserError",
           "entry_for", "explained_types", "user_error_for"]


def _text(part: str | Callable[[Any], str], exc: BaseException) -> str:
    return part(exc) if callable(part) else part


def _connect(exc: ConnectError) -> Entry:
    failure = network_failure(exc, exc.url)
    if failure is not None:
        return network_entry(failure, "Connecting to the transcription service")
    return Entry(AppErrorKind.CONNECT_FAILED, "Cannot connect",
                 f"The server at {exc.url.split('?')[0]} did not answer as a transcription "
                 f"service ({exc.detail}).", "Check the backend and region in Settings.",
                 OPEN_SETTINGS, "region", "Check the server URL and region.")


def _token_mint(exc: TokenMintError) -> Entry:
    failure = network_failure(exc, exc.url)
    if failure is not None:  # the network, not the token service
        return network_entry(failure, "Requesting a session token from ElevenLabs")
    return Entry(AppErrorKind.TOKEN_MINT_FAILED, "Cannot get a session token",
                 f"ElevenLabs did not issue a single-use token ({exc.detail}).",
                 "Try again in a moment.", TRY_AGAIN, None, "Try again.")


def _os_error(exc: OSError) -> Entry:
    failure = network_failure(exc)
    if failure is not None:
        return network_entry(failure, "The connection")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        where = f" for {exc.filename}" if exc.filename else ""
        return Entry(AppErrorKind.DISK_FULL, "Disk full",
                     f"There is no space left on the disk{where}.",
                     "Free some space (or choose another folder), then try again.")
    return INTERNAL


def _model_error(exc: ModelsError) -> Entry:
    failure = network_failure(exc)
    if failure is not None:
        return network_entry(failure, "Downloading the speech model")
    return Entry(AppErrorKind.MODEL_FAILED, "Speech model problem", f"{exc}.",
                 "Try again; the download resumes where it stopped.")


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
    ScribeServerError: server_entry,
    TokenRejectedError: Entry(ErrorType.AUTH_ERROR, "API key rejected",
                              "The API key was rejected when requesting a single-use token.",
                              "Open Settings and check the key.", OPEN_SETTINGS, "api_key",
                              "Check the API key."),
    HandshakeRejectedError: handshake_entry,
    ConnectError: _connect,
    ConnectionLostError: Entry(AppErrorKind.CONNECTION_LOST, "Connection lost",
                               "The connection to the transcription service was lost and "
                               "could not be restored.", "Start dictating again.", TRY_AGAIN),
    SessionClosedError: Entry(AppErrorKind.CONNECTION_LOST, "Connection lost",
                              "The session had already ended.", "Start dictating again.",
                              TRY_AGAIN),
    TokenMintError: _token_mint,
    CommitTimeoutError: Entry(AppErrorKind.COMMIT_TIMEOUT, "No final transcript",
                              lambda e: f"The server did not send the final text within "
                              f"{e.timeout_s:g} s; the last words may be missing."),
    RedactionMissingError: Entry(
        AppErrorKind.REDACTION_MISSING, "Text withheld",
        lambda e: f"Redaction is on, but the server did not send the redacted form of "
        f"{e.segments} committed segment(s) before the connection ended, so that text was "
        "not shown, typed or saved.", "Dictate it again; if it keeps happening, check that "
        "the backend supports redaction (Settings → Privacy)."),
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
    MicTestBusyError: Entry(AppErrorKind.MICROPHONE_BUSY, "Microphone busy",
                            "A dictation is using the microphone, so the test cannot record.",
                            "Stop the dictation, then record the test again."),
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
                        "Open Settings to fix it.", OPEN_SETTINGS,
                        lambda e: field_named_in(str(e))),
    UnsupportedLanguageError: Entry(
        AppErrorKind.UNSUPPORTED_LANGUAGE, "Language not available",
        lambda e: f"The {e.capabilities.where} engine ({e.capabilities.engine}) cannot "
        f"transcribe {label(e.language)}; {e.capabilities.language_note}",
        "Open Settings and choose one of its languages (or Auto-detect), or a backend "
        "that has this one.", OPEN_SETTINGS, "language",
        "Choose another --language, or another backend."),
    FileSourceError: Entry(AppErrorKind.FILE_UNSUPPORTED, "Cannot read the file",
                           lambda e: f"{e.path.name}: {e.reason}."),
    TranscriptionIncomplete: _incomplete,
    FileTranscriptionError: Entry(AppErrorKind.FILE_FAILED, "File transcription failed",
                                  lambda e: f"The file could not be transcribed: {e}.",
                                  "Try again.", TRY_AGAIN),
    NotInstalledError: Entry(AppErrorKind.MODEL_MISSING, "Speech model not installed",
                             lambda e: f"The speech model {e.name!r} is not installed on this "
                             "computer.", "Download it (Help → Welcome, speech model step) or "
                             "choose an installed one.", GET_MODEL, None,
                             "Run scribe-desktop models download NAME."),
    DiskFullError: Entry(AppErrorKind.DISK_FULL, "Disk full",
                         lambda e: f"There is not enough space left on the disk: {e}.",
                         "Free some space (or choose another folder), then try again."),
    ModelsError: _model_error,
    OSError: _os_error,
}

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
    # an incomplete transcription is explained (and logged) by what cut it short
    named = exc.cause if isinstance(exc, TranscriptionIncomplete) else exc
    return UserError(entry.kind, entry.title, " ".join(p for p in (cause, fix) if p),
                     entry.action, detail=f"{type(named).__name__}: {exc}",
                     settings_field=field,
                     cli_message=" ".join(p for p in (cause, cli_fix) if p))


def explained_types() -> tuple[type[BaseException], ...]:
    """Every exception type the table explains (for the completeness test)."""
    return tuple(_TABLE)
