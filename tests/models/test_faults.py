"""Real filesystem faults: a full disk (tmpfs), an immutable and a read-only store.

Tests run as root, where file modes do not stop writes; the faults here are real ones a root
process also meets: ENOSPC from a small tmpfs, EPERM from `chattr +i`, EROFS from a read-only
bind mount. (EACCES for an ordinary user is in test_cli.py, with the CLI run as `nobody`.)
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from scribe_desktop.models import (
    DiskFullError,
    ModelStore,
    Phase,
    Progress,
    StorePermissionError,
)
from tests.models.hub_server import HubServer, RepoFile

pytestmark = [pytest.mark.slow,  # runs mount, umount and chattr
              pytest.mark.skipif(os.geteuid() != 0, reason="mount and chattr need root")]


def run(*cmd: str) -> bool:
    return subprocess.run(cmd, capture_output=True).returncode == 0


@contextlib.contextmanager
def mounted(path: Path, *cmds: tuple[str, ...]) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    for cmd in cmds:
        if not run(*cmd):
            run("umount", "-l", str(path))
            pytest.skip(f"cannot run {' '.join(cmd)} here")
    try:
        yield path
    finally:
        run("umount", "-l", str(path))


def tmpfs(path: Path, size_mb: int) -> contextlib.AbstractContextManager[Path]:
    return mounted(path, ("mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(path)))


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[Path]:
    if not run("chattr", "+i", str(path)):
        pytest.skip("chattr +i is not supported here")
    try:
        yield path
    finally:
        run("chattr", "-i", str(path))


def fill(fs: Path) -> Path:
    """Write zeros into `fs` until the kernel says ENOSPC. Unbuffered: a buffered file would
    keep the bytes the full disk refused and raise ENOSPC again when it is closed."""
    filler = fs / "filler"
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * (1 << 20))
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def test_too_little_space_is_refused_before_downloading(tmp_path: Path, hub: HubServer) -> None:
    """The free space is checked first: the error says how much is needed and free."""
    with tmpfs(tmp_path / "small", 20) as fs:
        store = ModelStore(fs)
        with pytest.raises(DiskFullError) as info:
            store.download("tiny.en", endpoint=hub.endpoint)
        message = str(info.value)
        assert message.startswith(f"not enough disk space in {fs}/.staging/tiny.en: 78.1 MB "
                                  "needed, ")
        assert "MB free" in message
        assert hub.served("model.bin") == 0 and store.list_installed() == []


def test_a_disk_that_fills_up_mid_download_keeps_what_it_has(
        tmp_path: Path, hub: HubServer, tiny_repo_files: dict[str, RepoFile]) -> None:
    """A real ENOSPC while writing is a clear error; after freeing space the download resumes."""
    with tmpfs(tmp_path / "disk", 100) as fs:
        store = ModelStore(fs / "models")
        filler: list[Path] = []

        def fill_once(p: Progress) -> None:
            if p.phase is Phase.DOWNLOADING and p.file == "model.bin" and p.file_done > 5e6 \
                    and not filler:
                filler.append(fill(fs))

        with pytest.raises(DiskFullError) as info:
            store.download("tiny.en", endpoint=hub.endpoint, progress=fill_once)
        assert str(info.value).startswith(f"not enough disk space in {store.root}/.staging/")
        assert info.value.needed_bytes is not None and info.value.needed_bytes > 0
        assert store.list_installed() == []
        [partial] = store.partial_downloads()
        assert partial.size_bytes > 5e6

        filler[0].unlink()
        hub.reset_counts()
        store.download("tiny.en", endpoint=hub.endpoint)
        [get] = hub.requests_for("model.bin")
        assert get.range_start is not None and get.range_start > 5e6
        assert store.path("tiny.en").is_dir() and store.partial_downloads() == []


def test_import_into_a_full_disk_leaves_nothing(tmp_path: Path, tiny_dir: Path) -> None:
    """A copy that cannot fit is refused and no staged files stay behind."""
    with tmpfs(tmp_path / "small", 30) as fs:
        store = ModelStore(fs)
        with pytest.raises(DiskFullError, match="not enough disk space"):
            store.import_model(tiny_dir, "tiny.en")
        assert store.list_installed() == []
        assert list((fs / ".staging").iterdir()) == []


def test_an_immutable_store_is_permission_denied(tmp_path: Path, hub: HubServer,
                                                 tiny_dir: Path) -> None:
    """A store folder nobody may write (chattr +i) gives a clear error before any download."""
    root = tmp_path / "models"
    root.mkdir()
    store = ModelStore(root)
    with immutable(root):
        with pytest.raises(StorePermissionError) as info:
            store.download("tiny.en", endpoint=hub.endpoint)
        assert str(info.value) == f"cannot write to {root}: operation not permitted"
        with pytest.raises(StorePermissionError):
            store.import_model(tiny_dir, "tiny.en")
    assert hub.state.requests == []


def test_a_read_only_store_cannot_lose_its_models(tmp_path: Path, tiny_dir: Path) -> None:
    """On a read-only mount removal fails clearly and the model stays installed."""
    root = tmp_path / "models"
    store = ModelStore(root)
    store.import_model(tiny_dir, "tiny.en")
    shutil.rmtree(root / ".staging")
    with mounted(root, ("mount", "--bind", str(root), str(root)),
                 ("mount", "-o", "remount,ro,bind", str(root))):
        with pytest.raises(StorePermissionError) as info:
            store.remove("tiny.en")
        assert str(info.value).endswith(": read-only file system")
        assert store.is_installed("tiny.en")
        with pytest.raises(StorePermissionError, match="read-only file system"):
            store.import_model(tiny_dir, "base.en")
