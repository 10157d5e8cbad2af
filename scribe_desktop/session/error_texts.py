"""The texts of the error table that depend on what failed: the 14 server error types
(§6.10), a rejected handshake (C10), and a connection that failed on the network (no
network, host not found, refused, TLS, timeout). No Qt, no I/O; `user_errors.py` is the
table that uses them.
"""

from __future__ import annotations

from ..client.errors import HandshakeRejectedError, ScribeServerError
from ..protocol.errors import ErrorType
from .error_model import OPEN_SETTINGS, TRY_AGAIN, AppErrorKind, Entry
from .network_errors import NetworkCause, NetworkFailure, is_loopback

# query parameters (§4) -> the Settings field that sets them
_PARAMETER_FIELDS = (("language", "language"), ("model", "model_id"), ("keyterm", "keyterms"),
                     ("vad_silence", "vad_silence_threshold_secs"),
                     ("vad_threshold", "vad_threshold"),
                     ("min_speech", "min_speech_duration_ms"),
                     ("min_silence", "min_silence_duration_ms"),
                     ("verbatim", "no_verbatim"), ("timestamps", "include_timestamps"))


def field_named_in(text: str) -> str | None:
    """The Settings field a server message is about, when it names a parameter."""
    lowered = text.lower()
    return next((field for key, field in _PARAMETER_FIELDS if key in lowered), None)


SERVER: dict[ErrorType, Entry] = {
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
        lambda e: field_named_in(e.message), "Change the option it names."),  # see below
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
assert set(SERVER) == set(ErrorType)


_REJECTED_TITLES = {"language": "Language not supported", "model_id": "Model not available",
                    "keyterms": "Key terms rejected"}


def server_entry(exc: ScribeServerError) -> Entry:
    entry = SERVER[exc.server_error.error_type]
    if entry.kind == ErrorType.INVALID_REQUEST:  # the title names what was rejected
        field = field_named_in(exc.message)
        return Entry(entry.kind, _REJECTED_TITLES.get(field or "", entry.title), entry.cause,
                     entry.fix, entry.action, field, entry.cli_fix)
    return entry


_OFFLINE_FIX = "Connect to the network, or switch to the Local backend, which works offline."
_NETWORK_TITLES = {NetworkCause.NO_NETWORK: "No network",
                   NetworkCause.HOST_NOT_FOUND: "Server not found",
                   NetworkCause.REFUSED: "Connection refused",
                   NetworkCause.TLS: "Secure connection failed",
                   NetworkCause.TIMEOUT: "No answer"}


def network_entry(failure: NetworkFailure, doing: str) -> Entry:
    """The entry for a connection that failed on the network; `doing` names the request."""
    host = failure.host or "the server"
    kind = AppErrorKind(failure.cause.value)
    title = _NETWORK_TITLES[failure.cause]
    local = is_loopback(failure.host)
    match failure.cause:
        case NetworkCause.NO_NETWORK:
            cause = (f"{doing} failed: this computer has no working network connection "
                     f"({failure.detail}).")
            return Entry(kind, title, cause, _OFFLINE_FIX, OPEN_SETTINGS, "backend",
                         "Check the network, or use --backend local.")
        case NetworkCause.HOST_NOT_FOUND:
            cause = (f"{doing} failed: the host name {host} could not be resolved "
                     f"({failure.detail}), so the network or its DNS is not answering.")
            return Entry(kind, title, cause, _OFFLINE_FIX, OPEN_SETTINGS, "backend",
                         "Check the network, or use --backend local.")
        case NetworkCause.REFUSED if local:
            return Entry(kind, "Local server not answering",
                         f"{doing} failed: the local transcription server at {host} refused "
                         "the connection (it is not running).",
                         "Start again in a moment (the app restarts it); if it keeps "
                         "failing, the log says why.", TRY_AGAIN)
        case NetworkCause.REFUSED:
            return Entry(kind, title, f"{doing} failed: {host} refused the connection; no "
                         "transcription server listens there.", "Check the backend and "
                         "region in Settings.", OPEN_SETTINGS, "region",
                         "Check the server URL and region.")
        case NetworkCause.TLS:
            return Entry(kind, title, f"{doing} failed: the secure (TLS) connection to {host} "
                         f"could not be set up ({failure.detail}).", "Check the computer's "
                         "date and time, and any proxy or firewall that inspects HTTPS, then "
                         "try again.", TRY_AGAIN)
        case _:
            return Entry(kind, title, f"{doing} failed: {host} did not answer in time.",
                         "Check the network connection, then try again.", TRY_AGAIN)


def handshake_entry(exc: HandshakeRejectedError) -> Entry:
    if exc.is_auth_failure:
        return Entry(AppErrorKind.HANDSHAKE_REJECTED, "Connection refused",
                     f"The server refused the connection (HTTP {exc.status}): the API key or "
                     "token was rejected.", "Open Settings and check the key.", OPEN_SETTINGS,
                     "api_key", "Check the API key or --server-secret.")
    return Entry(AppErrorKind.HANDSHAKE_REJECTED, "Connection refused",
                 f"The server refused the connection (HTTP {exc.status}).",
                 "Check the backend and region in Settings.", OPEN_SETTINGS, "region",
                 "Check the server URL and region.")
