"""A small always-on-top overlay with the live partial transcript while dictating, and how
a push-to-talk dictation ended ("Inserted", "Nothing heard", "Not inserted: why") for a
moment afterwards. It never takes the focus (feature-bar: insert into the window that had
focus; never steal it with our own UI): a frameless tool window that does not accept focus
and shows without activating. It grows to show the last `MAX_LINES` lines of a partial
(the tail of a longer one), anchored at the bottom of the screen. Talks to the worker only
through `state_changed` and `partial_changed`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..core.lifecycle import DictationState
from .labels import state_label

MAX_LINES = 2
WIDTH = 420
MARGINS = 10
OUTCOME_S = 2.0  # how long an outcome stays up
OUTCOME_LABELS = {"inserted": "Inserted", "nothing heard": "Nothing heard",
                  "not inserted": "Not inserted", "cancelled": "Cancelled"}


def tail_that_fits(text: str, metrics: QFontMetrics, width: int, lines: int) -> str:
    """`text`, or "…" and its last words, whatever fits into `lines` wrapped lines."""
    def fits(candidate: str) -> bool:
        rect = metrics.boundingRect(QRect(0, 0, width, 1 << 20),
                                    int(Qt.TextFlag.TextWordWrap), candidate)
        return rect.height() <= lines * metrics.lineSpacing()

    if fits(text):
        return text
    words = text.split(" ")
    low, high = 1, len(words)  # drop the first `low`..`high` words
    while low < high:
        middle = (low + high) // 2
        if fits("…" + " ".join(words[middle:])):
            high = middle
        else:
            low = middle + 1
    tail = "…" + " ".join(words[low:])
    while not fits(tail) and len(tail) > 2:  # one word longer than the lines
        tail = "…" + tail[2:]
    return tail


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
        self._outcome_timer = QTimer(self)
        self._outcome_timer.setSingleShot(True)
        self._outcome_timer.timeout.connect(self._outcome_over)
        self.showing_outcome = False
        self.state_text = QLabel(self)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        for label in (self.state_text, self.text):
            label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGINS, 6, MARGINS, 6)
        layout.addWidget(self.state_text)
        layout.addWidget(self.text)
        self.setStyleSheet("background: rgba(20, 20, 20, 220); color: white;"
                           "border-radius: 6px;")
        self.setFixedWidth(WIDTH)
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
        if state.active and not self._active:
            self.text.setText("")  # a new dictation: not the last one's tail
            self._outcome_timer.stop()
            self.showing_outcome = False
        if not self.showing_outcome:
            self.state_text.setText(state_label(state))
        self._active = state.active
        self._update()

    def show_outcome(self, outcome: str, detail: str = "") -> None:
        """How a push-to-talk dictation ended, shown for `OUTCOME_S` (unless a new one
        starts)."""
        if self._active:
            return  # a new dictation is already running: its live text matters more
        self.showing_outcome = True
        self.state_text.setText(OUTCOME_LABELS.get(outcome, outcome))
        self.set_partial(detail)
        self._outcome_timer.start(int(OUTCOME_S * 1000))
        self._update()

    def _outcome_over(self) -> None:
        self.showing_outcome = False
        self._update()

    def _update(self) -> None:
        if (self._active or self.showing_outcome) and self._enabled:
            self._place()
            if not self.isVisible():
                self.show()
        else:
            self.hide()

    def set_partial(self, text: str) -> None:
        width = WIDTH - 2 * MARGINS
        self.text.setText(tail_that_fits(text, self.text.fontMetrics(), width, MAX_LINES))
        if self.isVisible():
            self._place()  # two lines need more height than one

    def _place(self) -> None:
        screen = QGuiApplication.primaryScreen()
        layout = self._layout
        layout.activate()
        self.resize(WIDTH, layout.totalHeightForWidth(WIDTH) if layout.hasHeightForWidth()
                    else self.sizeHint().height())
        layout.activate()  # the labels get their new heights now, not at the next paint
        if screen is None:
            return
        area = screen.availableGeometry()
        self.move(area.center().x() - self.width() // 2, area.bottom() - self.height() - 40)
