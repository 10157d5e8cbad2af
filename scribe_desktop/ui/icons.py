"""The app icon and the tray's state icons, drawn as SVG in resources/icons/.

Loaded lazily (a QApplication must exist) and cached per process. A missing file yields an
empty QIcon rather than an exception: an icon is never worth a crash.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

from ..core.lifecycle import DictationState

# resources/ sits beside the package in the source tree and in the PyInstaller bundle.
ICONS_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons"

_STATE_FILES: dict[DictationState, str] = {
    DictationState.IDLE: "tray-idle.svg",
    DictationState.CONNECTING: "tray-connecting.svg",
    DictationState.RECONNECTING: "tray-connecting.svg",
    DictationState.LISTENING: "tray-listening.svg",
    DictationState.COMMITTING: "tray-listening.svg",
    DictationState.ERROR: "tray-error.svg",
}


def icon_path(name: str) -> Path:
    """Path of one icon file in resources/icons/."""
    return ICONS_DIR / name


@cache
def _load(name: str) -> QIcon:
    path = icon_path(name)
    return QIcon(str(path)) if path.is_file() else QIcon()


def app_icon() -> QIcon:
    """The application (window and launcher) icon."""
    return _load("app.svg")


def state_icon(state: DictationState) -> QIcon:
    """The tray icon for a dictation state (grey idle, amber connecting, red listening)."""
    return _load(_STATE_FILES.get(state, "tray-idle.svg"))


def state_icon_name(state: DictationState) -> str:
    """File name of the state's icon (what tests check: QIcon has no identity)."""
    return _STATE_FILES.get(state, "tray-idle.svg")
