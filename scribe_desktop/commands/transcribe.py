"""`scribe-desktop transcribe FILE`: transcribe an audio file and print the text or JSON.

The local backend (default) starts our own server unless `--server-url` names a running one;
the cloud backend uses the ElevenLabs API key from the keyring or `ELEVENLABS_API_KEY`.
Expected failures (file, connection, server errors, missing key) print one line to stderr and
exit non-zero; Ctrl+C stops cleanly with exit code 130. Heavy imports stay inside `run()`.

The session is recorded in the app's history (source "file"), unless `--no-history`;
`--history-path` names another database. A history that cannot be written is a warning only.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .secret_args import PrivateFileError, add_server_secret_arguments, server_secret

if TYPE_CHECKING:  # the real imports are inside run(): every command module builds the parser
    from ..audio.file_source import FileSource
    from ..core.backend_kind import BackendKind
    from ..session.file_transcription import (
        ChangeCallback,
        FileTranscription,
        ProgressCallback,
    )
    from ..session.journal import SessionJournal

EXIT_FAILED = 1  # the transcription failed (file, connection, server)
EXIT_USAGE = 2  # bad arguments or missing configuration (argparse uses 2 too)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
API_KEY_ENV = "ELEVENLABS_API_KEY"
SERVER_SECRET_ENV = "SCRIBE_DESKTOP_SERVER_SECRET"


def add_parser(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "transcribe",
        help="transcribe an audio file (WAV, FLAC, OGG, MP3)",
        description="Transcribe an audio file (WAV, FLAC, OGG or MP3) through the realtime "
        "protocol and print the transcript.",
    )
    p.add_argument("file", metavar="FILE", help="audio file to transcribe")
    p.add_argument("--backend", choices=("local", "cloud"), default="local",
                   help="local: the offline engine (default; starts its own server unless "
                   "--server-url is given); cloud: ElevenLabs, with the API key from the "
                   f"keyring or ${API_KEY_ENV}")
    p.add_argument("--server-url", metavar="URL",
                   help="base URL of a running server, e.g. http://127.0.0.1:8765 (local), or "
                   "a different API host (cloud)")
    add_server_secret_arguments(p)
    p.add_argument("--format", choices=("txt", "json", "srt", "vtt"), default="txt",
                   help="txt: the text (default); json: segments with start/end seconds and "
                   "words; srt, vtt: subtitles cued from the word timings")
    p.add_argument("-o", "--output", metavar="OUT", help="write the result here, not stdout")
    p.add_argument("--language", metavar="CODE",
                   help="ISO-639-1/3 language code (default: auto-detect)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (it is shown only when stderr is a terminal)")
    p.add_argument("--realtime", action="store_true",
                   help="stream at real-time pace instead of as fast as the server allows")
    add_history_arguments(p)


def add_history_arguments(p: argparse.ArgumentParser) -> None:
    """--no-history / --history-path (shared with `listen`)."""
    p.add_argument("--no-history", action="store_true",
                   help="do not record this session in the history")
    p.add_argument("--history-path", metavar="PATH",
                   help="the history database (default: the app's, in the user data "
                   "directory)")


def open_journal(args: argparse.Namespace, command: str) -> SessionJournal | None:
    """The journal recording this command's session; None with --no-history. A store that
    cannot be opened is a warning on stderr: the command still runs."""
    if args.no_history:
        return None
    from ..history import HistoryStore, default_history_path
    from ..session.journal import SessionJournal

    def warn(message: str) -> None:
        print(f"scribe-desktop {command}: warning: {message}", file=sys.stderr, flush=True)

    path = args.history_path or default_history_path()
    try:
        store = HistoryStore.open(path)
    except Exception as exc:  # a read-only or corrupt file never stops a transcription
        warn(f"not recording this session in the history ({path}: {exc})")
        return None
    return SessionJournal(store, on_warning=warn)


def close_journal(journal: SessionJournal | None) -> None:
    """Write what is queued, then close the store (blocks briefly; at the very end)."""
    if journal is not None:
        journal.close()
        if journal.store is not None:
            journal.store.close()


class UsageError(Exception):
    """Bad arguments or missing configuration; exits with EXIT_USAGE."""


def fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"scribe-desktop transcribe: error: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    import asyncio

    try:
        return asyncio.run(_main(args))
    except UsageError as exc:
        return fail(str(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        # asyncio.run cancelled our task, so the session and our server are already closed.
        print("scribe-desktop transcribe: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


async def _main(args: argparse.Namespace) -> int:
    import asyncio

    from ..audio.file_source import FileSourceError, open_file_source
    from ..client import ScribeError
    from ..core.backend_kind import BackendKind
    from ..export import SessionMeta, SessionSource, SessionStatus
    from ..protocol.options import DEFAULT_MODEL_ID, OptionsError
    from ..session.file_transcription import FileTranscriptionError

    backend = BackendKind(args.backend)
    if backend is BackendKind.CLOUD and (args.server_secret or args.server_secret_file):
        raise UsageError("--server-secret is for the local backend; the cloud backend uses "
                         f"the API key from the keyring or ${API_KEY_ENV}")
    journal = open_journal(args, "transcribe")
    record = None
    status = SessionStatus.FAILED
    result: FileTranscription | None = None
    try:
        # a bad file fails before any connection; this process owns its stderr, so
        # libmpg123's harmless warnings may be silenced
        source = open_file_source(args.file, quiet_decoder=True)
        if journal is not None:  # begun now: a crash leaves it "interrupted" in the history
            record = journal.begin(SessionMeta(
                source=SessionSource.FILE, backend=backend.value, model_id=DEFAULT_MODEL_ID,
                language_code=args.language, file=str(source.path.absolute())))
        with _progress_bar(args, source.duration_s) as on_progress:
            # each segment is recorded as it is committed: Ctrl+C or a crash keeps the text
            result = await _transcribe(args, backend, source, on_progress,
                                       record.record_change if record is not None else None)
        status = SessionStatus.COMPLETED
    except asyncio.CancelledError:  # Ctrl+C
        status = SessionStatus.CANCELLED
        raise
    except FileSourceError as exc:
        return fail(str(exc))
    except OptionsError as exc:
        raise UsageError(str(exc)) from None
    except ScribeError as exc:
        return fail(_describe_client_error(exc, backend, args))
    except FileTranscriptionError as exc:
        return fail(str(exc))
    except LocalServerStartError as exc:
        return fail(str(exc))
    finally:
        if record is not None:
            record.finish(status, duration_s=result.duration_s if result else None)
        close_journal(journal)
    return _write_result(args, result)


class LocalServerStartError(Exception):
    """Our own server did not start; the text says why."""


async def _transcribe(args: argparse.Namespace, backend: BackendKind, source: FileSource,
                      on_progress: ProgressCallback | None,
                      on_change: ChangeCallback | None = None) -> FileTranscription:
    from ..client import ApiKeyAuth, Endpoint
    from ..core.backend_kind import BackendKind
    from ..session.file_transcription import StreamPolicy, transcribe_file

    policy = StreamPolicy.realtime() if args.realtime else StreamPolicy()
    if backend is BackendKind.CLOUD:
        endpoint = Endpoint(base_url=args.server_url)
        auth = ApiKeyAuth(await _cloud_api_key())
    elif args.server_url:
        endpoint = Endpoint(base_url=args.server_url)
        try:
            auth = ApiKeyAuth(server_secret(args, "transcribe"))
        except PrivateFileError as exc:
            raise UsageError(str(exc)) from None
    else:
        from ..connect.server_process import LocalServerError, LocalServerProcess

        server = LocalServerProcess()
        try:
            await server.start()
        except (LocalServerError, OSError) as exc:
            lines = str(exc).strip().splitlines() or ["unknown error"]
            detail = lines[0] + (f" (last server output: {lines[-1].strip()})"
                                 if len(lines) > 1 else "")
            raise LocalServerStartError(f"cannot start the local server: {detail}") from None
        try:
            return await transcribe_file(
                source, endpoint=Endpoint(base_url=server.base_url),
                auth=ApiKeyAuth(server.secret), backend=backend, language_code=args.language,
                policy=policy, on_progress=on_progress, on_change=on_change)
        finally:
            await server.stop()
    return await transcribe_file(source, endpoint=endpoint, auth=auth, backend=backend,
                                 language_code=args.language, policy=policy,
                                 on_progress=on_progress, on_change=on_change)


async def _cloud_api_key() -> str:
    """$ELEVENLABS_API_KEY if set (an explicit override), else the key in the OS keyring."""
    import asyncio

    from ..connect.keyring_store import SecretsError, SecretsUnavailableError, get_api_key

    key = os.environ.get(API_KEY_ENV, "").strip()
    if key:
        return key
    why = "no API key is stored in the keyring"
    try:
        # the keyring may talk to D-Bus: keep the loop free
        stored = await asyncio.to_thread(get_api_key)
    except SecretsUnavailableError:
        stored, why = None, "no OS keyring is available"
    except SecretsError as exc:
        stored, why = None, str(exc)
    if stored:
        return stored
    raise UsageError(f"the cloud backend needs an ElevenLabs API key, and {why}: set "
                     f"{API_KEY_ENV}, save the key in the app's settings, or use "
                     "--backend local (offline, no key needed)")


def _describe_client_error(exc: Exception, backend: BackendKind, args: argparse.Namespace) -> str:
    """The same explanation the window shows, plus what the server said."""
    from ..client import ScribeServerError
    from ..session.user_errors import user_error_for

    message = user_error_for(exc).cli_message
    if isinstance(exc, ScribeServerError):
        return f"{message} (server: {exc.server_error.error_type.value}: {exc.message})"
    return f"{message} ({exc})"


@contextlib.contextmanager
def _progress_bar(args: argparse.Namespace, total_s: float | None,
                  ) -> Iterator[ProgressCallback | None]:
    """A tqdm bar of seconds sent, on stderr, only when stderr is a terminal."""
    if args.no_progress or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    total = round(total_s, 1) if total_s else None
    # A terminal that reports a 0x0 size (a fresh pty) would hide the bar: assume 80x24.
    size = shutil.get_terminal_size((0, 0))
    sized = size.columns > 0 and size.lines > 0
    with tqdm(total=total, unit="s", file=sys.stderr, leave=False, dynamic_ncols=sized,
              ncols=None if sized else 80, nrows=None if sized else 24,
              bar_format="{l_bar}{bar}| {n:.1f}/{total_fmt} s audio [{elapsed}<{remaining}]",
              desc="transcribing") as bar:
        def update(sent_s: float, _total: float | None) -> None:
            bar.update(round(sent_s, 1) - bar.n)

        yield update


def _write_result(args: argparse.Namespace, result: FileTranscription) -> int:
    """Render with the shared exporters (export/), so the CLI, File -> Export... and the
    history write the same TXT, SRT, VTT and JSON (schema in the README)."""
    from ..export import render

    rendered = render(result.export_session(), args.format)
    if rendered.warning:  # SRT cannot say in-band that its timing is approximate
        print(f"scribe-desktop transcribe: warning: {rendered.warning}", file=sys.stderr)
    text = rendered.text if rendered.text.endswith("\n") else rendered.text + "\n"
    if not args.output:
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        return fail(f"cannot write {args.output}: {exc.strerror or exc}")
    return 0
