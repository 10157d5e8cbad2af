"""The Linux desktop entry is valid and resources/linux/install.sh adds and removes it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "resources" / "linux"
INSTALL = LINUX / "install.sh"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
VALIDATE = shutil.which("desktop-file-validate")
needs_validator = pytest.mark.skipif(VALIDATE is None, reason="desktop-file-utils missing "
                                     "(scripts/bootstrap.sh test installs it)")


def validate(path: Path) -> None:
    assert VALIDATE is not None
    proc = subprocess.run([VALIDATE, str(path)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def run_install(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "XDG_DATA_HOME"}
    env["HOME"] = str(home)
    proc = subprocess.run(["bash", str(INSTALL), *args], capture_output=True, text=True,
                          timeout=60, env=env)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def fake_binary(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    binary = directory / "scribe-desktop"
    binary.write_text("#!/bin/sh\nexit 0\n")
    binary.chmod(0o755)
    return binary


@needs_validator
def test_desktop_file_is_valid() -> None:
    """desktop-file-validate accepts the shipped entry without errors or hints."""
    validate(LINUX / "scribe-desktop.desktop")


@needs_validator
def test_install_adds_entry_and_icons_then_uninstall_removes_them(tmp_path: Path) -> None:
    """install.sh writes a valid entry with an absolute Exec and every hicolor icon."""
    home = tmp_path / "home"
    binary = fake_binary(tmp_path / "opt" / "scribe desktop")  # a space: Exec must quote it
    run_install(home, "--exec", str(binary))
    data = home / ".local" / "share"
    entry = data / "applications" / "scribe-desktop.desktop"
    text = entry.read_text()
    assert f'Exec="{binary}"\n' in text
    assert f'Exec="{binary}" --toggle\n' in text
    validate(entry)
    for size in SIZES:
        icon = data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "scribe-desktop.png"
        assert icon.read_bytes() == (ROOT / "resources" / "icons" / f"app-{size}.png"
                                     ).read_bytes()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "scribe-desktop.svg").is_file()

    run_install(home, "--uninstall")
    assert not entry.exists()
    assert not list((data / "icons").rglob("scribe-desktop.*"))


def test_install_finds_the_binary_beside_it_in_an_unpacked_bundle(tmp_path: Path) -> None:
    """Run from a bundle folder, install.sh uses the binary and icons next to itself."""
    bundle = tmp_path / "bundle"
    binary = fake_binary(bundle)
    shutil.copy2(INSTALL, bundle / "install.sh")
    shutil.copy2(LINUX / "scribe-desktop.desktop", bundle / "scribe-desktop.desktop")
    shutil.copytree(ROOT / "resources" / "icons", bundle / "icons")
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(tmp_path / "data")}
    subprocess.run(["bash", str(bundle / "install.sh")], check=True, timeout=60, env=env,
                   capture_output=True)
    entry = tmp_path / "data" / "applications" / "scribe-desktop.desktop"
    assert f"Exec={binary}\n" in entry.read_text()
    assert not (home / ".local").exists()  # XDG_DATA_HOME is honoured


def test_install_without_a_binary_fails_clearly(tmp_path: Path) -> None:
    """With no binary beside it, on PATH or given, install.sh exits non-zero and says why."""
    env = {**os.environ, "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(["bash", str(INSTALL)], capture_output=True, text=True, timeout=60,
                          env=env)
    assert proc.returncode != 0
    assert "no scribe-desktop binary found" in proc.stderr
    assert not (tmp_path / ".local" / "share" / "applications").exists()
