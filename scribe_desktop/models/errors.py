"""Typed errors of the model manager; each `str()` is one line a user can act on.

Every error the package raises derives from `ModelsError`; OS and HTTP failures are translated
at the boundary (`os_error()` for the filesystem, `models.hub` for the network) so callers never
see an `OSError` errno or an httpx exception class.
"""

from __future__ import annotations

import errno
from pathlib import Path


class ModelsError(Exception):
    """Base class: `str(error)` is a complete one-line message for the user."""


class UnknownModelError(ModelsError):
    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        super().__init__(f"unknown model {name!r}; known models: {', '.join(known)}")
        self.name = name


class InvalidNameError(ModelsError):
    def __init__(self, name: str) -> None:
        super().__init__(f"invalid model name {name!r}: use letters, digits, '.', '_' or '-'")
        self.name = name


class NotInstalledError(ModelsError):
    def __init__(self, name: str) -> None:
        super().__init__(f"model {name!r} is not installed")
        self.name = name


class AlreadyInstalledError(ModelsError):
    def __init__(self, name: str, path: Path) -> None:
        super().__init__(f"model {name!r} is already installed at {path}; remove it first")
        self.name = name
        self.path = path


class DownloadBusyError(ModelsError):
    def __init__(self, name: str) -> None:
        super().__init__(f"model {name!r} is being downloaded or imported by another process")
        self.name = name


class CancelledError(ModelsError):
    def __init__(self, name: str, kept_bytes: int = 0) -> None:
        kept = (f"; {kept_bytes / 1e6:.1f} MB kept, the next download resumes"
                if kept_bytes else "")
        super().__init__(f"download of {name!r} cancelled{kept}")
        self.name = name
        self.kept_bytes = kept_bytes


class NetworkError(ModelsError):
    """The download source cannot be reached: no network, host not found, refused, timeout."""

    def __init__(self, endpoint: str, reason: str) -> None:
        super().__init__(f"cannot reach {endpoint}: {reason}")
        self.endpoint = endpoint
        self.reason = reason


class RemoteNotFoundError(ModelsError):
    """HTTP 404 (or the Hub's 401 for a missing repo): the repository or file is not there."""

    def __init__(self, what: str, endpoint: str, status: int | None = 404) -> None:
        super().__init__(f"{what} not found on {endpoint}"
                         + (f" (HTTP {status})" if status else ""))
        self.what = what
        self.endpoint = endpoint
        self.status = status


class RemoteError(ModelsError):
    """Any other refusal from the server (HTTP 403, 5xx, a reply that is not a Hub's)."""

    def __init__(self, endpoint: str, detail: str) -> None:
        super().__init__(f"download from {endpoint} failed: {detail}")
        self.endpoint = endpoint
        self.detail = detail


class IntegrityError(ModelsError):
    """A file's content does not match the hash (or size) the server published for it."""

    def __init__(self, file: str, expected: str, actual: str, kind: str = "sha256") -> None:
        super().__init__(f"{file} is corrupted: {kind} {actual} does not match the expected "
                         f"{expected}; it was discarded")
        self.file = file
        self.expected = expected
        self.actual = actual
        self.kind = kind


class InvalidModelError(ModelsError):
    """A folder (downloaded or imported) is not a usable CTranslate2 Whisper model."""

    def __init__(self, where: Path | str, problem: str) -> None:
        super().__init__(f"{where} is not a usable Whisper model: {problem}")
        self.where = where
        self.problem = problem


class DiskFullError(ModelsError):
    def __init__(self, path: Path, needed_bytes: int | None = None,
                 free_bytes: int | None = None) -> None:
        if needed_bytes is not None and free_bytes is not None:
            detail = (f"{needed_bytes / 1e6:.1f} MB needed, "
                      f"{max(free_bytes, 0) / 1e6:.1f} MB free")
        else:
            detail = "no space left on device"
        super().__init__(f"not enough disk space in {path}: {detail}")
        self.path = path
        self.needed_bytes = needed_bytes
        self.free_bytes = free_bytes


class StorePermissionError(ModelsError):
    def __init__(self, path: Path, reason: str = "permission denied") -> None:
        super().__init__(f"cannot write to {path}: {reason}")
        self.path = path
        self.reason = reason


class StoreIOError(ModelsError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"cannot use {path}: {reason}")
        self.path = path
        self.reason = reason


_PERMISSION = {errno.EACCES: "permission denied", errno.EPERM: "operation not permitted",
               errno.EROFS: "read-only file system"}


def os_error(exc: OSError, path: Path) -> ModelsError:
    """Translate a filesystem `OSError` into the matching typed error about `path`."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(path)
    if exc.errno in _PERMISSION:
        return StorePermissionError(path, _PERMISSION[exc.errno])
    return StoreIOError(path, exc.strerror or str(exc))
