"""Pictures of offscreen widgets for the GUI tests of the first-hour findings: saved to
$SCRIBE_SCREENSHOTS_DIR (e.g. docs/screenshots, to refresh the README's) or to the test's
temporary directory, and checked to be a real drawing (not blank)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from .ui_screenshots import picture_problems


def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCRIBE_SCREENSHOTS_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_shot(widget: QWidget, name: str, tmp_path: Path,
              min_size: tuple[int, int] = (300, 120)) -> Path:
    """Grab `widget` (laid out and painted) as `name`.png; assert the picture is plausible."""
    QApplication.processEvents()  # a sync test: lay out and paint before the grab
    path = shots_dir(tmp_path) / f"{name}.png"
    assert widget.grab().save(str(path), "PNG"), path
    problems = picture_problems(path, min_size)
    assert not problems, problems
    return path
