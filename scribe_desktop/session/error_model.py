"""The vocabulary of the error table (`user_errors.py`): the kinds of failure, the one action
a dialog offers, an entry of the table and the `UserError` a window shows. No Qt, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..protocol.errors import ErrorType


class Action(StrEnum):
    """The one button a dialog offers besides closing."""

    OPEN_SETTINGS = "Open Settings"
    TRY_AGAIN = "Try again"
    SHOW_LOG = "Show log"
    GET_MODEL = "Get a speech model"


OPEN_SETTINGS, TRY_AGAIN, SHOW_LOG = Action.OPEN_SETTINGS, Action.TRY_AGAIN, Action.SHOW_LOG
GET_MODEL = Action.GET_MODEL


class AppErrorKind(StrEnum):
    """Kinds of failure other than a server error frame (those are their `ErrorType`)."""

    HANDSHAKE_REJECTED = "handshake_rejected"
    CONNECT_FAILED = "connect_failed"  # the server answered, but not as a WebSocket server
    NO_NETWORK = "no_network"
    HOST_NOT_FOUND = "host_not_found"
    CONNECTION_REFUSED = "connection_refused"
    TLS_FAILED = "tls_failed"
    TIMED_OUT = "timed_out"
    CONNECTION_LOST = "connection_lost"
    TOKEN_MINT_FAILED = "token_mint_failed"
    COMMIT_TIMEOUT = "commit_timeout"
    REDACTION_MISSING = "redaction_missing"
    LOCAL_SERVER_DIED = "local_server_died"
    LOCAL_SERVER_FAILED = "local_server_failed"
    MICROPHONE_LOST = "microphone_lost"
    MICROPHONE_BUSY = "microphone_busy"
    NO_KEYRING = "no_keyring"
    KEYRING_FAILED = "keyring_failed"
    NO_API_KEY = "no_api_key"
    INVALID_SETTINGS = "invalid_settings"
    UNSUPPORTED_LANGUAGE = "unsupported_language"
    FILE_UNSUPPORTED = "file_unsupported"
    FILE_FAILED = "file_failed"
    DISK_FULL = "disk_full"
    MODEL_MISSING = "model_missing"
    MODEL_FAILED = "model_failed"
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


INTERNAL = Entry(AppErrorKind.INTERNAL, "Unexpected error",
                 "Something went wrong inside the app; it keeps running.",
                 "The details are in the log file.", SHOW_LOG)
