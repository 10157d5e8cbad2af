"""Build the scribe-desktop bundle from a clean virtual environment.

    python packaging/build.py              # -> dist/scribe-desktop/scribe-desktop
    python packaging/build.py --if-stale   # reuse dist/ when built from the same sources
    python packaging/build.py --onefile    # -> dist/scribe-desktop-onefile (optional)
    python packaging/build.py --fresh-venv # recreate build/venv first

Creates build/venv with the base interpreter (never the developer's .venv, so only the app's
runtime dependencies get bundled: test-rig.md, "what gets bundled depends on the build
host"), installs the project and PyInstaller into it, and runs packaging/scribe-desktop.spec.
The venv is reused while pyproject.toml is unchanged; the project itself is reinstalled on
every build. dist/<name>/BUILD-INFO.json records the source fingerprint (a hash of every
file the bundle is made from), so `--if-stale` rebuilds only when a source changed.
Linux needs libportaudio2 installed (scripts/bootstrap.sh installs it).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "scribe-desktop.spec"
BUILD = ROOT / "build"
VENV = BUILD / "venv"
DIST = ROOT / "dist"
NAME = "scribe-desktop"
PYINSTALLER = "pyinstaller>=6.10,<7"
SOURCES = ("scribe_desktop", "packaging", "resources", "pyproject.toml")
SKIP_PARTS = {"__pycache__", ".mypy_cache", ".ruff_cache"}


def log(message: str) -> None:
    print(f"[build] {message}", file=sys.stderr, flush=True)


def fingerprint(root: Path = ROOT) -> str:
    """sha256 over the path and content of every source file the bundle is built from."""
    digest = hashlib.sha256()
    for top in SOURCES:
        base = root / top
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            rel = path.relative_to(root)
            if SKIP_PARTS & set(rel.parts) or path.suffix in (".pyc", ".md"):  # not bundled
                continue
            digest.update(rel.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], check=True,
                             capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def venv_python(path: Path = VENV) -> Path:
    return path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def base_python() -> str:
    """The interpreter to make the venv from: the base one, even when run from a venv."""
    return getattr(sys, "_base_executable", sys.executable)


def ensure_venv(fresh: bool) -> Path:
    py = venv_python()
    stamp = VENV / ".pyproject-sha256"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()
                          + PYINSTALLER.encode()).hexdigest()
    if fresh or not py.exists() or not stamp.is_file() or stamp.read_text() != want:
        log(f"creating a clean venv in {VENV.relative_to(ROOT)}")
        if VENV.exists():
            shutil.rmtree(VENV)
        subprocess.run([base_python(), "-m", "venv", str(VENV)], check=True)
        pip(py, "install", "--upgrade", "pip")
        pip(py, "install", str(ROOT), PYINSTALLER)  # the project's runtime deps only
        stamp.write_text(want)
    log("installing the project into the build venv")
    pip(py, "install", "--no-deps", "--force-reinstall", str(ROOT))
    return py


def pip(py: Path, *args: str) -> None:
    subprocess.run([str(py), "-m", "pip", "--disable-pip-version-check", "-q", *args],
                   check=True)


def read_info(dist_dir: Path) -> dict[str, object] | None:
    try:
        info: dict[str, object] = json.loads((dist_dir / "BUILD-INFO.json").read_text())
    except (OSError, ValueError):
        return None
    return info


def binary_path(dist_dir: Path) -> Path:
    return dist_dir / (NAME + (".exe" if os.name == "nt" else ""))


@contextlib.contextmanager
def build_lock() -> Iterator[None]:
    """One build at a time on this tree (a test and a benchmark may both ask for one); the
    second waits, then usually finds dist/ up to date."""
    BUILD.mkdir(exist_ok=True)
    with (BUILD / ".lock").open("w") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: no concurrent builds expected there
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(*, onefile: bool, fresh_venv: bool, if_stale: bool) -> Path:
    with build_lock():
        return _build(onefile=onefile, fresh_venv=fresh_venv, if_stale=if_stale)


def _build(*, onefile: bool, fresh_venv: bool, if_stale: bool) -> Path:
    name = f"{NAME}-onefile" if onefile else NAME
    dist_dir = DIST / name
    source_hash = fingerprint()
    info = read_info(dist_dir)
    if if_stale and info is not None and info.get("fingerprint") == source_hash:
        log(f"{dist_dir.relative_to(ROOT)} is up to date ({source_hash[:12]})")
        return dist_dir
    started = time.monotonic()
    py = ensure_venv(fresh_venv)
    env = {**os.environ, "SCRIBE_ONEFILE": "1" if onefile else "0"}
    work = BUILD / ("pyinstaller-onefile" if onefile else "pyinstaller")
    out = DIST / "onefile" if onefile else DIST
    log(f"running PyInstaller ({'one file' if onefile else 'one folder'})")
    subprocess.run([str(py), "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level",
                    "WARN", "--workpath", str(work), "--distpath", str(out), str(SPEC)],
                   check=True, env=env, cwd=ROOT)
    if onefile:  # one file: dist/scribe-desktop-onefile/scribe-desktop, like one-folder
        if dist_dir.exists():
            shutil.rmtree(dist_dir)
        dist_dir.mkdir(parents=True)
        shutil.move(binary_path(out), binary_path(dist_dir))
        shutil.rmtree(out)
    add_linux_files(dist_dir)
    elapsed = time.monotonic() - started
    (dist_dir / "BUILD-INFO.json").write_text(json.dumps({
        "fingerprint": source_hash, "commit": git_commit(), "onefile": onefile,
        "python": sys.version.split()[0], "platform": sys.platform,
        "build_seconds": round(elapsed, 1)}, indent=2) + "\n")
    log(f"built {binary_path(dist_dir).relative_to(ROOT)} in {elapsed:.0f} s")
    return dist_dir


def add_linux_files(dist_dir: Path) -> None:
    """The desktop entry, its installer and the icons beside the binary, so an unpacked
    bundle installs itself: `./install.sh` (see resources/linux/)."""
    if not sys.platform.startswith("linux"):
        return
    linux = ROOT / "resources" / "linux"
    shutil.copy2(linux / "install.sh", dist_dir / "install.sh")
    shutil.copy2(linux / f"{NAME}.desktop", dist_dir / f"{NAME}.desktop")
    icons = dist_dir / "icons"
    if icons.exists():
        shutil.rmtree(icons)
    shutil.copytree(ROOT / "resources" / "icons", icons,
                    ignore=shutil.ignore_patterns("*.ico", "*.icns", "tray-*"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--onefile", action="store_true", help="one self-extracting file")
    parser.add_argument("--fresh-venv", action="store_true", help="recreate build/venv")
    parser.add_argument("--if-stale", action="store_true",
                        help="skip the build when dist/ was built from the same sources")
    args = parser.parse_args(argv)
    dist_dir = build(onefile=args.onefile, fresh_venv=args.fresh_venv, if_stale=args.if_stale)
    print(binary_path(dist_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
