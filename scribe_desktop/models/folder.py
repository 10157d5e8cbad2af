"""Checks that a folder holds a usable CTranslate2 Whisper model (downloaded or imported)."""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path

from .catalogue import ALLOW_PATTERNS, MULTILINGUAL_MIN_VOCABULARY, ModelSpec
from .errors import InvalidModelError, ModelsError, os_error

# CTranslate2 needs config.json, model.bin and a vocabulary; faster-whisper needs tokenizer.json
# too (without it, it fetches openai/whisper-tiny's from the Hub: impossible offline).
REQUIRED = ("config.json", "model.bin", "tokenizer.json")
VOCABULARIES = ("vocabulary.txt", "vocabulary.json")


@dataclass(frozen=True, slots=True)
class ModelFolder:
    """What a valid model folder holds: the model's own files (nothing else is copied)."""

    path: Path
    files: tuple[str, ...]
    size_bytes: int
    vocabulary_size: int

    @property
    def multilingual(self) -> bool:
        return self.vocabulary_size >= MULTILINGUAL_MIN_VOCABULARY


def model_files(path: Path) -> list[str]:
    """Top-level regular files of `path` that belong to a model (ALLOW_PATTERNS)."""
    return sorted(p.name for p in path.iterdir() if p.is_file()
                  and any(fnmatch.fnmatchcase(p.name, pat) for pat in ALLOW_PATTERNS))


def inspect_folder(path: Path, spec: ModelSpec | None = None) -> ModelFolder:
    """Validate `path`: files present, config.json parses, vocabulary readable, and (given a
    catalogue `spec`) English-only vs multilingual as the catalogue says."""
    try:
        if not path.is_dir():
            raise InvalidModelError(path, "no such folder")
        files = model_files(path)
        missing = [name for name in REQUIRED if name not in files]
        if not any(v in files for v in VOCABULARIES):
            missing.append("vocabulary.txt")
        if missing:
            raise InvalidModelError(path, f"missing {', '.join(missing)}")
        _check_config(path / "config.json")
        if (path / "model.bin").stat().st_size == 0:
            raise InvalidModelError(path, "model.bin is empty")
        vocabulary = _vocabulary_size(path, files)
        size = sum((path / name).stat().st_size for name in files)
    except ModelsError:
        raise
    except OSError as exc:
        raise os_error(exc, path) from exc
    folder = ModelFolder(path, tuple(files), size, vocabulary)
    if spec is not None and folder.multilingual != spec.multilingual:
        kind = "a multilingual" if folder.multilingual else "an English-only"
        want = "multilingual" if spec.multilingual else "English-only"
        raise InvalidModelError(path, f"it holds {kind} model but {spec.name} is {want}")
    return folder


def check_loads(path: Path) -> None:
    """Load the model with CTranslate2 (CPU, int8) and free it: proof the engine can run it."""
    try:
        import ctranslate2
    except ImportError as exc:
        raise InvalidModelError(path, "cannot check it: ctranslate2 is not installed") from exc
    try:
        model = ctranslate2.models.Whisper(str(path), device="cpu", compute_type="int8")
    except Exception as exc:  # ctranslate2 raises RuntimeError/ValueError with its reason
        raise InvalidModelError(path, f"CTranslate2 cannot load it ({exc})") from exc
    del model


def _check_config(config: Path) -> None:
    try:
        data = json.loads(config.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidModelError(config.parent, f"config.json is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise InvalidModelError(config.parent, "config.json is not a JSON object")


def _vocabulary_size(path: Path, files: list[str]) -> int:
    if "vocabulary.json" in files:
        try:
            tokens = json.loads((path / "vocabulary.json").read_bytes())
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidModelError(path, f"vocabulary.json is not valid JSON ({exc})") from exc
        if not isinstance(tokens, list):
            raise InvalidModelError(path, "vocabulary.json is not a JSON list")
        return len(tokens)
    data = (path / "vocabulary.txt").read_bytes()
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
