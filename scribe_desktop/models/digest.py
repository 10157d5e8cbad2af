"""File digests the Hub publishes: sha256 for LFS files, the git blob id (sha1) for the rest."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from .progress import CancelToken

BLOCK = 1 << 20


class DigestKind(StrEnum):
    SHA256 = "sha256"
    GIT_OID = "git-sha1"  # sha1 of b"blob <size>\0" + content, as `git hash-object` computes


@dataclass(frozen=True, slots=True)
class Digest:
    kind: DigestKind
    value: str  # lowercase hex


class Cancelled(Exception):
    """Raised inside the package when a CancelToken fires; turned into CancelledError."""


def file_digest(path: Path, kind: DigestKind, *,
                on_bytes: Callable[[int], None] | None = None,
                cancel: CancelToken | None = None) -> Digest:
    """Hash `path` in 1 MiB blocks, reporting progress and honouring cancellation."""
    h = hashlib.sha256() if kind is DigestKind.SHA256 else hashlib.sha1()
    if kind is DigestKind.GIT_OID:
        h.update(b"blob %d\0" % path.stat().st_size)
    with path.open("rb") as f:
        while block := f.read(BLOCK):
            if cancel is not None and cancel.cancelled:
                raise Cancelled
            h.update(block)
            if on_bytes is not None:
                on_bytes(len(block))
    return Digest(kind, h.hexdigest())
