"""Private by default on disk: directories 0700, files 0600, whatever the umask.

The history holds everything the user dictated and the logs name their files; on a shared
machine other users must not read them. Every place that creates such a file goes through
here: `private_dir` makes (or tightens) its directory, `create_private_file` makes the file
0600 before anything is written to it (SQLite then gives its WAL and SHM files the same mode),
`open_private_append` opens kept audio, and `tighten` fixes what an older version created.
POSIX only; on Windows the user profile's ACLs already keep these files private.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

DIR_MODE = 0o700
FILE_MODE = 0o600
_POSIX = os.name == "posix"


def private_dir(path: str | os.PathLike[str], *, own: bool = False) -> Path:
    """Create `path` (and missing parents) as 0700. An existing directory is tightened only
    when it is the app's `own` (never a folder the user pointed at, such as /tmp)."""
    p = Path(path)
    existed = p.is_dir()
    p.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if _POSIX and (own or not existed):
        with contextlib.suppress(OSError):  # not ours to change (e.g. a shared mount)
            if stat.S_IMODE(p.stat().st_mode) & 0o077:
                p.chmod(DIR_MODE)
    return p


def create_private_file(path: str | os.PathLike[str]) -> Path:
    """Make sure `path` exists as a 0600 file (created empty if missing, tightened if not)."""
    p = Path(path)
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        if _POSIX:
            os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return p


def open_private_append(path: str | os.PathLike[str]) -> BinaryIO:
    """`open(path, "ab")`, but a new file is created 0600."""
    create_private_file(path)
    return Path(path).open("ab")


def tighten(path: str | os.PathLike[str]) -> None:
    """Make an existing file 0600 or directory 0700 (and, for a directory, everything in it:
    call it on the app's own directories only). Files that are not ours are left alone."""
    if not _POSIX:
        return
    p = Path(path)
    if not p.exists():
        return
    items = [p, *p.rglob("*")] if p.is_dir() else [p]
    for item in items:
        with contextlib.suppress(OSError):
            if item.is_symlink():
                continue
            mode = DIR_MODE if item.is_dir() else FILE_MODE
            if stat.S_IMODE(item.stat().st_mode) & 0o077:
                item.chmod(mode)
