"""The store: listing, locating, choosing and removing installed models."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scribe_desktop.models import (
    InvalidNameError,
    ModelStore,
    NotInstalledError,
    default_root,
)


def test_an_empty_store_has_nothing_and_creates_nothing(store: ModelStore) -> None:
    """Queries on a store that does not exist yet answer empty and write nothing."""
    assert store.list_installed() == [] and store.partial_downloads() == []
    assert store.best_installed() is None and store.total_disk_use() == 0
    assert not store.is_installed("tiny.en")
    with pytest.raises(NotInstalledError, match=r"model 'tiny\.en' is not installed"):
        store.path("tiny.en")
    with pytest.raises(NotInstalledError):
        store.remove("tiny.en")
    assert not store.root.exists()


def test_the_root_follows_the_environment(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    """$SCRIBE_DESKTOP_MODELS_DIR overrides the user data folder."""
    monkeypatch.delenv("SCRIBE_DESKTOP_MODELS_DIR", raising=False)
    assert default_root().parts[-2:] == ("scribe-desktop", "models")
    monkeypatch.setenv("SCRIBE_DESKTOP_MODELS_DIR", str(tmp_path / "elsewhere"))
    assert ModelStore().root == tmp_path / "elsewhere"


def test_a_folder_without_marker_is_not_a_model(store: ModelStore, tiny_dir: Path) -> None:
    """Model files copied in by hand or left by a crash are never listed or used."""
    shutil.copytree(tiny_dir, store.root / "tiny.en")
    (store.root / ".staging" / "base.en").mkdir(parents=True)
    assert store.list_installed() == [] and not store.is_installed("tiny.en")
    assert store.best_installed() is None


def test_installed_models_are_listed_and_located(store: ModelStore, tiny_dir: Path) -> None:
    """An installed model is listed with its size and path, in catalogue order."""
    store.import_model(tiny_dir, "base.en")
    store.import_model(tiny_dir, "tiny.en")
    store.import_model(tiny_dir, "my-model")
    names = [m.name for m in store.list_installed()]
    assert names == ["tiny.en", "base.en", "my-model"]
    tiny = store.get("tiny.en")
    assert tiny is not None and tiny.path == store.path("tiny.en") == store.root / "tiny.en"
    assert tiny.spec is not None and tiny.spec.repo_id == "Systran/faster-whisper-tiny.en"
    expected = sum(p.stat().st_size for p in tiny_dir.iterdir())
    assert tiny.size_bytes == expected
    assert store.disk_use("tiny.en") > expected  # the marker too
    assert store.total_disk_use() >= 3 * expected


def test_best_installed_prefers_the_most_accurate_within_the_size_cap(
        store: ModelStore, tiny_dir: Path) -> None:
    """English picks the best-ranked model up to the size cap, else the smallest."""
    store.import_model(tiny_dir, "medium.en")
    best = store.best_installed("en")
    assert best is not None and best.name == "medium.en"  # above the cap, but the only one
    for name in ("tiny.en", "base.en", "small.en", "my-model"):
        store.import_model(tiny_dir, name)
    best = store.best_installed("en")
    assert best is not None and best.name == "small.en"
    best = store.best_installed("en", max_size_mb=2000)
    assert best is not None and best.name == "medium.en"
    assert store.best_installed("fr") is None  # every installed model is English-only
    assert store.best_installed(None) is None  # auto-detection needs a multilingual model


def test_remove_uninstalls_at_once(store: ModelStore, tiny_dir: Path) -> None:
    """Removing a model frees its space and it is no longer installed."""
    model = store.import_model(tiny_dir, "tiny.en")
    freed = store.remove("tiny.en")
    assert freed >= model.size_bytes
    assert not store.is_installed("tiny.en") and not model.path.exists()
    assert list((store.root / ".trash").iterdir()) == []
    with pytest.raises(NotInstalledError):
        store.remove("tiny.en")


@pytest.mark.parametrize("name", ["", ".hidden", "../escape", "a/b", "tiny en", "x" * 65])
def test_bad_names_are_refused(store: ModelStore, tiny_dir: Path, name: str) -> None:
    """Names that could escape the store or hide a folder are refused."""
    with pytest.raises(InvalidNameError, match="invalid model name"):
        store.import_model(tiny_dir, name)
    with pytest.raises(InvalidNameError):
        store.path(name)
