"""Draws the README screenshots: `python -m tests.app.ui_screenshots OUT_DIR` on a real X11
display (Xvfb, QT_QPA_PLATFORM=xcb; see test_ui_screenshots.py, which starts it).

The main window is built with the fake worker and fed the signals a real dictation produces,
so the pictures show exactly what those signals look like. Writes main-idle.png,
main-dictating.png and main-error.png, and prints their names.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from scribe_desktop.client.errors import error_from_server
from scribe_desktop.dictation import DictationState
from scribe_desktop.protocol.errors import ErrorType
from scribe_desktop.protocol.messages import ServerError
from scribe_desktop.protocol.options import CommitStrategy
from scribe_desktop.settings import BackendKind, Settings
from scribe_desktop.ui.main_window import MainWindow
from scribe_desktop.user_errors import user_error_for

from .ui_fakes import FakeStatus, FakeWorker, as_worker, segment

WINDOW_SIZE = (860, 600)
ORIGIN = QPoint(24, 24)
DEVICES = ["Built-in Audio Analog Stereo", "USB Headset Microphone"]
SEGMENTS = [
    (0, "Good morning everyone, let's get started with the weekly planning meeting.", 2.1),
    (1, "First item: the release candidate is ready for testing on all three platforms.", 7.8),
    (2, "Second, the keyboard shortcuts now work in every dialog.", 14.3),
]
PARTIAL = "and finally we should decide who reviews the new"


def settle(*widgets: QWidget) -> None:
    for widget in widgets:
        QTest.qWaitForWindowExposed(widget, 5000)
    for _ in range(10):
        QApplication.processEvents()
        QTest.qWait(20)


def wait_for_frame(window: QWidget, timeout_s: float = 3.0) -> bool:
    """True once a window manager has framed `window` (none may be running: then False)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if window.frameGeometry().size() != window.geometry().size():
            return True
        QTest.qWait(20)
    return False


def grab_screen(rect: QRect) -> QPixmap:
    """What is on the X11 screen inside `rect` (includes top-level dialogs over the window)."""
    screen = QApplication.primaryScreen()
    return screen.grabWindow(0, rect.x(), rect.y(), rect.width(), rect.height())


def main(out_dir: Path) -> list[Path]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    if QApplication.platformName() != "xcb":
        raise SystemExit(f"needs a real X11 display, got {QApplication.platformName()}")
    font = QFont("DejaVu Sans", 10)
    app.setFont(font)
    out_dir.mkdir(parents=True, exist_ok=True)
    worker = FakeWorker()
    settings = Settings(backend=BackendKind.LOCAL, commit_strategy=CommitStrategy.MANUAL,
                        device_name=DEVICES[1])
    window = MainWindow(as_worker(worker), settings)
    window.resize(*WINDOW_SIZE)
    window.move(ORIGIN)
    window.show()
    wait_for_frame(window)
    window.move(ORIGIN)
    worker.devices_changed.emit(DEVICES)
    worker.status_changed.emit(FakeStatus("Local", "Ready", 0.0, None))
    settle(window)
    written: list[Path] = []

    def save(name: str, pixmap: QPixmap) -> None:
        path = out_dir / name
        if not pixmap.save(str(path), "PNG"):
            raise SystemExit(f"could not write {path}")
        written.append(path)

    save("main-idle.png", grab_screen(window.frameGeometry()))

    worker.state_changed.emit(DictationState.CONNECTING)
    worker.state_changed.emit(DictationState.LISTENING)
    for index, text, start_s in SEGMENTS:
        worker.segment_committed.emit(segment(index, text))
        worker.segment_enriched.emit(segment(index, text, start_s=start_s))
    worker.partial_changed.emit(PARTIAL)
    worker.level_changed.emit(-16.0, -7.0)
    worker.status_changed.emit(FakeStatus("Local", "Listening", 21.0, 184.0))
    settle(window)
    save("main-dictating.png", grab_screen(window.frameGeometry()))

    worker.state_changed.emit(DictationState.ERROR)
    worker.status_changed.emit(FakeStatus("ElevenLabs", "Error", 21.0, None))
    worker.error.emit(user_error_for(error_from_server(ServerError(ErrorType.AUTH_ERROR,
                                                                   "invalid api key"))))
    dialog = window.error_dialog
    settle(dialog)
    wait_for_frame(dialog)
    frame = window.frameGeometry()
    dialog.move(frame.center() - dialog.frameGeometry().center() + dialog.pos())
    settle(window, dialog)
    save("main-error.png", grab_screen(frame))
    window.close()
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1])):
        print(path.name)
