"""Render resources/icons/app.svg into the icon files the builds need (run after editing it).

    .venv/bin/python packaging/make_icons.py

Writes resources/icons/app-<N>.png (N = 16 ... 512: the Linux hicolor theme sizes), app.ico
(Windows, 16-256) and app.icns (macOS, 16-512). Qt's QSvgRenderer draws each size from the
vector source (no blurry downscaling); Pillow packs the ICO and ICNS containers. The
outputs are committed, so a build needs neither tool.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SOURCE = ICONS / "app.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512)


def render_png(svg: Path, size: int, out: Path) -> bytes:
    """Draw the SVG at size x size on a transparent background into `out` (PNG); its bytes."""
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out)):
        raise SystemExit(f"cannot write {out}")
    return out.read_bytes()


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="scribe-icons-") as tmp:
        pngs = {size: render_png(SOURCE, size, Path(tmp) / f"{size}.png")
                for size in sorted({*PNG_SIZES, *ICNS_SIZES})}
    for size in PNG_SIZES:
        (ICONS / f"app-{size}.png").write_bytes(pngs[size])
    images = {size: Image.open(io.BytesIO(data)).convert("RGBA") for size, data in pngs.items()}
    largest = images[max(ICO_SIZES)]
    largest.save(ICONS / "app.ico", format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                 append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    images[max(ICNS_SIZES)].save(ICONS / "app.icns", format="ICNS",
                                 append_images=[images[s] for s in ICNS_SIZES[:-1]])
    del app
    print(f"wrote {len(PNG_SIZES)} PNGs, app.ico and app.icns in {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
