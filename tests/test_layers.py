"""The layer rules of docs/architecture.md hold for every module (checked on the AST)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "scribe_desktop"
QT = ("PySide6", "qasync", "shiboken6")


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


def in_pkg(name: str, *subpackages: str) -> bool:
    return any(name == f"scribe_desktop.{s}" or name.startswith(f"scribe_desktop.{s}.")
               for s in subpackages)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_respects_layers(name: str) -> None:
    """Each module imports only from the layers it may use."""
    deps = imports_of(MODULES[name])
    project = {d for d in deps if top(d) == "scribe_desktop"}
    third_party = {top(d) for d in deps if not is_stdlib(d) and top(d) != "scribe_desktop"}
    if in_pkg(name, "protocol"):
        assert not third_party, f"{name}: protocol is stdlib only, imports {third_party}"
        assert all(in_pkg(d, "protocol") for d in project), f"{name} imports {project}"
    if name in ("scribe_desktop.core.transcript", "scribe_desktop.audio.pcm"):
        assert third_party <= {"numpy", "soxr"}, f"{name} imports {third_party}"
        assert all(in_pkg(d, "protocol") for d in project), f"{name} imports {project}"
    if in_pkg(name, "client"):
        assert not any(in_pkg(d, "server") for d in project), f"{name} imports the server"
    if in_pkg(name, "server"):
        assert not any(in_pkg(d, "client") for d in project), f"{name} imports the client"
    if not in_pkg(name, "ui", "app", "qt", "commands") \
            and name != "scribe_desktop.__main__":
        assert not third_party & set(QT), f"{name}: Qt belongs to layers 2-4 only"
    if not in_pkg(name, "commands", "app") and name != "scribe_desktop.__main__":
        # widgets may import each other; nothing below ui may import ui
        upper = ("commands", "app") if in_pkg(name, "ui") else ("commands", "app", "ui")
        assert not any(in_pkg(d, *upper) or d == "scribe_desktop.__main__"
                       for d in project), f"{name} imports the composition layer"
    if in_pkg(name, "models"):  # layer 1 beside client/ and server/, which both may use it
        assert all(in_pkg(d, "models") or d in ("scribe_desktop", "scribe_desktop.__version__")
                   for d in project), \
            f"{name}: models imports only itself (and the package version), not {project}"
    if in_pkg(name, "ui"):
        assert not any(in_pkg(d, "client", "server") for d in project), \
            f"{name}: widgets reach the client only through the worker"
    if in_pkg(name, "qt"):
        widgets = {d for d in deps if top(d) == "PySide6"} - {
            "PySide6", "PySide6.QtCore", "PySide6.QtNetwork"}
        assert not widgets, f"{name} is layer 2 (Qt core, no widgets) but imports {widgets}"


def test_the_checker_sees_violations(tmp_path: Path) -> None:
    """The import resolver finds relative imports, so a violation could not slip through."""
    fake = PACKAGE / "protocol" / "codec.py"
    deps = imports_of(fake)
    assert "scribe_desktop.protocol.messages" in deps
    assert any(in_pkg(d, "protocol") for d in deps)
