"""A Wayland-native text field (Qt on its wayland platform) in its own process, the target
of the Wayland insertion tests: it writes its content to a file on every change
(atomically) and every key press it receives to the same path with the suffix .keys.

    QT_QPA_PLATFORM=wayland python -m tests.inject.wl_target_app OUT_FILE --app-id ID

Prints "ready" once its window is shown.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QTextEdit


class KeyLog(QObject):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            with self.path.open("a", encoding="utf-8") as f:
                f.write(f"{event.key()} {event.modifiers().value} {event.text()!r}\n")
        return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--app-id", default="scribe-target")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    app.setDesktopFileName(args.app_id)  # the Wayland app_id
    field = QTextEdit()
    field.setWindowTitle(args.app_id)
    out: Path = args.out
    keys = KeyLog(out.with_suffix(".keys"))
    field.installEventFilter(keys)

    def save() -> None:
        tmp = out.with_suffix(".tmp")
        tmp.write_text(field.toPlainText(), encoding="utf-8")
        tmp.replace(out)

    field.textChanged.connect(save)
    save()
    field.show()
    QTimer.singleShot(0, lambda: print("ready", flush=True))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
