"""The secret of a running local server, for the client commands (`transcribe`, `listen`).

Safe routes: `--server-secret-file PATH` (a private file) or $SCRIBE_DESKTOP_SERVER_SECRET.
`--server-secret S` still works, but any user of the machine can read a command line
(`ps`, /proc/PID/cmdline), so using it prints a warning.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..paths.secret_files import PrivateFileError, read_secret_file

SERVER_SECRET_ENV = "SCRIBE_DESKTOP_SERVER_SECRET"


def add_server_secret_arguments(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--server-secret-file", metavar="PATH",
                       help="read the secret of the server at --server-url from PATH, a file "
                       "only you can read (chmod 600). The safe routes are this and "
                       f"${SERVER_SECRET_ENV}")
    group.add_argument("--server-secret", metavar="S",
                       help="the secret on the command line, where OTHER USERS CAN SEE IT "
                       f"(ps); prefer --server-secret-file or ${SERVER_SECRET_ENV}")


def server_secret(args: argparse.Namespace, command: str) -> str:
    """--server-secret, else --server-secret-file, else the environment, else "".

    Raises `PrivateFileError` for a file that is missing or readable by others."""
    if args.server_secret:
        print(f"scribe-desktop {command}: warning: --server-secret is visible to other users "
              "of this machine (ps, /proc); use --server-secret-file or "
              f"${SERVER_SECRET_ENV} instead", file=sys.stderr, flush=True)
        return str(args.server_secret)
    if args.server_secret_file:
        return read_secret_file(args.server_secret_file, option="--server-secret-file")
    return os.environ.get(SERVER_SECRET_ENV, "")


__all__ = ["SERVER_SECRET_ENV", "PrivateFileError", "add_server_secret_arguments",
           "server_secret"]
