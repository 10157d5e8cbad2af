"""The layer rules of docs/architecture.md hold for every module (checked on the AST).

Each folder of the package has a layer; a module may import its own folder, the folders of
lower layers that its rule names, and the third-party libraries its rule allows. Nothing
imports upwards, Qt stays in qt/, ui/ and app/, and the folders docs/architecture.md calls
pure import only the standard library (and what their rule names).
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "scribe_desktop"
QT = frozenset({"PySide6", "qasync", "shiboken6"})
QT_CORE = frozenset({"PySide6", "PySide6.QtCore", "PySide6.QtNetwork"})
ANY = frozenset({"*"})


@dataclass(frozen=True)
class Rule:
    layer: int
    folders: frozenset[str]  # other folders of the package it may import
    libraries: frozenset[str]  # third-party top-level packages it may import ("*": any)
    pure_from: frozenset[str] = frozenset()  # single pure modules of other folders it may use


PURE = frozenset({"core", "protocol", "shaping"})
PURE_MODULES = frozenset({"audio.pcm", "hotkey.chord", "hotkey.interpreter", "inject.text"})
ADAPTERS = frozenset({"audio", "client", "server", "history", "inject", "hotkey", "connect",
                      "models", "paths"})
BELOW_SESSION = PURE | {"export"} | ADAPTERS

RULES: dict[str, Rule] = {
    # layer 0: pure, no I/O
    "core": Rule(0, frozenset({"protocol"}), frozenset()),
    "protocol": Rule(0, frozenset(), frozenset()),
    "shaping": Rule(0, frozenset({"core", "protocol"}), frozenset({"text_to_num", "num2words"})),
    "export": Rule(0, PURE, frozenset({"srt"})),  # export/live.py appends to a file
    # layer 1: one I/O library each, no Qt, never each other except where named
    "audio": Rule(1, PURE, frozenset({"numpy", "soxr", "soundfile", "sounddevice",
                                      "webrtc_noise_gain", "av"})),
    "client": Rule(1, PURE, frozenset({"websockets", "httpx"})),
    "server": Rule(1, PURE, frozenset({"aiohttp", "numpy", "pocketsphinx", "faster_whisper",
                                       "ctranslate2", "onnxruntime"}),
                   pure_from=frozenset({"audio.pcm"})),
    "history": Rule(1, PURE | {"export", "paths"}, frozenset({"platformdirs"}),
                    pure_from=frozenset({"audio.pcm"})),
    "inject": Rule(1, PURE, frozenset()),  # xdotool/xclip/wl-clipboard run as processes
    "hotkey": Rule(1, PURE, frozenset({"pynput", "Xlib", "i3ipc"})),
    "connect": Rule(1, PURE | {"client"}, frozenset({"keyring"})),
    "paths": Rule(1, frozenset(), frozenset()),  # private files: stdlib only
    "models": Rule(1, PURE, frozenset({"huggingface_hub", "httpx", "filelock", "platformdirs",
                                       "ctranslate2", "faster_whisper"})),
    # layer 2: use cases, no Qt
    "session": Rule(2, BELOW_SESSION, frozenset()),
    # layer 3: Qt core, no widgets
    "qt": Rule(3, BELOW_SESSION | {"session"}, QT_CORE | {"sounddevice"}),
    # layer 4: widgets; the client and the server only through the worker
    "ui": Rule(4, (BELOW_SESSION | {"session", "qt"}) - {"client", "server"}, QT),
    # layer 5: composition
    "app": Rule(5, ANY, ANY),
    "commands": Rule(5, ANY, ANY),
}
ROOT_MODULES = {"scribe_desktop", "scribe_desktop.__main__"}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Absolute names of every module `path` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(), str(path))
    current = module_name(path)
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = current.split(".")
                base = base if is_pkg else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base)
                mod = f"{prefix}.{node.module}" if node.module else prefix
                found.add(mod)
                found.update(f"{mod}.{a.name}" for a in node.names)
            elif node.module:
                found.add(node.module)
    return found


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def top(name: str) -> str:
    return name.split(".")[0]


def is_stdlib(name: str) -> bool:
    return top(name) in sys.stdlib_module_names or top(name) == "__future__"


def folder_of(name: str) -> str | None:
    """The package folder `name` belongs to; None for the package root's own modules."""
    parts = name.split(".")
    if len(parts) < 2 or not (PACKAGE / parts[1]).is_dir():
        return None
    return parts[1]


def violations(name: str, deps: set[str]) -> list[str]:
    """What `name` imports that its folder's rule does not allow."""
    folder = folder_of(name)
    if folder is None:
        return []  # the package root (__main__, __init__) composes everything
    rule = RULES[folder]
    found = []
    for dep in deps:
        if top(dep) == "scribe_desktop":
            other = folder_of(dep)
            if other is None or other == folder or rule.folders == ANY:
                continue
            pure_module = ".".join(dep.split(".")[1:3])
            if other not in rule.folders and pure_module not in rule.pure_from | (
                    PURE_MODULES if RULES[other].layer <= 1 and rule.layer >= 1 else set()):
                found.append(f"{name} imports {dep} ({other}/ is not allowed in {folder}/)")
        elif not is_stdlib(dep) and rule.libraries != ANY:
            allowed = {top(lib) for lib in rule.libraries}
            if top(dep) not in allowed or (rule.libraries & QT and top(dep) == "PySide6"
                                           and not _qt_allowed(dep, rule)):
                found.append(f"{name} imports {dep}, not allowed in {folder}/")
    return found


def _qt_allowed(dep: str, rule: Rule) -> bool:
    return rule.libraries == QT or dep in rule.libraries


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_respects_its_folders_rule(name: str) -> None:
    """Each module imports only what its folder's rule allows."""
    assert violations(name, imports_of(MODULES[name])) == []


def test_every_folder_has_a_rule_and_says_its_layer() -> None:
    """A new folder needs a rule here and a docstring in its __init__.py."""
    folders = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert folders == set(RULES)
    for folder in folders:
        doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text()))
        assert doc and len(doc) > 40, f"{folder}/__init__.py needs a docstring saying what " \
                                      "the folder holds and may import"
    assert {m for m in MODULES if folder_of(m) is None} == ROOT_MODULES, \
        "the package root holds only __init__ and __main__: new modules go into a folder"


def test_nothing_imports_the_composition_layer() -> None:
    """app/ and commands/ are imported by nothing below them (and by the root only)."""
    for name, path in MODULES.items():
        folder = folder_of(name)
        if folder in ("app", "commands") or folder is None:
            continue
        upper = [d for d in imports_of(path) if folder_of(d) in ("app", "commands")]
        assert not upper, f"{name} imports {upper}"


def test_pure_folders_import_only_the_standard_library() -> None:
    """core/ and protocol/ are stdlib only, as docs/architecture.md says."""
    for name, path in MODULES.items():
        if folder_of(name) in ("core", "protocol"):
            third = {d for d in imports_of(path) if not is_stdlib(d) and top(d) != "scribe_desktop"}
            assert not third, f"{name} imports {third}"


def test_the_checker_sees_violations() -> None:
    """The rule check catches an upward import, a forbidden library and Qt in session/."""
    assert violations("scribe_desktop.protocol.codec", {"scribe_desktop.client.session"})
    assert violations("scribe_desktop.core.transcript", {"numpy"})
    assert violations("scribe_desktop.session.live", {"PySide6.QtCore"})
    assert violations("scribe_desktop.qt.settings", {"PySide6.QtWidgets"})
    assert violations("scribe_desktop.ui.main_window", {"scribe_desktop.client.session"})
    assert violations("scribe_desktop.client.session", {"scribe_desktop.server.app"})
    assert not violations("scribe_desktop.server.pipeline", {"scribe_desktop.audio.pcm"})
    assert "scribe_desktop.protocol.messages" in imports_of(PACKAGE / "protocol" / "codec.py")
