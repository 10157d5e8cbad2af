"""The real server app with its pocketsphinx engine held to the fault scripts' vocabulary, as
a process of its own (so a scenario can SIGKILL it): `python -m tests.faults.grammar_server
--port P [--auto-commit-seconds S]`, secret from SCRIBE_DESKTOP_SERVER_SECRET; prints the
server's ready event as one JSON line on stdout, serves until SIGTERM or stdin closes."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

from scribe_desktop.server.app import serve
from scribe_desktop.server.config import SECRET_ENV, ServerConfig
from scribe_desktop.server.engines.pocketsphinx_engine import PocketsphinxEngine
from tests.faults.script import GRAMMAR


def engine(workdir: Path) -> PocketsphinxEngine:
    grammar = workdir / "words.jsgf"
    grammar.write_text(GRAMMAR)
    built = PocketsphinxEngine(decoder_options={"jsgf": str(grammar), "lm": None})
    built.preload()
    return built


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)

    def watch_parent() -> None:  # the test run's end (or its death) closes our stdin
        sys.stdin.buffer.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=watch_parent, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        built = engine(Path(tmp))
        config = ServerConfig(secret=os.environ[SECRET_ENV], port=args.port,
                              auto_commit_s=args.auto_commit_seconds,
                              idle_timeout_s=args.idle_timeout).validate()
        try:
            await serve(config, built, stop=stop,
                        on_ready=lambda ev: print(json.dumps(ev), flush=True))
        finally:
            built.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--auto-commit-seconds", type=float, default=90.0)
    parser.add_argument("--idle-timeout", type=float, default=15.0)
    asyncio.run(main(parser.parse_args()))
