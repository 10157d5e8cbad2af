"""Download a catalogue model into the store: resumable, verified, installed atomically.

Steps: lock the model name (one process at a time), ask the endpoint which files the model
has and their hashes (`hub.resolve`), check the free space, fetch each missing file into
`.staging/<name>/<digest>.part` (resuming what an earlier run left), hash it against the
server's sha256 / git blob id, then assemble the files, validate the folder (and optionally
load it with CTranslate2) and rename it into place with its marker. Until that rename nothing
is installed; an interrupted or cancelled download keeps its verified files and partial file,
and the next `download_model` resumes from there. A corrupted file is deleted at once.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from . import catalogue
from .digest import Cancelled, Digest, DigestKind, file_digest
from .errors import (
    CancelledError,
    DiskFullError,
    IntegrityError,
    InvalidModelError,
    os_error,
)
from .folder import check_loads, inspect_folder
from .hub import RemoteFile, RemoteModel, resolve, resolve_endpoint
from .progress import CancelToken, Phase, Progress, ProgressCallback
from .store import InstalledFile, InstalledModel, ModelStore
from .transfer import TIMEOUT, fetch

TREE = "tree"
EVENT_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class DownloadResult:
    model: InstalledModel
    fetched_bytes: int  # received over the network by this call
    resumed_bytes: int  # already on disk from an earlier, interrupted download
    already_installed: bool  # nothing was done: the model was installed before the call


def download_model(store: ModelStore, name: str, *, endpoint: str | None = None,
                   progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
                   check_load: bool = False, replace: bool = False) -> DownloadResult:
    """Download catalogue model `name` from `endpoint` (see `hub.resolve_endpoint`).

    Blocking; run it in a worker thread from a GUI. `progress` is called in this thread;
    `cancel` may be fired from any thread (CancelledError, the partial download is kept).
    An installed model is returned as is unless `replace`. Raises only `ModelsError`s.
    """
    spec = catalogue.get(name)
    if not replace and (existing := store.get(name)) is not None:
        return DownloadResult(existing, 0, 0, already_installed=True)
    source = resolve_endpoint(endpoint)
    report = _Reporter(name, progress)
    with store.lock(name):
        if not replace and (existing := store.get(name)) is not None:  # another process won
            return DownloadResult(existing, 0, 0, already_installed=True)
        report.phase(Phase.RESOLVING)
        remote = resolve(spec, source)
        if cancel is not None and cancel.cancelled:  # the metadata requests are not interrupted
            raise CancelledError(name, _size(store.staging_dir(name)))
        staging = store.staging_dir(name)
        try:
            staging.mkdir(parents=True, exist_ok=True)
            have = _prune(staging, remote)
        except OSError as exc:
            raise os_error(exc, staging) from exc
        resumed = sum(have.values())
        _check_space(staging, remote.total_bytes - resumed)
        report.start(remote, have)
        try:
            fetched = _fetch_all(remote, staging, report, cancel)
            report.phase(Phase.INSTALLING)
            tree = _assemble(staging, remote)
            folder = inspect_folder(tree, spec)
            if check_load:
                check_loads(tree)
            files = tuple(InstalledFile(f.name, f.size, _sha256(tree / f.name, f.digest))
                          for f in remote.files)
            model = store.install(name, tree, multilingual=folder.multilingual,
                                  source="download", origin=remote.origin, files=files,
                                  replace=replace)
        except Cancelled:
            raise CancelledError(name, _size(staging)) from None
        except DiskFullError as exc:
            raise _disk_full(staging, remote) from exc
        except InvalidModelError:
            shutil.rmtree(staging, ignore_errors=True)  # verified files, bad model: no resume
            raise
        except OSError as exc:
            raise os_error(exc, staging) from exc
        shutil.rmtree(staging, ignore_errors=True)
        report.phase(Phase.DONE)
        return DownloadResult(model, fetched, resumed, already_installed=False)


def _fetch_all(remote: RemoteModel, staging: Path, report: _Reporter,
               cancel: CancelToken | None) -> int:
    import httpx

    fetched = 0
    headers = {"User-Agent": f"scribe-desktop/{__version__}"}
    with httpx.Client(timeout=TIMEOUT, follow_redirects=True, headers=headers) as client:
        for f in remote.files:
            blob = staging / f.digest.value
            if blob.exists():
                continue  # verified by an earlier run
            part = staging / f"{f.digest.value}.part"
            report.phase(Phase.DOWNLOADING, f)
            fetched += fetch(client, f.url, part, size=f.size, endpoint=remote.endpoint,
                             on_bytes=functools.partial(report.advance, f), cancel=cancel)
            report.phase(Phase.VERIFYING, f)
            actual = file_digest(part, f.digest.kind, on_bytes=report.hashed, cancel=cancel)
            if actual != f.digest:
                part.unlink()
                report.forget(f)
                raise IntegrityError(f.name, f.digest.value, actual.value, f.digest.kind)
            try:
                part.rename(blob)
            except OSError as exc:
                raise os_error(exc, staging) from exc
    return fetched


def _sha256(path: Path, verified: Digest) -> str:
    """The sha256 recorded in the marker (small git-hashed files are hashed once more)."""
    if verified.kind is DigestKind.SHA256:
        return verified.value
    try:
        return file_digest(path, DigestKind.SHA256).value
    except OSError as exc:
        raise os_error(exc, path.parent) from exc


def _prune(staging: Path, remote: RemoteModel) -> dict[str, int]:
    """Delete what does not belong to this revision; returns bytes kept per file name."""
    wanted = {f.digest.value: f for f in remote.files}
    have: dict[str, int] = {}
    for entry in staging.iterdir():
        digest = entry.name.removesuffix(".part")
        f = wanted.get(digest)
        if f is None or not entry.is_file() or entry.stat().st_size > f.size:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        else:
            have[f.name] = have.get(f.name, 0) + entry.stat().st_size
    return have


def _assemble(staging: Path, remote: RemoteModel) -> Path:
    """Lay the verified blobs out under their file names (hard links: blobs stay resumable)."""
    tree = staging / TREE
    try:
        if tree.exists():
            shutil.rmtree(tree)
        tree.mkdir()
        for f in remote.files:
            blob, dest = staging / f.digest.value, tree / f.name
            try:
                dest.hardlink_to(blob)
            except OSError:
                blob.rename(dest)  # no hard links here (FAT...): move instead
    except OSError as exc:
        raise os_error(exc, staging) from exc
    return tree


def _check_space(staging: Path, needed: int) -> None:
    try:
        free = shutil.disk_usage(staging).free
    except OSError as exc:
        raise os_error(exc, staging) from exc
    if needed > free:
        raise DiskFullError(staging, needed, free)


def _disk_full(staging: Path, remote: RemoteModel) -> DiskFullError:
    needed = remote.total_bytes - _size(staging)
    with contextlib.suppress(OSError):
        return DiskFullError(staging, needed, shutil.disk_usage(staging).free)
    return DiskFullError(staging)


def _size(folder: Path) -> int:
    with contextlib.suppress(OSError):
        return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    return 0


class _Reporter:
    """Turns byte counts into `Progress` events for the caller's callback."""

    def __init__(self, model: str, callback: ProgressCallback | None) -> None:
        self.model = model
        self.callback = callback
        self.total: int | None = None
        self.done_by_file: dict[str, int] = {}
        self.file: RemoteFile | None = None
        self.hashed_bytes = 0
        self.current = Phase.RESOLVING

    def start(self, remote: RemoteModel, have: dict[str, int]) -> None:
        self.total = remote.total_bytes
        self.done_by_file = {f.name: have.get(f.name, 0) for f in remote.files}

    def phase(self, phase: Phase, file: RemoteFile | None = None) -> None:
        self.current, self.file, self.hashed_bytes = phase, file, 0
        self._emit()

    def advance(self, file: RemoteFile, n: int) -> None:
        done = self.done_by_file[file.name] = self.done_by_file.get(file.name, 0) + n
        # Network reads are ~64 KiB: one event per MiB is plenty for a bar (and for a GUI
        # thread receiving them as signals); the last bytes of a file always get one.
        if done // EVENT_BYTES != (done - n) // EVENT_BYTES or done >= file.size:
            self._emit()

    def hashed(self, n: int) -> None:
        self.hashed_bytes += n
        self._emit()

    def forget(self, file: RemoteFile) -> None:
        self.done_by_file[file.name] = 0

    def _emit(self) -> None:
        if self.callback is None:
            return
        f = self.file
        if f is None:
            file_done, file_total = 0, None
        elif self.current is Phase.VERIFYING:
            file_done, file_total = self.hashed_bytes, f.size
        else:
            file_done, file_total = self.done_by_file.get(f.name, 0), f.size
        self.callback(Progress(self.model, self.current, f.name if f else None, file_done,
                               file_total, sum(self.done_by_file.values()), self.total))
