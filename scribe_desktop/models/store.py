"""The model store: one folder per installed model under the user data directory.

Layout of the root (`$SCRIBE_DESKTOP_MODELS_DIR`, else `<user data dir>/scribe-desktop/models`):

    <name>/                  an installed model: its files + `scribe-model.json` (the marker)
    .staging/<name>/         a download in progress or interrupted (blobs named by digest)
    .staging/import-*/       an import in progress
    .locks/<name>.lock       held while a process downloads, imports or removes <name>
    .trash/                  models being removed

A model is installed exactly when `<name>/scribe-model.json` exists; it is written inside the
staging folder before the atomic rename into place, so a half-downloaded model is never listed.

Thread-safety: the methods are blocking and keep no state between calls; several threads (and
processes) may use one store; per-model operations exclude each other with the lock file.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import catalogue
from .catalogue import ModelSpec
from .errors import (
    AlreadyInstalledError,
    DownloadBusyError,
    InvalidNameError,
    ModelsError,
    NotInstalledError,
    os_error,
)

if TYPE_CHECKING:
    from .download import DownloadResult
    from .progress import CancelToken, ProgressCallback

ENV_MODELS_DIR = "SCRIBE_DESKTOP_MODELS_DIR"
APP_NAME = "scribe-desktop"
MARKER = "scribe-model.json"
MARKER_FORMAT = 1
# best_installed(): CPU dictation must keep up with speech; models above ~1 GB on disk (medium,
# large-v3, large-v3-turbo) are several times slower than small.en on a laptop CPU, so they are
# chosen only when nothing smaller is installed (or when the caller raises the cap).
DEFAULT_MAX_SIZE_MB = 1000
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def default_root() -> Path:
    """`$SCRIBE_DESKTOP_MODELS_DIR`, else `<user data dir>/scribe-desktop/models`."""
    override = os.environ.get(ENV_MODELS_DIR)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "models"


def check_name(name: str) -> str:
    if not _NAME.match(name) or name.startswith("."):
        raise InvalidNameError(name)
    return name


@dataclass(frozen=True, slots=True)
class InstalledFile:
    name: str
    size_bytes: int
    sha256: str | None


@dataclass(frozen=True, slots=True)
class InstalledModel:
    """A model in the store, as its marker describes it."""

    name: str
    path: Path
    size_bytes: int
    multilingual: bool
    source: str  # "download" or "import"
    origin: str  # "<endpoint>/<repo>@<commit>" or the imported folder
    installed_at: datetime
    files: tuple[InstalledFile, ...]

    @property
    def spec(self) -> ModelSpec | None:
        """The catalogue entry of the same name (None for a custom imported model)."""
        return catalogue.find(self.name)

    def supports(self, language: str | None) -> bool:
        return self.multilingual or language == "en"


@dataclass(frozen=True, slots=True)
class PartialDownload:
    """An interrupted or cancelled download: the next `download(name)` resumes it."""

    name: str
    path: Path
    size_bytes: int


class ModelStore:
    """Installed models under `root` (default: `default_root()`); nothing happens at init."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else default_root()

    # -- queries ---------------------------------------------------------------------------

    def list_installed(self) -> list[InstalledModel]:
        """Installed models, in catalogue order then custom ones by name."""
        if not self.root.is_dir():
            return []
        found = []
        try:
            entries = sorted(self.root.iterdir())
        except OSError as exc:
            raise os_error(exc, self.root) from exc
        for entry in entries:
            if not entry.name.startswith(".") and (model := self._read(entry)) is not None:
                found.append(model)
        order = {name: i for i, name in enumerate(catalogue.names())}
        return sorted(found, key=lambda m: (order.get(m.name, len(order)), m.name))

    def get(self, name: str) -> InstalledModel | None:
        return self._read(self.root / check_name(name))

    def is_installed(self, name: str) -> bool:
        return self.get(name) is not None

    def path(self, name: str) -> Path:
        """The folder of installed model `name` (what the engine loads); NotInstalledError."""
        model = self.get(name)
        if model is None:
            raise NotInstalledError(name)
        return model.path

    def disk_use(self, name: str) -> int:
        """Bytes used by model `name` (0 when not installed)."""
        return _tree_size(self.root / check_name(name)) if self.is_installed(name) else 0

    def partial_downloads(self) -> list[PartialDownload]:
        staging = self.root / ".staging"
        if not staging.is_dir():
            return []
        return [PartialDownload(d.name, d, _tree_size(d)) for d in sorted(staging.iterdir())
                if d.is_dir() and _NAME.match(d.name) and not d.name.startswith("import-")]

    def total_disk_use(self) -> int:
        """Bytes used by the whole store: installed models, partial downloads, leftovers."""
        return _tree_size(self.root)

    def best_installed(self, language: str | None = "en", *,
                       max_size_mb: int = DEFAULT_MAX_SIZE_MB) -> InstalledModel | None:
        """The installed catalogue model to use for `language` (None: auto-detect).

        Rule: among installed catalogue models that can transcribe the language (English-only
        models only for "en"; auto-detection needs a multilingual one), take the most accurate
        for English (`ModelSpec.english_rank`, which also ranks multilingual models by size)
        whose catalogue size is at most `max_size_mb`; if all are bigger, the smallest. Custom
        imported models are never picked automatically (their quality is unknown).
        """
        candidates = [(m, m.spec) for m in self.list_installed()
                      if m.spec is not None and m.supports(language)]
        if not candidates:
            return None
        small = [(m, s) for m, s in candidates if s.size_mb <= max_size_mb]
        if small:
            return max(small, key=lambda ms: ms[1].english_rank)[0]
        return min(candidates, key=lambda ms: ms[1].size_mb)[0]

    # -- changes ---------------------------------------------------------------------------

    def remove(self, name: str) -> int:
        """Uninstall `name` and drop its partial download; returns the bytes freed.

        The folder is first renamed into `.trash` (it vanishes from listings at once), then
        deleted. NotInstalledError when there is neither an installed model nor a partial one.
        """
        target, partial = self.root / check_name(name), self.root / ".staging" / name
        if not self.is_installed(name) and not partial.exists():
            raise NotInstalledError(name)  # checked before locking: creates no folder
        with self.lock(name):
            doomed = ([target] if self.is_installed(name) else []) + [partial]
            if not any(folder.exists() for folder in doomed):
                raise NotInstalledError(name)  # another process removed it meanwhile
            freed = 0
            for folder in doomed:
                if folder.exists():
                    freed += _tree_size(folder)
                    self._discard(folder)
        return freed

    def download(self, name: str, *, endpoint: str | None = None,
                 progress: ProgressCallback | None = None, cancel: CancelToken | None = None,
                 check_load: bool = False, replace: bool = False) -> DownloadResult:
        """Download catalogue model `name` (blocking; see `models.download.download_model`)."""
        from .download import download_model

        return download_model(self, name, endpoint=endpoint, progress=progress, cancel=cancel,
                              check_load=check_load, replace=replace)

    def import_model(self, source: Path | str, name: str, *, link: bool = True,
                     progress: ProgressCallback | None = None,
                     cancel: CancelToken | None = None, check_load: bool = False,
                     replace: bool = False) -> InstalledModel:
        """Install a local model folder as `name` (blocking; see `models.importer`)."""
        from .importer import import_model

        return import_model(self, Path(source), name, link=link, progress=progress,
                            cancel=cancel, check_load=check_load, replace=replace)

    # -- for download and import -----------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Exclusive per-model lock across processes; DownloadBusyError if held elsewhere."""
        import filelock

        locks = self.root / ".locks"
        try:
            locks.mkdir(parents=True, exist_ok=True)
            lock = filelock.FileLock(str(locks / f"{check_name(name)}.lock"), timeout=0)
            lock.acquire()
        except filelock.Timeout as exc:
            raise DownloadBusyError(name) from exc
        except OSError as exc:
            raise os_error(exc, self.root) from exc
        try:
            yield
        finally:
            lock.release()

    def staging_dir(self, name: str) -> Path:
        return self.root / ".staging" / check_name(name)

    def install(self, name: str, tree: Path, *, multilingual: bool, source: str, origin: str,
                files: tuple[InstalledFile, ...], replace: bool) -> InstalledModel:
        """Write the marker into `tree` and rename it to `<root>/<name>` (atomic)."""
        target = self.root / check_name(name)
        marker = {"format": MARKER_FORMAT, "name": name, "multilingual": multilingual,
                  "source": source, "origin": origin,
                  "installed_at": datetime.now(UTC).isoformat(timespec="seconds"),
                  "files": [{"name": f.name, "size": f.size_bytes, "sha256": f.sha256}
                            for f in files]}
        try:
            with (tree / MARKER).open("w", encoding="utf-8") as out:
                json.dump(marker, out, indent=2)
                out.flush()
                os.fsync(out.fileno())
            if self._read(target) is not None:
                if not replace:
                    raise AlreadyInstalledError(name, target)
                self._discard(target)
            elif target.exists():  # a folder without a marker: not ours to keep
                self._discard(target)
            tree.rename(target)
            _fsync_dir(self.root)
        except ModelsError:
            raise
        except OSError as exc:
            raise os_error(exc, target) from exc
        model = self._read(target)
        assert model is not None, "the marker was just written"
        return model

    def _discard(self, folder: Path) -> None:
        """Rename `folder` into `.trash` (gone from listings at once), then delete the trash
        (with whatever an earlier, interrupted removal left there)."""
        trash = self.root / ".trash"
        try:
            trash.mkdir(parents=True, exist_ok=True)
            folder.rename(trash / f"{folder.name}-{uuid.uuid4().hex[:8]}")
        except OSError as exc:
            raise os_error(exc, folder) from exc
        for leftover in trash.iterdir():
            # Another process may be emptying the trash too; a file still open on Windows
            # stays for the next removal.
            shutil.rmtree(leftover, ignore_errors=True)

    def _read(self, folder: Path) -> InstalledModel | None:
        try:
            data: Any = json.loads((folder / MARKER).read_text(encoding="utf-8"))
            files = tuple(InstalledFile(str(f["name"]), int(f["size"]),
                                        f.get("sha256") and str(f["sha256"]))
                          for f in data["files"])
            return InstalledModel(
                name=folder.name, path=folder, size_bytes=sum(f.size_bytes for f in files),
                multilingual=bool(data["multilingual"]), source=str(data["source"]),
                origin=str(data["origin"]),
                installed_at=datetime.fromisoformat(str(data["installed_at"])), files=files)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # no marker (or not ours): not an installed model


def _tree_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    total = 0
    for dirpath, _dirs, names in os.walk(path):
        for n in names:
            with contextlib.suppress(OSError):
                total += (Path(dirpath) / n).lstat().st_size
    return total


def _fsync_dir(path: Path) -> None:
    if os.name == "posix":  # a directory cannot be opened for fsync on Windows
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
