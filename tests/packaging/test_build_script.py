"""packaging/build.py's reuse key and the PortAudio runtime hook, without building."""

from __future__ import annotations

import ctypes.util
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def build_module() -> ModuleType:
    return load(PACKAGING / "build.py", "scribe_packaging_build")


def make_tree(root: Path) -> None:
    for rel, text in (("scribe_desktop/__init__.py", "x = 1\n"), ("packaging/entry.py", "e\n"),
                      ("resources/icons/app.svg", "<svg/>"), ("pyproject.toml", "[p]\n")):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_fingerprint_follows_source_content_only(build_module: ModuleType,
                                                 tmp_path: Path) -> None:
    """A changed source changes the fingerprint; caches and files elsewhere do not."""
    make_tree(tmp_path)
    first = build_module.fingerprint(tmp_path)
    (tmp_path / "scribe_desktop" / "__pycache__").mkdir()
    (tmp_path / "scribe_desktop" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    (tmp_path / "README.md").write_text("docs")
    assert build_module.fingerprint(tmp_path) == first
    (tmp_path / "scribe_desktop" / "__init__.py").write_text("x = 2\n")
    assert build_module.fingerprint(tmp_path) != first


def test_fingerprint_sees_a_renamed_file(build_module: ModuleType, tmp_path: Path) -> None:
    """Moving a file (same bytes, new path) is a change too."""
    make_tree(tmp_path)
    first = build_module.fingerprint(tmp_path)
    shutil.move(tmp_path / "packaging" / "entry.py", tmp_path / "packaging" / "main.py")
    assert build_module.fingerprint(tmp_path) != first


def test_portaudio_hook_answers_with_the_bundled_library(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         ) -> None:
    """In a bundle, find_library("portaudio") is the bundled file; other names pass through."""
    real = ctypes.util.find_library
    monkeypatch.setattr(ctypes.util, "find_library", real)  # restored after the test
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    (tmp_path / "libportaudio.so.2").write_bytes(b"")
    load(PACKAGING / "hooks" / "rthook_portaudio.py", "scribe_rthook_portaudio")
    assert ctypes.util.find_library("portaudio") == str(tmp_path / "libportaudio.so.2")
    assert ctypes.util.find_library("c") == real("c")


def test_portaudio_hook_falls_back_to_the_system(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a bundled copy the system's PortAudio is found as before."""
    real = ctypes.util.find_library
    monkeypatch.setattr(ctypes.util, "find_library", real)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    load(PACKAGING / "hooks" / "rthook_portaudio.py", "scribe_rthook_portaudio")
    assert ctypes.util.find_library("portaudio") == real("portaudio")
