"""`scribe-desktop` entry point: argv dispatch to subcommands (composition layer).

Each subcommand lives in `scribe_desktop.commands.<name>` and exposes
`add_parser(subparsers) -> None` and `run(args) -> int`; modules are imported lazily so that
`scribe-desktop server` never pays for (or needs) what other commands import.

With no subcommand the desktop app opens (`scribe_desktop.app.desktop`, imported only then);
`--toggle | --start | --stop` drive an already running app instead (single instance);
with `--insert` the text goes into the focused app as with the push-to-talk hotkey.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__

COMMANDS = ("server", "transcribe", "listen", "models", "config")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scribe-desktop",
        description="Desktop dictation over the ElevenLabs Scribe v2 Realtime protocol.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    remote = parser.add_mutually_exclusive_group()
    for flag, text in (("toggle", "start or stop dictation"), ("start", "start dictation"),
                       ("stop", "stop dictation (the last words are committed)")):
        remote.add_argument(f"--{flag}", dest="remote", action="store_const", const=flag,
                            help=f"in the running app: {text}; fails if none runs")
    parser.add_argument("--insert", action="store_true",
                        help="with --start/--stop/--toggle: the text goes into the focused "
                        "app, exactly as with the push-to-talk hotkey")
    parser.add_argument("--print-ready", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--self-check", action="store_true",
                        help="check that every backend, the keyring, the audio devices and the "
                        "offline engine work here (also inside the bundle); exit 1 if "
                        "something required is missing")
    # Its own dest: subcommands (listen) have a --json of their own in the same namespace.
    parser.add_argument("--json", dest="self_check_json", action="store_true",
                        help="with --self-check: print the report as JSON")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"scribe_desktop.commands.{name}")
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_check_json and not args.self_check:
        parser.error("--json goes with --self-check")
    if args.insert and args.remote is None:
        parser.error("--insert goes with --start, --stop or --toggle")
    if args.self_check:
        from .app.self_check import main as self_check

        return self_check(as_json=args.self_check_json)
    if args.command is None:
        from .app.desktop import run_app  # Qt is imported only for the GUI

        return run_app(remote=args.remote, print_ready=args.print_ready, insert=args.insert)
    module = importlib.import_module(f"scribe_desktop.commands.{args.command}")
    code: int = module.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
