"""Install a local CTranslate2 Whisper model folder into the store.

The folder is validated like a download (files present, config.json parses, English-only vs
multilingual matches the catalogue entry of the same name, optionally loaded by CTranslate2),
then its model files - only those, see `catalogue.ALLOW_PATTERNS` - are hard-linked (same
filesystem: instant, no extra space; the store keeps its own link when the source is deleted
or replaced) or copied into a staging folder, hashed for the marker, and renamed into place.
A failed or cancelled import leaves nothing behind.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from . import catalogue
from .digest import BLOCK, Cancelled, DigestKind, file_digest
from .errors import AlreadyInstalledError, CancelledError, DiskFullError, os_error
from .folder import check_loads, inspect_folder
from .progress import CancelToken, Phase, Progress, ProgressCallback
from .store import InstalledFile, InstalledModel, ModelStore, check_name

ByteCount = Callable[[int], None]


def import_model(store: ModelStore, source: Path, name: str, *, link: bool = True,
                 progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
                 check_load: bool = False, replace: bool = False) -> InstalledModel:
    """Copy (or hard-link when `link` and possible) model folder `source` in as `name`.

    Blocking; `progress` is called in this thread, `cancel` may fire from any thread.
    Raises InvalidModelError, AlreadyInstalledError (unless `replace`), DiskFullError,
    StorePermissionError, CancelledError, DownloadBusyError.
    """
    check_name(name)
    spec = catalogue.find(name)
    folder = inspect_folder(source, spec)
    if not replace and (existing := store.get(name)) is not None:
        raise AlreadyInstalledError(name, existing.path)
    with store.lock(name):
        for stale in store.root.glob(f".staging/import-{name}-*"):  # a killed import's
            if re.fullmatch(r"[0-9a-f]{8}", stale.name.removeprefix(f"import-{name}-")):
                shutil.rmtree(stale, ignore_errors=True)  # (not "import-<name>-x-...")
        staging = store.root / ".staging" / f"import-{name}-{uuid.uuid4().hex[:8]}"
        done = 0

        def emit(file: str | None, file_done: int, file_total: int | None,
                 phase: Phase = Phase.COPYING) -> None:
            if progress is not None:
                progress(Progress(name, phase, file, file_done, file_total,
                                  done + file_done, folder.size_bytes))

        try:
            staging.mkdir(parents=True)
            files = []
            checked_space = False
            for fname in folder.files:
                src, dst = source / fname, staging / fname
                size = src.stat().st_size
                report = functools.partial(emit, fname, file_total=size)
                if link and _try_link(src, dst):
                    sha = file_digest(dst, DigestKind.SHA256, cancel=cancel,
                                      on_bytes=_counter(report)).value
                else:
                    if not checked_space:
                        _check_space(staging, folder.size_bytes - done)
                        checked_space = True
                    sha = _copy(src, dst, cancel, report)
                files.append(InstalledFile(fname, size, sha))
                done += size
            emit(None, 0, None, Phase.INSTALLING)
            copied = inspect_folder(staging, spec)
            if check_load:
                check_loads(staging)
            model = store.install(name, staging, multilingual=copied.multilingual,
                                  source="import", origin=str(source.resolve()),
                                  files=tuple(files), replace=replace)
        except Cancelled:
            raise CancelledError(name) from None
        except OSError as exc:
            raise os_error(exc, staging) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # gone already after a good install
    emit(None, 0, None, Phase.DONE)
    return model


def _try_link(src: Path, dst: Path) -> bool:
    try:
        dst.hardlink_to(src)
    except OSError:  # another filesystem, no hard links, or not allowed (protected_hardlinks)
        return False
    return True


def _copy(src: Path, dst: Path, cancel: CancelToken | None,
          on_done: ByteCount) -> str:
    """Copy in 1 MiB blocks, hashing what is written; returns the sha256."""
    h = hashlib.sha256()
    copied = 0
    with src.open("rb") as inp, dst.open("wb") as out:
        while block := inp.read(BLOCK):
            if cancel is not None and cancel.cancelled:
                raise Cancelled
            out.write(block)
            h.update(block)
            copied += len(block)
            on_done(copied)
        out.flush()
        os.fsync(out.fileno())
    return h.hexdigest()


def _counter(on_done: ByteCount) -> ByteCount:
    """Turn per-block byte counts into a running total."""
    total = 0

    def add(n: int) -> None:
        nonlocal total
        total += n
        on_done(total)

    return add


def _check_space(staging: Path, needed: int) -> None:
    free = shutil.disk_usage(staging).free
    if needed > free:
        raise DiskFullError(staging, needed, free)


