"""A horizontal microphone level meter: smoothed RMS bar plus a peak-hold tick, in dBFS.

The worker sends `level_changed(rms_dbfs, peak_dbfs)` at audio-block rate (tens of Hz). The bar
rises at once and falls at `RELEASE_DB_PER_S` so it does not flicker; the peak tick holds for
`PEAK_HOLD_S`, then falls. A timer animates the fall only while something is above the floor,
so an idle meter costs no CPU. The clock is injectable for tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

FLOOR_DBFS = -60.0
RELEASE_DB_PER_S = 24.0
PEAK_HOLD_S = 1.5
PEAK_RELEASE_DB_PER_S = 18.0
FRAME_MS = 33


class LevelMeter(QWidget):
    """Shows the input level; `set_levels()` is its only input. Never takes focus."""

    def __init__(self, parent: QWidget | None = None, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self._clock = clock
        self._level_db = FLOOR_DBFS
        self._peak_db = FLOOR_DBFS
        self._peak_set_at = 0.0
        self._last_tick = clock()
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self.tick)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Microphone level (dBFS)")

    # -- model -----------------------------------------------------------------------------
    @property
    def level_db(self) -> float:
        """The displayed (smoothed) RMS level."""
        return self._level_db

    @property
    def peak_db(self) -> float:
        """The displayed peak-hold level."""
        return self._peak_db

    def set_levels(self, rms_dbfs: float, peak_dbfs: float) -> None:
        """Slot for `worker.level_changed`: rise at once, let `tick()` handle the fall."""
        self.tick()
        rms = _clamp(rms_dbfs)
        peak = _clamp(max(peak_dbfs, rms_dbfs))
        self._level_db = max(self._level_db, rms)
        if peak >= self._peak_db:
            self._peak_db = peak
            self._peak_set_at = self._clock()
        if not self._timer.isActive():
            self._timer.start()
        self.update()

    def reset(self) -> None:
        """Back to silence (dictation stopped)."""
        self._level_db = self._peak_db = FLOOR_DBFS
        self._timer.stop()
        self.update()

    def tick(self) -> None:
        """Advance the release animation to the clock's now."""
        now = self._clock()
        dt = max(0.0, now - self._last_tick)
        self._last_tick = now
        self._level_db = max(FLOOR_DBFS, self._level_db - RELEASE_DB_PER_S * dt)
        if now - self._peak_set_at > PEAK_HOLD_S:
            self._peak_db = max(FLOOR_DBFS, self._peak_db - PEAK_RELEASE_DB_PER_S * dt)
        if self._level_db <= FLOOR_DBFS and self._peak_db <= FLOOR_DBFS:
            self._timer.stop()
        self.update()

    # -- view ------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(200, 12)

    def minimumSizeHint(self) -> QSize:
        return QSize(60, 10)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        radius = rect.height() / 2
        painter.setPen(QColor("#c3c8d0"))
        painter.setBrush(QColor("#eef0f3"))
        painter.drawRoundedRect(rect, radius, radius)
        inner = rect.adjusted(1.5, 1.5, -1.5, -1.5)
        width = inner.width() * _fraction(self._level_db)
        if width > 0:
            gradient = QLinearGradient(inner.left(), 0, inner.right(), 0)
            gradient.setColorAt(0.0, QColor("#3fae5a"))
            gradient.setColorAt(0.7, QColor("#a9c93b"))
            gradient.setColorAt(0.88, QColor("#e0a43a"))
            gradient.setColorAt(1.0, QColor("#d93a3a"))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(gradient)
            r = inner.height() / 2
            painter.drawRoundedRect(QRectF(inner.left(), inner.top(), max(width, inner.height()),
                                           inner.height()), r, r)
        if self._peak_db > FLOOR_DBFS:
            x = inner.left() + inner.width() * _fraction(self._peak_db)
            painter.setPen(QColor("#2b2f36"))
            painter.drawLine(int(x), int(inner.top()), int(x), int(inner.bottom()))
        painter.end()


def _clamp(db: float) -> float:
    if db != db:  # NaN: treat as silence
        return FLOOR_DBFS
    return min(0.0, max(FLOOR_DBFS, db))


def _fraction(db: float) -> float:
    return (_clamp(db) - FLOOR_DBFS) / -FLOOR_DBFS
