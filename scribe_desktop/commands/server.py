"""`scribe-desktop server`: the local Scribe-compatible server (agreed interface 1).

Prints one JSON "ready" line to stdout when listening; logs go to stderr.
"""

from __future__ import annotations

import argparse
from typing import Any


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
    p.add_argument("--secret", default=None,
                   help="the API key clients must present (default: env "
                        "SCRIBE_DESKTOP_SERVER_SECRET, else generated)")
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
    p.add_argument("--max-sessions", type=int, default=8, metavar="N",
                   help="concurrent sessions before resource_exhausted (default 8)")
    p.add_argument("--lenient-commits", action="store_true",
                   help="pad short commits with silence instead of commit_throttled")
    p.add_argument("--ready-file", default=None, metavar="PATH",
                   help="also write the ready JSON line to PATH (mode 0600)")
    p.add_argument("--log-level", default="INFO",
                   choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="stderr log level")


def run(args: argparse.Namespace) -> int:
    import asyncio
    import json
    import logging
    import os
    import signal
    import sys
    from pathlib import Path

    from ..server.app import serve
    from ..server.config import SECRET_ENV, ConfigError, ServerConfig, generate_secret
    from ..server.engines.pocketsphinx_engine import PocketsphinxEngine

    logging.basicConfig(stream=sys.stderr, level=args.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    origins = frozenset(o for group in args.allow_origins for o in group)
    secret = args.secret or os.environ.get(SECRET_ENV) or generate_secret()
    try:
        config = ServerConfig(
            secret=secret, host=args.host, port=args.port, auth=args.auth,
            allow_remote=args.allow_remote, allowed_origins=origins,
            idle_timeout_s=args.idle_timeout, max_chunk_s=args.max_chunk_seconds,
            auto_commit_s=args.auto_commit_seconds, lenient_commits=args.lenient_commits,
            max_sessions=args.max_sessions,
        ).validate()
    except ConfigError as exc:
        print(f"scribe-desktop server: error: {exc}", file=sys.stderr)
        return 2

    def on_ready(event: dict[str, Any]) -> None:
        line = json.dumps(event)
        if args.ready_file:
            path = Path(args.ready_file)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(line + "\n")
            path.chmod(0o600)  # an existing file keeps its old mode otherwise
        print(line, flush=True)
        logging.getLogger("scribe_desktop.server").info(
            "listening on %s (auth %s)", event["base_url"], "on" if config.auth else "off")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        engine = PocketsphinxEngine()
        await asyncio.to_thread(engine.preload)  # the ready line means "can transcribe now"
        try:
            await serve(config, engine, on_ready=on_ready, stop=stop)
        finally:
            engine.close()

    try:
        asyncio.run(main())
    except OSError as exc:
        print(f"scribe-desktop server: error: cannot listen on {args.host}:{args.port}: "
              f"{exc}", file=sys.stderr)
        return 1
    return 0
