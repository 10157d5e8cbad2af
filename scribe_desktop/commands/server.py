"""`scribe-desktop server`: the local Scribe-compatible server.

Prints one JSON "ready" line to stdout when listening (with the engine, model and languages it
runs); logs go to stderr.

Engines: `--engine auto` (the default) runs the best Whisper model installed in the model
store (`scribe-desktop models`) and falls back to pocketsphinx, whose model ships in the
wheel, when none is; `--engine whisper` runs `--model NAME` (from the store) or `--model-path
DIR` (any CTranslate2 Whisper model directory); `--engine pocketsphinx` always pocketsphinx.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..server.engines.base import Engine


def add_parser(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "server", help="run the local offline server (Scribe v2 Realtime protocol)",
        description="Serve the ElevenLabs Scribe v2 Realtime protocol locally with an offline "
                    "engine. Prints one JSON ready line to stdout once listening.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1; non-loopback needs "
                        "--allow-remote)")
    p.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow binding a non-loopback --host")
    secret = p.add_mutually_exclusive_group()
    secret.add_argument("--secret-file", default=None, metavar="PATH",
                        help="read the API key clients must present from PATH, a file only "
                        "you can read (chmod 600). The safe routes are this and the "
                        "environment variable SCRIBE_DESKTOP_SERVER_SECRET; without either, "
                        "a secret is generated and printed on the ready line")
    secret.add_argument("--secret", default=None,
                        help="the API key on the command line, where OTHER USERS CAN SEE IT "
                        "(ps); prefer --secret-file or SCRIBE_DESKTOP_SERVER_SECRET")
    p.add_argument("--no-auth", dest="auth", action="store_false",
                   help="accept connections without a key or token")
    p.add_argument("--allow-origin", dest="allow_origins", action="append", default=[],
                   metavar="ORIGIN", nargs="+",
                   help="browser Origin allowed to connect (repeatable; '*' allows all); "
                        "requests with any other Origin get HTTP 403")
    p.add_argument("--idle-timeout", type=float, default=15.0, metavar="S",
                   help="close a session with insufficient_audio_activity after S seconds "
                        "without audio (default 15)")
    p.add_argument("--max-chunk-seconds", type=float, default=2.0, metavar="S",
                   help="largest audio chunk accepted, in seconds (default 2.0)")
    p.add_argument("--auto-commit-seconds", type=float, default=90.0, metavar="S",
                   help="commit automatically after S seconds of uncommitted audio "
                        "(default 90)")
    p.add_argument("--max-sessions", type=int, default=None, metavar="N",
                   help="concurrent sessions before resource_exhausted (default: as many as "
                   "the CPU cores this process may use transcribe in real time with the "
                   "engine; N caps that)")
    p.add_argument("--session-cores", type=float, default=None, metavar="CORES",
                   help="CPU cores one real-time session needs, for the capacity (default: "
                   "measured for the engine; Whisper models other than tiny.en estimated "
                   "from their size)")
    p.add_argument("--handshake-timeout", type=float, default=5.0, metavar="S",
                   help="close a connection that has not completed its HTTP request or "
                   "WebSocket upgrade within S seconds; also the idle time allowed between "
                   "HTTP requests (default 5)")
    p.add_argument("--max-pending", type=int, default=256, metavar="N",
                   help="connections that are not an authenticated session, in all "
                   "(default 256; lowered to fit the open-file limit). Beyond it the "
                   "longest-idle one is closed")
    p.add_argument("--max-pending-per-peer", type=int, default=64, metavar="N",
                   help="the same, from one IP address (default 64)")
    p.add_argument("--lenient-commits", action="store_true",
                   help="pad short commits with silence instead of commit_throttled")
    p.add_argument("--engine", choices=["auto", *ENGINES], default="auto",
                   help="offline engine: auto (default) is the best installed Whisper "
                   "model, else pocketsphinx (no download needed); whisper needs --model or "
                   "--model-path")
    p.add_argument("--model-path", default=None, metavar="DIR",
                   help="whisper: directory of a CTranslate2 Whisper model (model.bin, "
                        "config.json, tokenizer.json); never downloaded")
    p.add_argument("--model", default=None, metavar="NAME",
                   help="whisper: a model of the model store, by name (instead of "
                        "--model-path)")
    p.add_argument("--engine-workers", type=int, default=None, metavar="N",
                   help="decode in N worker processes (default: pocketsphinx one per CPU, "
                        "whisper one per 4 CPUs, sharing them); 0 decodes in the server "
                        "process itself")
    p.add_argument("--decode-lanes", type=int, default=None, metavar="N",
                   help="whisper: decodes each worker runs at once, sharing its model "
                        "(default 2: a commit's final never waits behind a partial decode)")
    p.add_argument("--beam-size", type=int, default=None, metavar="N",
                   help="whisper: beams of a commit's final decode (default 1: greedy, the "
                        "fastest; 5 is Whisper's own default, slower, sometimes more "
                        "accurate); partials are always greedy")
    p.add_argument("--exit-with-parent", action="store_true",
                   help="shut down when standard input reaches end of file: a parent that "
                   "keeps a pipe open on our stdin takes the server down with it even when "
                   "it is SIGKILLed (no orphaned servers)")
    p.add_argument("--ready-file", default=None, metavar="PATH",
                   help="also write the ready JSON line (it holds the secret) to PATH: a new "
                   "0600 file moved into place, never through a symlink; refused in a "
                   "directory every user may write to without the sticky bit")
    p.add_argument("--log-level", default="INFO",
                   choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="stderr log level")


ENGINES = ("pocketsphinx", "whisper")
DEFAULT_LANES = 2
ModelResolver = Callable[[str], "str | os.PathLike[str]"]


@dataclass(frozen=True)
class EngineChoice:
    """Which engine to load and how (from the flags)."""

    name: str
    workers: int  # 0: in the server process
    model_dir: str | None = None
    model_name: str | None = None
    lanes: int = 1  # decodes at once per worker (whisper)
    beam_size: int = 1  # beams of a final decode (whisper)

    @property
    def decoders(self) -> int:
        """Decodes the engine runs at once (the decode gate's slots)."""
        return max(1, self.workers) * self.lanes


def choose_engine(args: argparse.Namespace, model_resolver: ModelResolver | None
                  ) -> EngineChoice:
    """The engine the flags ask for; ConfigError (exit 2) when they cannot work."""
    from ..server.capacity import usable_cores
    from ..server.config import ConfigError

    workers: int | None = args.engine_workers
    if workers is not None and workers < 0:
        raise ConfigError(f"--engine-workers must be 0 or more, got {workers}")
    lanes: int | None = getattr(args, "decode_lanes", None)
    if lanes is not None and lanes < 1:
        raise ConfigError(f"--decode-lanes must be 1 or more, got {lanes}")
    beams: int | None = getattr(args, "beam_size", None)
    if beams is not None and beams < 1:
        raise ConfigError(f"--beam-size must be 1 or more, got {beams}")
    engine = args.engine
    if engine == "auto":
        engine = "whisper" if args.model or args.model_path else _auto_engine(args)
    if engine == "pocketsphinx":
        if args.model_path or args.model:
            raise ConfigError("--model-path and --model are for --engine whisper; "
                              "pocketsphinx uses the model in its wheel")
        if lanes is not None or beams is not None:
            raise ConfigError("--decode-lanes and --beam-size are for --engine whisper; "
                              "pocketsphinx decodes one session per worker, in its own way")
        # pocketsphinx holds the GIL while decoding: one process per core decodes in parallel
        return EngineChoice("pocketsphinx", usable_cores() if workers is None else workers)
    from ..server.engines.whisper_decoder import FINAL_BEAM_SIZE, ModelDirError, check_model_dir

    if args.model_path and args.model:
        raise ConfigError("give either --model-path or --model, not both")
    if engine == "whisper" and not (args.model or args.model_path):
        args.model = _auto_model(args)  # `--engine whisper` alone: the best installed model
    name: str | None = None
    if args.model:
        if model_resolver is None:
            raise ConfigError("--model NAME needs the model store, which this build does not "
                              "have; pass --model-path DIR instead")
        name = args.model
        path: str | os.PathLike[str] = model_resolver(args.model)
    elif args.model_path:
        path = args.model_path
    else:
        raise ConfigError("--engine whisper needs --model-path DIR (a CTranslate2 Whisper "
                          "model directory) or --model NAME: no Whisper model is installed "
                          "(`scribe-desktop models download tiny.en` or `models import DIR "
                          "--name NAME` installs one)")
    try:
        directory = check_model_dir(path)
    except ModelDirError as exc:
        raise ConfigError(str(exc)) from None
    # one worker per 4 cores, each decoding in DEFAULT_LANES lanes that share its model and
    # the cores: a commit's final never queues behind a partial decode (docs/architecture.md)
    default = max(1, usable_cores() // 4)
    return EngineChoice("whisper", default if workers is None else workers, str(directory),
                        name, DEFAULT_LANES if lanes is None else lanes,
                        FINAL_BEAM_SIZE if beams is None else beams)


def _auto_model(args: argparse.Namespace) -> str | None:
    """The best installed model of the store for the language asked for (English when none
    is), or None."""
    from ..models import ModelStore

    try:
        best = ModelStore().best_installed(getattr(args, "language", None) or "en")
    except OSError:
        return None  # an unreadable store: the zero-download engine still works
    return None if best is None else best.name


def _auto_engine(args: argparse.Namespace) -> str:
    return "whisper" if _auto_model(args) is not None else "pocketsphinx"


def store_resolver(name: str) -> str | os.PathLike[str]:
    """`--model NAME` -> the model's directory in the store (ConfigError when not there)."""
    from ..models import ModelsError, ModelStore
    from ..server.config import ConfigError

    try:
        return ModelStore().path(name)
    except ModelsError as exc:
        raise ConfigError(f"{exc} (see `scribe-desktop models list`)") from None


def load_engine_choice(choice: EngineChoice) -> Engine:
    """Load the chosen engine (blocking; the model is loaded before the server is ready)."""
    import functools

    from ..server.engines.pocketsphinx_engine import load_engine
    from ..server.engines.process_host import ProcessEngine

    if choice.name == "pocketsphinx":
        if choice.workers == 0:
            return load_engine()
        hosted = ProcessEngine(load_engine, workers=choice.workers, name="pocketsphinx")
        hosted.start()  # closes the workers itself if it fails
        return hosted
    from ..server.capacity import usable_cores
    from ..server.engines.whisper_decoder import load_decoder
    from ..server.engines.whisper_engine import WhisperEngine

    assert choice.model_dir is not None
    # the workers' lanes share the cores this process may use (its affinity), as CTranslate2
    # threads
    threads = max(1, usable_cores() // choice.decoders)
    factory = functools.partial(load_decoder, choice.model_dir, choice.model_name, threads,
                                choice.lanes, choice.beam_size)
    if choice.workers == 0:
        return WhisperEngine(factory())
    pool = ProcessEngine(factory, workers=choice.workers, name="whisper")
    pool.start()
    return WhisperEngine(pool)


def run(args: argparse.Namespace, model_resolver: ModelResolver | None = None) -> int:
    """Run the server. `model_resolver` maps `--model NAME` to a model directory (default:
    the model store); it may raise ConfigError with a message for the user."""
    model_resolver = model_resolver or store_resolver
    import asyncio
    import json
    import logging
    import signal
    import sys

    from ..paths.secret_files import PrivateFileError, read_secret_file, write_private_file
    from ..server.app import serve
    from ..server.capacity import Capacity
    from ..server.config import SECRET_ENV, ConfigError, ServerConfig, generate_secret
    from ..server.engines.process_host import RemoteEngineError, WorkerDiedError
    from ..server.log_limits import RepeatFilter

    logging.basicConfig(stream=sys.stderr, level=args.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    repeats = RepeatFilter()  # a failure repeating in a loop must not flood the log
    for handler in logging.getLogger().handlers:
        handler.addFilter(repeats)
    log = logging.getLogger("scribe_desktop.server")
    origins = frozenset(o for group in args.allow_origins for o in group)
    try:
        if args.secret:
            log.warning("--secret puts the secret on the command line, where other users of "
                        "this machine can read it (ps, /proc); use --secret-file or %s",
                        SECRET_ENV)
            secret = args.secret
        elif args.secret_file:
            secret = read_secret_file(args.secret_file, option="--secret-file")
        else:
            secret = os.environ.get(SECRET_ENV) or generate_secret()
    except PrivateFileError as exc:
        print(f"scribe-desktop server: error: {exc}", file=sys.stderr)
        return 2
    try:
        config = ServerConfig(
            secret=secret, host=args.host, port=args.port, auth=args.auth,
            allow_remote=args.allow_remote, allowed_origins=origins,
            idle_timeout_s=args.idle_timeout, max_chunk_s=args.max_chunk_seconds,
            auto_commit_s=args.auto_commit_seconds, lenient_commits=args.lenient_commits,
            max_sessions=args.max_sessions, session_cores=args.session_cores,
            handshake_timeout_s=args.handshake_timeout,
            max_pending=args.max_pending, max_pending_per_peer=args.max_pending_per_peer,
        ).validate()
        choice = choose_engine(args, model_resolver)
    except ConfigError as exc:
        print(f"scribe-desktop server: error: {exc}", file=sys.stderr)
        return 2

    def on_ready(event: dict[str, Any]) -> None:
        line = json.dumps(event)
        if args.ready_file:
            write_private_file(args.ready_file, line + "\n")
        print(line, flush=True)
        logging.getLogger("scribe_desktop.server").info(
            "listening on %s (auth %s; engine %s, model %s)", event["base_url"],
            "on" if config.auth else "off", event.get("engine"), event.get("model"))

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        if args.exit_with_parent:
            watch_stdin_eof(loop, stop.set)
        # the ready line means "can transcribe now": the model is loaded before serving
        engine = await asyncio.to_thread(load_engine_choice, choice)
        capacity = Capacity.for_engine(engine.info, model_dir=choice.model_dir,
                                       session_cores=config.session_cores,
                                       max_sessions=config.max_sessions)
        try:
            await serve(config, engine, on_ready=on_ready, stop=stop, capacity=capacity,
                        decoders=choice.decoders)
        finally:
            await asyncio.to_thread(engine.close)  # stops the workers: no orphans

    try:
        asyncio.run(main())
    except PrivateFileError as exc:  # the ready file
        print(f"scribe-desktop server: error: {exc}", file=sys.stderr)
        return 1
    except (WorkerDiedError, RemoteEngineError) as exc:
        print(f"scribe-desktop server: error: the engine could not start: {exc}",
              file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"scribe-desktop server: error: cannot listen on {args.host}:{args.port}: "
              f"{exc}", file=sys.stderr)
        return 1
    finally:
        repeats.flush(log)
    return 0


def watch_stdin_eof(loop: asyncio.AbstractEventLoop, on_eof: Callable[[], None]) -> None:
    """Call `on_eof` on the loop once stdin is at end of file (the parent closed its end of
    the pipe or died). A daemon thread blocks on the read, so nothing polls."""
    import threading

    def wait() -> None:
        # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader aborts the
        # interpreter at exit ("could not acquire lock for <stdin>").
        with contextlib.suppress(OSError):
            while os.read(0, 4096):
                pass  # the parent never writes; anything it sends is ignored
        with contextlib.suppress(RuntimeError):  # the loop may already be closed
            loop.call_soon_threadsafe(on_eof)

    threading.Thread(target=wait, name="stdin-eof-watch", daemon=True).start()
