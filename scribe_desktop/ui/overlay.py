"""A small always-on-top overlay with the live partial transcript while dictating. It never
takes the focus (feature-bar: insert into the window that had focus; never steal it with our
own UI): a frameless tool window that does not accept focus and shows without activating.
Talks to the worker only through `state_changed` and `partial_changed`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..core.lifecycle import DictationState
from .labels import state_label

MAX_CHARS = 160  # the tail of a long partial


class PartialOverlay(QWidget):
    """Shown while a dictation is active, hidden otherwise; `enabled` turns it off."""

    def __init__(self, worker: Any, *, enabled: bool = True) -> None:
        super().__init__(None, Qt.WindowType.ToolTip | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint
                         | Qt.WindowType.WindowDoesNotAcceptFocus
                         | Qt.WindowType.X11BypassWindowManagerHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._enabled = enabled
        self._active = False
        self.state_text = QLabel(self)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        for label in (self.state_text, self.text):
            label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.state_text)
        layout.addWidget(self.text)
        self.setStyleSheet("background: rgba(20, 20, 20, 220); color: white;"
                           "border-radius: 6px;")
        self.setFixedWidth(420)
        worker.state_changed.connect(self.set_state)
        worker.partial_changed.connect(self.set_partial)

    @property
    def enabled(self) -> bool:
        return self._enabled

    @enabled.setter
    def enabled(self, on: bool) -> None:
        """The show_overlay setting; turning it off hides a visible overlay at once."""
        self._enabled = on
        self._update()

    def set_state(self, state: object) -> None:
        if not isinstance(state, DictationState):
            return
        self.state_text.setText(state_label(state))
        if state.active and not self._active:
            self.text.setText("")  # a new dictation: not the last one's tail
        self._active = state.active
        self._update()

    def _update(self) -> None:
        if self._active and self._enabled:
            if not self.isVisible():
                self._place()
                self.show()
        else:
            self.hide()

    def set_partial(self, text: str) -> None:
        self.text.setText(text if len(text) <= MAX_CHARS else "…" + text[-MAX_CHARS:])

    def _place(self) -> None:
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        self.adjustSize()
        self.move(area.center().x() - self.width() // 2, area.bottom() - self.height() - 40)
