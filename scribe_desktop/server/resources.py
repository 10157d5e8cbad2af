"""The open-file budget of the server process: raise the soft limit, size the caps from it.

Each connection holds a file descriptor. Many desktop sessions start with a soft
RLIMIT_NOFILE of 1,024 while the hard limit allows far more; raising the soft limit to the
hard one at start costs nothing and postpones EMFILE. The connection caps are then sized to
leave room for sessions, engine workers and the files the process already holds.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# files kept free for everything but pending connections: logs, engine worker pipes,
# model files, DNS, the listening socket...
RESERVED_FILES = 64
FILES_PER_SESSION = 4  # the socket plus what decoding may open


@dataclass(frozen=True, slots=True)
class FileLimit:
    soft: int | None  # None: no limit known on this platform
    hard: int | None
    in_use: int


def raise_open_file_limit() -> FileLimit:
    """Raise the soft RLIMIT_NOFILE to the hard limit; returns the limits now in force."""
    in_use = _open_files()
    if sys.platform == "win32":
        return FileLimit(None, None, in_use)
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard
    if target == resource.RLIM_INFINITY:
        # macOS reports an infinite hard limit but refuses more than OPEN_MAX per process
        target = max(soft, 1 << 20) if soft != resource.RLIM_INFINITY else soft
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            log.info("cannot raise the open-file limit from %d to %d: %s", soft, target, exc)
    return FileLimit(None if soft == resource.RLIM_INFINITY else soft,
                     None if hard == resource.RLIM_INFINITY else hard, in_use)


def pending_budget(limit: FileLimit, max_sessions: int) -> int | None:
    """How many pending connections fit beside the sessions; None if unbounded."""
    if limit.soft is None:
        return None
    spare = limit.soft - limit.in_use - RESERVED_FILES - FILES_PER_SESSION * max_sessions
    return max(8, spare)


def _open_files() -> int:
    for fd_dir in ("/proc/self/fd", "/dev/fd"):
        try:
            return sum(1 for _ in Path(fd_dir).iterdir())
        except OSError:
            continue
    return 0
