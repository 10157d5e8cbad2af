"""The version lives in scribe_desktop/__init__.py only; everything else reads it."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import scribe_desktop

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_reads_the_version_from_the_package() -> None:
    """pyproject.toml declares the version dynamic, taken from scribe_desktop.__version__."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    attr = project["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "scribe_desktop.__version__"


def test_version_flag_prints_the_package_version() -> None:
    """`scribe-desktop --version` prints __version__ without needing package metadata."""
    proc = subprocess.run([sys.executable, "-m", "scribe_desktop", "--version"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT, check=True)
    assert proc.stdout.strip() == f"scribe-desktop {scribe_desktop.__version__}"
    assert scribe_desktop.__version__.count(".") == 2
