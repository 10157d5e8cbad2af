"""The first-run welcome (Help → Welcome… reopens it): four short steps, each skippable.

1. Microphone: pick it by the name the desktop shows, with a live level.
2. Test: record three seconds and play them back (`worker.record_mic_test`/`play_mic_test`).
3. Hotkey: the push-to-talk chord, and a field to try it in.
4. Speech model: the better model, downloaded only on request (`welcome_models.py`).

`completed(bool)` fires once, when the user finishes (True) or skips (False); the window then
records in the settings that the welcome was shown. Non-modal, opened with `show()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..hotkey.backends import ListenerStatus
from ..models import ModelStore
from ..qt.settings import Settings
from ..session.mic_test import MicTest
from ..session.user_errors import UserError
from .hotkey_settings import chord_label
from .level_meter import LevelMeter
from .welcome_models import ModelsPage

if TYPE_CHECKING:
    from ..qt.worker.api import WorkerApi

STEPS = ("Microphone", "Test recording", "Push-to-talk", "Speech model")
TEST_SECONDS = 3.0


def _text(text: str, parent: QWidget, name: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


class Welcome(QDialog):
    """The welcome steps over `worker`; `devices` are the microphones the window lists."""

    completed = Signal(bool)  # True: finished, False: skipped

    def __init__(self, worker: WorkerApi, settings: Settings, *, devices: list[str],
                 store: ModelStore, endpoint: str | None = None,
                 hotkey_status: ListenerStatus | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.setWindowTitle("Welcome to scribe-desktop")
        self.setModal(False)
        self.resize(600, 460)
        self.worker = worker
        self.settings = settings
        self._reported = False
        self.step_label = QLabel(self)
        self.step_label.setObjectName("welcomeStep")
        font = self.step_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.step_label.setFont(font)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._microphone_page(devices))
        self.pages.addWidget(self._test_page())
        self.pages.addWidget(self._hotkey_page(hotkey_status))
        self.models = ModelsPage(store, endpoint=endpoint, parent=self)
        self.pages.addWidget(self.models)

        self.skip_button = QPushButton("Skip", self)
        self.back_button = QPushButton("Back", self)
        self.next_button = QPushButton("Next", self)
        self.next_button.setDefault(True)
        self.skip_button.clicked.connect(self.skip)
        self.back_button.clicked.connect(lambda: self.go(self.pages.currentIndex() - 1))
        self.next_button.clicked.connect(self._next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.addWidget(self.step_label)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)

        worker.level_changed.connect(self.level.set_levels)
        worker.devices_changed.connect(self.set_devices)
        worker.mic_test_recorded.connect(self._on_recorded)
        worker.mic_test_played.connect(self._on_played)
        self.go(0)

    # -- pages -----------------------------------------------------------------------------
    def _microphone_page(self, devices: list[str]) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(_text("Choose the microphone you will speak into. The bar below "
                               "moves when it hears you: say something.", page))
        self.device = QComboBox(page)
        self.device.setObjectName("welcomeDevice")
        self.device.activated.connect(self._on_device_chosen)
        layout.addWidget(self.device)
        self.level = LevelMeter(page)
        layout.addWidget(self.level)
        layout.addStretch(1)
        self.set_devices(devices)
        return page

    def _test_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(_text(f"Record {TEST_SECONDS:g} seconds and listen to them: this is "
                               "what the transcription hears.", page))
        row = QHBoxLayout()
        self.record_button = QPushButton(f"Record {TEST_SECONDS:g} seconds", page)
        self.record_button.clicked.connect(self.record)
        self.play_button = QPushButton("Play it back", page)
        self.play_button.setEnabled(False)
        self.play_button.clicked.connect(self.play)
        row.addWidget(self.record_button)
        row.addWidget(self.play_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.test_status = _text("", page, "testStatus")
        layout.addWidget(self.test_status)
        layout.addStretch(1)
        return page

    def _hotkey_page(self, status: ListenerStatus | None) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        chord = chord_label(self.settings.hotkey)
        if not self.settings.hotkey_enabled:
            how = ("The global hotkey is turned off (Settings → Dictation hotkey); the "
                   "window's Start button and Ctrl+Space still work.")
        elif status is not None and not status.available:
            how = f"There is no global hotkey on this desktop. {status.message}"
        else:
            how = (f"Hold {chord} in any app, speak, and release: the text is typed where "
                   "the cursor is. Try it in the field below.")
        self.hotkey_text = _text(how, page, "welcomeHotkey")
        layout.addWidget(self.hotkey_text)
        self.try_field = QLineEdit(page)
        self.try_field.setObjectName("welcomeTryField")
        self.try_field.setPlaceholderText(f"Click here, hold {chord}, say something, release")
        layout.addWidget(self.try_field)
        layout.addStretch(1)
        return page

    # -- navigation ------------------------------------------------------------------------
    def go(self, index: int) -> None:
        index = max(0, min(index, self.pages.count() - 1))
        self.pages.setCurrentIndex(index)
        self.step_label.setText(f"Step {index + 1} of {len(STEPS)}: {STEPS[index]}")
        self.back_button.setEnabled(index > 0)
        self.next_button.setText("Finish" if index == self.pages.count() - 1 else "Next")
        if index == 2:
            self.try_field.setFocus()

    def _next(self) -> None:
        if self.pages.currentIndex() == self.pages.count() - 1:
            self.finish()
        else:
            self.go(self.pages.currentIndex() + 1)

    def finish(self) -> None:
        self._report(True)
        self.accept()

    def skip(self) -> None:
        self._report(False)
        self.reject()

    def reject(self) -> None:  # Esc and the close button skip
        self._report(False)
        if self.models.downloading:
            self.models.cancel()
        super().reject()

    def _report(self, finished: bool) -> None:
        if not self._reported:
            self._reported = True
            self.completed.emit(finished)

    # -- microphone and test ---------------------------------------------------------------
    def set_devices(self, names: list[str]) -> None:
        """The microphones as the desktop names them, the default marked, the chosen one
        (by name) selected."""
        wanted = self.worker.settings.device_name
        default = self.worker.default_device()
        self.device.clear()
        self.device.addItem(f"System default ({default})" if default else "System default",
                            None)
        for name in names:
            self.device.addItem(f"{name} (default)" if name == default else str(name),
                                str(name))
        self.device.setCurrentIndex(max(self.device.findData(wanted), 0) if wanted else 0)

    def _on_device_chosen(self, index: int) -> None:
        name = self.device.itemData(index)
        if name != self.worker.settings.device_name:
            self.worker.select_device(name)
            self.level.reset()

    def record(self) -> None:
        self.record_button.setEnabled(False)
        self.play_button.setEnabled(False)
        self.test_status.setText(f"Recording {TEST_SECONDS:g} seconds… speak now.")
        self.worker.record_mic_test(TEST_SECONDS)

    def play(self) -> None:
        self.play_button.setEnabled(False)
        self.test_status.setText("Playing it back…")
        self.worker.play_mic_test()

    def _on_recorded(self, result: object) -> None:
        self.record_button.setEnabled(True)
        if isinstance(result, UserError):
            self.test_status.setText(f"{result.title}: {result.message}")
            return
        if not isinstance(result, MicTest):
            return
        if result.heard:
            self.test_status.setText(f"Recorded {result.seconds:.1f} s (loudest "
                                     f"{result.peak_dbfs:.0f} dB): the microphone hears you. "
                                     "Play it back to check it sounds clear.")
        else:
            self.test_status.setText(f"Nothing was heard (loudest {result.peak_dbfs:.0f} dB): "
                                     "check that the microphone is not muted, or choose "
                                     "another one in step 1.")
        self.play_button.setEnabled(True)

    def _on_played(self, result: object) -> None:
        self.play_button.setEnabled(True)
        if isinstance(result, UserError):
            self.test_status.setText(f"{result.title}: {result.message}")
        else:
            self.test_status.setText("Played back. If it sounded muffled or too quiet, try "
                                     "another microphone or move closer.")
