"""Help → About: what the app is, its version, and where speech goes."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from .. import __version__
from .icons import app_icon

ABOUT_TEXT = (
    "<h3>scribe-desktop {version}</h3>"
    "<p>Desktop dictation over the ElevenLabs Scribe v2 Realtime protocol.</p>"
    "<p>The <b>Local</b> backend transcribes on this computer with an offline engine: no "
    "account, no network. The <b>ElevenLabs</b> backend sends audio to ElevenLabs with your "
    "API key, which is kept only in the OS keyring.</p>"
    "<p>MIT licence.</p>"
)


def show_about(parent: QWidget | None) -> QMessageBox:
    """Show the About box without blocking (open(), not exec())."""
    box = QMessageBox(parent)
    box.setWindowTitle("About scribe-desktop")
    box.setIconPixmap(app_icon().pixmap(64, 64))
    box.setText(ABOUT_TEXT.format(version=__version__))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()
    return box
