"""Files that hold a secret: read one safely, write one safely. Stdlib only.

Writing (the server's --ready-file, which carries the secret): the text goes to a new file
created with O_EXCL and mode 0600 in the target's directory, then `os.replace()` puts it in
place. A symlink planted at the target is replaced, never followed; a file someone else holds
open keeps its old content and never sees the secret; readers see the old file or the whole
new one. A directory that others may write to without the sticky bit (mode o+w, no +t) is
refused: anyone could swap the file between our write and the reader's open. World-writable
directories with the sticky bit (/tmp) are accepted: there others cannot remove or rename
our file, and the O_EXCL temporary name cannot be pre-empted into a symlink.

Reading (--secret-file, --server-secret-file): the file must not be readable by group or
others, as ssh does for private keys; the text is stripped of surrounding whitespace.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

MAX_SECRET_BYTES = 4096


class PrivateFileError(Exception):
    """A secret file that cannot be used safely; the text says why and how to fix it."""


def write_private_file(path: str | os.PathLike[str], text: str) -> Path:
    """Atomically replace `path` with a new 0600 file holding `text`; returns the path."""
    target = Path(path)
    directory = target.parent
    try:
        info = directory.stat()
    except OSError as exc:
        raise PrivateFileError(f"cannot write {target}: its directory is not usable "
                               f"({exc.strerror or exc})") from None
    if info.st_mode & stat.S_IWOTH and not info.st_mode & stat.S_ISVTX:
        raise PrivateFileError(
            f"refusing to write {target}: its directory {directory} is writable by every "
            "user and not sticky, so another user could replace the file. Use a private "
            "directory (for example under $XDG_RUNTIME_DIR).")
    if target.is_dir() and not target.is_symlink():
        raise PrivateFileError(f"cannot write {target}: it is a directory")
    tmp = directory / f".{target.name}.{secrets.token_hex(8)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) \
        | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:
        raise PrivateFileError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.fchmod(f.fileno(), 0o600)  # whatever the umask made of it
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise PrivateFileError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


def read_secret_file(path: str | os.PathLike[str], *, option: str) -> str:
    """The secret stored in `path`; `option` names the flag in error texts."""
    source = Path(path)
    try:
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise PrivateFileError(f"{option} {source}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())  # the file actually opened, not a name swapped since
        if not stat.S_ISREG(info.st_mode):
            raise PrivateFileError(f"{option} {source}: not a regular file")
        if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise PrivateFileError(
                f"{option} {source}: the file is accessible to other users (mode "
                f"{stat.S_IMODE(info.st_mode):04o}); a secret file must be private. Run: "
                f"chmod 600 {source}")
        data = f.read(MAX_SECRET_BYTES + 1)
    if len(data) > MAX_SECRET_BYTES:
        raise PrivateFileError(f"{option} {source}: larger than {MAX_SECRET_BYTES} bytes; "
                               "it should hold the secret only")
    try:
        secret = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise PrivateFileError(f"{option} {source}: not UTF-8 text") from None
    if not secret:
        raise PrivateFileError(f"{option} {source}: the file is empty")
    return secret
