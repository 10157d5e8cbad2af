"""What `transcribe` and `listen` share: where to connect (the same backends as the app: the
local server child, restarted if it dies; a server at `--server-url`; the cloud with the key
or single-use tokens), how failures and reconnects are told on stderr, and the redactor that
keeps secrets out of every line printed."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import TYPE_CHECKING

from ..core.redaction import Redactor

if TYPE_CHECKING:  # the parser is built on every start: the client loads only when used
    from ..connect import Backend
    from ..session.resilient import Reconnected, Reconnecting

API_KEY_ENV = "ELEVENLABS_API_KEY"


class UsageError(Exception):
    """Bad arguments or missing configuration; exits with EXIT_USAGE."""


def add_backend_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=("local", "cloud"), default="local",
                   help="local: the offline engine in its own server process (default); "
                   f"cloud: ElevenLabs with the API key from the keyring or ${API_KEY_ENV}")
    p.add_argument("--engine", choices=("auto", "whisper", "pocketsphinx"), default="auto",
                   help="local: the offline engine; auto (default) is the best Whisper model "
                   "installed (scribe-desktop models), else pocketsphinx")
    p.add_argument("--model", metavar="NAME", default="",
                   help="local: the Whisper model to use, by name (default: the best "
                   "installed)")
    p.add_argument("--single-use-tokens", action="store_true",
                   help="cloud: send a single-use token minted from the key on each "
                   "connection instead of the key itself (as the app does by default)")


async def cloud_api_key() -> str:
    """$ELEVENLABS_API_KEY if set (an explicit override), else the key in the OS keyring."""
    from ..connect.keyring_store import SecretsError, SecretsUnavailableError, get_api_key

    key = os.environ.get(API_KEY_ENV, "").strip()
    if key:
        return key
    why = "no API key is stored in the keyring"
    try:
        stored = await asyncio.to_thread(get_api_key)  # the keyring may talk to D-Bus
    except SecretsUnavailableError:
        stored, why = None, "no OS keyring is available"
    except SecretsError as exc:
        stored, why = None, str(exc)
    if stored:
        return stored
    raise UsageError(f"the cloud backend needs an ElevenLabs API key, and {why}: set "
                     f"{API_KEY_ENV}, save the key in the app's settings, or use "
                     "--backend local (offline, no key needed)")


async def open_backend(args: argparse.Namespace, command: str,
                       redactor: Redactor) -> Backend:
    """The backend `args` ask for, ready to connect; its secrets are added to `redactor`.
    Raises `UsageError` for bad arguments and `LocalServerError` when our server won't start."""
    from ..client import ApiKeyAuth, Auth, Endpoint, TokenAuth
    from ..connect import FixedBackend, LocalBackend, LocalServerError
    from ..core.backend_kind import BackendKind
    from ..paths.secret_files import PrivateFileError
    from .secret_args import server_secret

    kind = BackendKind(args.backend)
    if kind is BackendKind.CLOUD:
        if getattr(args, "server_secret", None) or getattr(args, "server_secret_file", None):
            raise UsageError("--server-secret is for the local backend; the cloud backend "
                             f"uses the API key from the keyring or ${API_KEY_ENV}")
        key = await cloud_api_key()
        redactor.add(key)
        auth: Auth = TokenAuth(key) if args.single_use_tokens else ApiKeyAuth(key)
        return FixedBackend(Endpoint(base_url=args.server_url), auth, label="ElevenLabs")
    if args.server_url:
        try:
            secret = server_secret(args, command)
        except PrivateFileError as exc:
            raise UsageError(str(exc)) from None
        redactor.add(secret)
        return FixedBackend(Endpoint(base_url=args.server_url), ApiKeyAuth(secret))
    from ..core.backend_kind import LocalEngine, local_server_args

    backend = LocalBackend(*local_server_args(LocalEngine(args.engine), args.model))
    try:
        await backend.start()
    except (LocalServerError, OSError) as exc:
        await backend.aclose()
        lines = str(exc).strip().splitlines() or ["unknown error"]
        detail = lines[0] + (f" (last server output: {lines[-1].strip()})"
                             if len(lines) > 1 else "")
        raise LocalServerError(f"cannot start the local server: {detail}") from None
    if backend.server is not None:
        redactor.add(backend.server.secret)
    return backend


def describe_error(exc: BaseException, redactor: Redactor) -> str:
    """The explanation the window shows, plus what the server said, secrets redacted."""
    from ..client import ScribeServerError
    from ..session.user_errors import user_error_for

    message = user_error_for(exc).cli_message
    if isinstance(exc, ScribeServerError):
        detail = f"server: {exc.server_error.error_type.value}: {exc.message}"
    else:
        detail = str(exc)
    return redactor(f"{message} ({detail})")


def status_line(event: Reconnecting | Reconnected, redactor: Redactor) -> str:
    """A line for stderr about a reconnect."""
    from ..session.resilient import Reconnecting

    if isinstance(event, Reconnecting):
        return redactor(f"connection lost ({event.error}); reconnecting (attempt "
                        f"{event.attempt}, {event.buffered_s:.1f} s of audio buffered)")
    return f"reconnected; replayed {event.replayed_s:.1f} s of audio"


def note(command: str, message: str) -> None:
    print(f"scribe-desktop {command}: {message}", file=sys.stderr, flush=True)
