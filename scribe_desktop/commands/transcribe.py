"""`scribe-desktop transcribe FILE`: transcribe an audio file and print the text or JSON.

The local backend (default) starts our own server unless `--server-url` names a running one;
the cloud backend uses the ElevenLabs API key from the keyring or `ELEVENLABS_API_KEY`.
A dropped connection, or a local server that dies, is continued where the file was (the
stream is a `session.resilient.ResilientSession`; stderr says so). Expected failures (file,
connection, server errors, missing key) print one line to stderr and exit non-zero; what was
committed before a failure is still written, and the message says the transcript is
incomplete. Ctrl+C stops cleanly with exit code 130. Heavy imports stay inside `run()`.

The session is recorded in the app's history (source "file"), unless `--no-history`;
`--history-path` names another database. A history that cannot be written is a warning only.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cli_backend import UsageError, add_backend_arguments
from .secret_args import add_server_secret_arguments

if TYPE_CHECKING:  # the real imports are inside run(): every command module builds the parser
    from ..session.file_transcription import FileTranscription, ProgressCallback
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
    add_backend_arguments(p)
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
    from ..connect import LocalServerError
    from ..core.backend_kind import BackendKind
    from ..core.redaction import Redactor
    from ..export import SessionMeta, SessionSource, SessionStatus
    from ..protocol.options import DEFAULT_MODEL_ID, OptionsError
    from ..session.file_transcription import (
        FileTranscription,
        StreamPolicy,
        TranscriptionIncomplete,
        transcribe_file,
    )
    from .cli_backend import describe_error, note, open_backend, status_line

    kind = BackendKind(args.backend)
    redactor = Redactor()
    journal = open_journal(args, "transcribe")
    record = None
    status = SessionStatus.FAILED
    result: FileTranscription | None = None
    backend = None
    try:
        # a bad file fails before any connection; this process owns its stderr, so
        # libmpg123's harmless warnings may be silenced
        source = open_file_source(args.file, quiet_decoder=True)
        backend = await open_backend(args, "transcribe", redactor)
        if journal is not None:  # begun now: a crash leaves it "interrupted" in the history
            record = journal.begin(SessionMeta(
                source=SessionSource.FILE, backend=kind.value, model_id=DEFAULT_MODEL_ID,
                language_code=args.language, file=str(source.path.absolute())))
        policy = StreamPolicy.realtime() if args.realtime else StreamPolicy()
        with _progress_bar(args, source.duration_s) as on_progress:
            # each segment is recorded as it is committed: Ctrl+C or a crash keeps the text
            result = await transcribe_file(
                source, backend=backend, kind=kind, language_code=args.language,
                policy=policy, on_progress=on_progress,
                on_change=record.record_change if record is not None else None,
                on_status=lambda event: note("transcribe", status_line(event, redactor)))
        status = SessionStatus.COMPLETED
    except asyncio.CancelledError:  # Ctrl+C
        status = SessionStatus.CANCELLED
        raise
    except FileSourceError as exc:
        return fail(str(exc))
    except OptionsError as exc:
        raise UsageError(str(exc)) from None
    except TranscriptionIncomplete as exc:
        # what was committed is never thrown away: write it, then say it is incomplete
        partial = FileTranscription(file=source.path, duration_s=source.seconds_done,
                                    backend=kind, transcript=exc.transcript,
                                    language_code=args.language)
        _write_result(args, partial)
        return fail("the transcript is incomplete: " + describe_error(exc.cause, redactor))
    except ScribeError as exc:
        return fail(describe_error(exc, redactor))
    except LocalServerError as exc:
        return fail(redactor(str(exc)))
    finally:
        if record is not None:
            record.finish(status, duration_s=result.duration_s if result else None)
        close_journal(journal)
        if backend is not None:
            await backend.aclose()
    return _write_result(args, result)


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
