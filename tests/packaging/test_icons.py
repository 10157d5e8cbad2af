"""The generated icons (packaging/make_icons.py) exist in every size the builds need."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"


@pytest.mark.parametrize("size", [16, 24, 32, 48, 64, 128, 256, 512])
def test_png_has_its_size_and_transparency(size: int) -> None:
    """app-<N>.png is N x N RGBA with transparent corners (rounded square)."""
    with Image.open(ICONS / f"app-{size}.png") as image:
        assert image.size == (size, size)
        alpha = image.convert("RGBA").getchannel("A")
        assert alpha.getpixel((0, 0)) == 0
        assert alpha.getpixel((size // 2, size // 4)) == 255


def test_ico_holds_the_windows_sizes() -> None:
    """app.ico carries 16 to 256 px images."""
    with Image.open(ICONS / "app.ico") as image:
        assert image.format == "ICO"
        sizes = set(image.info["sizes"])
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes


def test_icns_holds_the_macos_sizes() -> None:
    """app.icns carries 16 to 512 px images (and their @2x variants)."""
    with Image.open(ICONS / "app.icns") as image:
        assert image.format == "ICNS"
        sizes = {s[:2] for s in image.info["sizes"]}
    assert {(16, 16), (32, 32), (128, 128), (256, 256), (512, 512)} <= sizes
