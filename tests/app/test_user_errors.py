"""Every failure maps to a specific, actionable user message."""

from __future__ import annotations

from pathlib import Path

import pytest

from scribe_desktop.audio.capture_events import MicrophoneLostError
from scribe_desktop.audio.file_source import FileSourceError
from scribe_desktop.client import (
    ConnectError,
    ConnectionLostError,
    HandshakeRejectedError,
    TokenMintError,
    TokenRejectedError,
    error_from_server,
)
from scribe_desktop.connect import LocalServerDiedError, MissingApiKeyError
from scribe_desktop.connect.keyring_store import SecretsError, SecretsUnavailableError
from scribe_desktop.connect.server_process import LocalServerError
from scribe_desktop.core.transcript import RedactionMissingError
from scribe_desktop.protocol.errors import ErrorType
from scribe_desktop.protocol.messages import ServerError
from scribe_desktop.protocol.options import OptionsError
from scribe_desktop.session.file_transcription import FileTranscriptionError
from scribe_desktop.session.live import CommitTimeoutError
from scribe_desktop.session.user_errors import (
    OPEN_SETTINGS,
    AppErrorKind,
    ErrorKind,
    user_error_for,
)


@pytest.mark.parametrize("error_type", list(ErrorType))
def test_each_server_error_type_has_its_own_message(error_type: ErrorType) -> None:
    """Each of the 14 server error types maps to its own kind, title and message."""
    error = user_error_for(error_from_server(ServerError(error_type, "server text")))
    assert error.kind != AppErrorKind.INTERNAL
    assert error.title and error.message.endswith(".")
    assert "server text" in error.detail


def test_server_error_kinds_are_all_distinct() -> None:
    """No two server error types share a kind or a message."""
    errors = [user_error_for(error_from_server(ServerError(t, "x"))) for t in ErrorType]
    assert len({e.kind for e in errors}) == len(ErrorType)
    assert len({e.message for e in errors}) == len(ErrorType)


def test_auth_error_points_to_settings() -> None:
    """An auth error says the key was rejected and offers to open Settings."""
    error = user_error_for(error_from_server(ServerError(ErrorType.AUTH_ERROR, "bad key")))
    assert error.kind == ErrorType.AUTH_ERROR
    assert "API key was rejected" in error.message and "Open Settings" in error.message
    assert error.action == OPEN_SETTINGS and error.settings_field == "api_key"


CASES: list[tuple[BaseException, ErrorKind, str]] = [
    (HandshakeRejectedError("ws://h/x", 401), AppErrorKind.HANDSHAKE_REJECTED, "HTTP 401"),
    (HandshakeRejectedError("ws://h/x", 500), AppErrorKind.HANDSHAKE_REJECTED, "HTTP 500"),
    (TokenRejectedError("http://h/t", 401, "nope"), ErrorType.AUTH_ERROR, "single-use token"),
    (ConnectError("ws://h/x", "bad reply"), AppErrorKind.CONNECT_FAILED, "did not answer"),
    (ConnectionLostError(1006), AppErrorKind.CONNECTION_LOST, "lost"),
    (TokenMintError("http://h/t", "500"), AppErrorKind.TOKEN_MINT_FAILED, "token"),
    (CommitTimeoutError(10), AppErrorKind.COMMIT_TIMEOUT, "10 s"),
    (RedactionMissingError(2), AppErrorKind.REDACTION_MISSING, "2 committed segment(s)"),
    (LocalServerDiedError(-9, "boom"), AppErrorKind.LOCAL_SERVER_DIED, "restarted"),
    (LocalServerError("no start"), AppErrorKind.LOCAL_SERVER_FAILED, "could not be started"),
    (MicrophoneLostError("USB Mic"), AppErrorKind.MICROPHONE_LOST, "USB Mic"),
    (SecretsUnavailableError(), AppErrorKind.NO_KEYRING, "this run only"),
    (SecretsError("locked"), AppErrorKind.KEYRING_FAILED, "keyring"),
    (MissingApiKeyError("none"), AppErrorKind.NO_API_KEY, "API key"),
    (OptionsError("language code 'xx1' is bad"), AppErrorKind.INVALID_SETTINGS, "xx1"),
    (FileSourceError(Path("/a/b.xyz"), "unsupported format"), AppErrorKind.FILE_UNSUPPORTED,
     "b.xyz"),
    (FileTranscriptionError("timeout"), AppErrorKind.FILE_FAILED, "timeout"),
    (RuntimeError("bug"), AppErrorKind.INTERNAL, "log"),
]


@pytest.mark.parametrize(("exc", "kind", "needle"), CASES,
                         ids=[type(c[0]).__name__ + str(i) for i, c in enumerate(CASES)])
def test_app_and_transport_errors_map_to_their_message(exc: BaseException, kind: ErrorKind,
                                                       needle: str) -> None:
    """Transport, app and unexpected failures each map to their kind and a message."""
    error = user_error_for(exc)
    assert error.kind == kind
    assert needle in error.message


def test_auth_handshake_rejection_mentions_the_key() -> None:
    """A 401 at the upgrade tells the user to check the key in Settings."""
    error = user_error_for(HandshakeRejectedError("ws://h/x", 401))
    assert "key" in error.message and error.action == OPEN_SETTINGS
