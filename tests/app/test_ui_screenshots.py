"""Screenshots of the main window under a real X11 server (Xvfb): idle, dictating, error.

Qt picks its platform once per process, and these tests' process is offscreen, so the
pictures are drawn by a child process on a private Xvfb display. They go to a temporary
directory, or to $SCRIBE_SCREENSHOTS_DIR (e.g. docs/screenshots) to refresh the README's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ("main-idle.png", "main-dictating.png", "main-error.png")


@pytest.fixture(scope="module")
def xvfb_display() -> Iterator[str]:
    """A private Xvfb server on a free display number; yields ":N"."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed")
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten",
         "tcp"], pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(write_fd)
    helpers: list[subprocess.Popen[bytes]] = []
    try:
        with os.fdopen(read_fd) as reader:
            number = reader.readline().strip()  # Xvfb writes it once it accepts clients
        if not number.isdigit():
            process.kill()
            _, stderr = process.communicate(timeout=10)
            pytest.fail(f"Xvfb did not start: {stderr.decode(errors='replace')[-500:]}")
        display = f":{number}"
        # a light window manager draws the title bars a desktop would (optional)
        if shutil.which("openbox"):
            helpers.append(subprocess.Popen(
                ["openbox", "--sm-disable"], env={**os.environ, "DISPLAY": display},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield display
    finally:
        for child in [*reversed(helpers), process]:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


@pytest.mark.slow
def test_screenshots_of_idle_dictating_and_error_are_written(xvfb_display: str) -> None:
    """The window is drawn under X11 in all three states and saved as non-blank PNGs."""
    target = os.environ.get("SCRIBE_SCREENSHOTS_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(target) if target else Path(tmp)
        env = {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb",
               "XDG_RUNTIME_DIR": tmp}
        env.pop("WAYLAND_DISPLAY", None)
        result = subprocess.run([sys.executable, "-m", "tests.app.ui_screenshots",
                                 str(out_dir)], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=90)
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.split() == list(EXPECTED)
        images = {name: QImage(str(out_dir / name)) for name in EXPECTED}
        for name, image in images.items():
            assert not image.isNull(), name
            assert image.width() >= 800 and image.height() >= 550, (name, image.size())
            # a real drawing has many colours; a blank or black grab has one or two
            colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
                       for y in range(0, image.height(), 7)}
            assert len(colours) > 20, name
        assert images["main-idle.png"] != images["main-dictating.png"]
        assert images["main-dictating.png"] != images["main-error.png"]
