"""A horizontal microphone level meter: smoothed RMS bar plus a peak-hold tick, in dBFS.

The worker sends `level_changed(rms_dbfs, peak_dbfs)` once per chunk while someone watches.
The bar rises at once and falls at `RELEASE_DB_PER_S` so it does not flicker; the peak tick
holds for `PEAK_HOLD_S`, then falls. While levels arrive they drive the fall; the timer
animates it only once they stop (`GAP_MS` without one), until everything is at the floor, and
a repaint happens only when a pixel would change. An idle or hidden meter costs no CPU. The
clock is injectable for tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QRect, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QHideEvent,
    QLinearGradient,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

FLOOR_DBFS = -60.0
RELEASE_DB_PER_S = 24.0
PEAK_HOLD_S = 1.5
PEAK_RELEASE_DB_PER_S = 18.0
FRAME_MS = 33
GAP_MS = 120  # levels stopped arriving: the timer takes over the fall


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
        self._shown: tuple[int, int] | None = None  # bar and tick pixels last painted
        self._art_cache: tuple[tuple[int, int, float], QPixmap, QPixmap] | None = None
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

    @property
    def animating(self) -> bool:
        """The fall animation's timer runs (only while something is above the floor)."""
        return self._timer.isActive()

    def set_levels(self, rms_dbfs: float, peak_dbfs: float) -> None:
        """Slot for `worker.level_changed`: rise at once; the fall advances with each level,
        and with the timer once they stop."""
        self._advance()
        rms = _clamp(rms_dbfs)
        peak = _clamp(max(peak_dbfs, rms_dbfs))
        self._level_db = max(self._level_db, rms)
        if peak >= self._peak_db:
            self._peak_db = peak
            self._peak_set_at = self._clock()
        if self._at_floor():
            self._timer.stop()
        else:
            self._timer.start(GAP_MS)  # restarted by every level: fires only in a gap
        self._repaint()

    def reset(self) -> None:
        """Back to silence (dictation stopped, or hidden)."""
        self._level_db = self._peak_db = FLOOR_DBFS
        self._timer.stop()
        self._repaint()

    def tick(self) -> None:
        """Advance the release animation to the clock's now (the timer, in a gap)."""
        self._advance()
        if self._at_floor():
            self._timer.stop()
        elif self._timer.interval() != FRAME_MS:
            self._timer.start(FRAME_MS)
        self._repaint()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.reset()  # no animation nobody sees

    def _advance(self) -> None:
        now = self._clock()
        dt = max(0.0, now - self._last_tick)
        self._last_tick = now
        self._level_db = max(FLOOR_DBFS, self._level_db - RELEASE_DB_PER_S * dt)
        if now - self._peak_set_at > PEAK_HOLD_S:
            self._peak_db = max(FLOOR_DBFS, self._peak_db - PEAK_RELEASE_DB_PER_S * dt)

    def _at_floor(self) -> bool:
        return self._level_db <= FLOOR_DBFS and self._peak_db <= FLOOR_DBFS

    def _repaint(self) -> None:
        """Schedule a paint only when the bar or the tick moves by a pixel."""
        width = max(1, self.width() - 3)
        shown = (round(width * _fraction(self._level_db)), round(width * _fraction(self._peak_db))
                 if self._peak_db > FLOOR_DBFS else -1)
        if shown != self._shown:
            self._shown = shown
            self.update()

    # -- view ------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(200, 12)

    def minimumSizeHint(self) -> QSize:
        return QSize(60, 10)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._shown = None  # the pixels of the same levels moved

    def paintEvent(self, event: QPaintEvent) -> None:
        """The track and the full bar are drawn once per size into pixmaps (antialiased
        rounded shapes and a gradient cost more than copying); each level copies the bar's
        left part and draws the peak tick."""
        track, bar = self._art()
        painter = QPainter(self)
        painter.drawPixmap(0, 0, track)
        inner = _inner(self.rect())
        width = inner.width() * _fraction(self._level_db)
        if width > 0:
            shown = inner.left() + max(width, inner.height())
            dpr = bar.devicePixelRatio()
            painter.drawPixmap(QRectF(0, 0, shown, self.height()), bar,
                               QRectF(0, 0, shown * dpr, self.height() * dpr))
        if self._peak_db > FLOOR_DBFS:
            x = inner.left() + inner.width() * _fraction(self._peak_db)
            painter.setPen(QColor("#2b2f36"))
            painter.drawLine(int(x), int(inner.top()), int(x), int(inner.bottom()))
        painter.end()

    def _art(self) -> tuple[QPixmap, QPixmap]:
        key = (self.width(), self.height(), self.devicePixelRatioF())
        if self._art_cache is None or self._art_cache[0] != key:
            track, bar = self._blank(), self._blank()
            painter = QPainter(track)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
            painter.setPen(QColor("#c3c8d0"))
            painter.setBrush(QColor("#eef0f3"))
            painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
            painter.end()
            painter = QPainter(bar)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            inner = _inner(self.rect())
            gradient = QLinearGradient(inner.left(), 0, inner.right(), 0)
            gradient.setColorAt(0.0, QColor("#3fae5a"))
            gradient.setColorAt(0.7, QColor("#a9c93b"))
            gradient.setColorAt(0.88, QColor("#e0a43a"))
            gradient.setColorAt(1.0, QColor("#d93a3a"))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(gradient)
            painter.drawRoundedRect(inner, inner.height() / 2, inner.height() / 2)
            painter.end()
            self._art_cache = (key, track, bar)
        return self._art_cache[1], self._art_cache[2]

    def _blank(self) -> QPixmap:
        dpr = self.devicePixelRatioF()
        pixmap = QPixmap(max(1, round(self.width() * dpr)), max(1, round(self.height() * dpr)))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.GlobalColor.transparent)
        return pixmap


def _inner(rect: QRect) -> QRectF:
    return QRectF(rect).adjusted(2.0, 2.0, -2.0, -2.0)


def _clamp(db: float) -> float:
    if db != db:  # NaN: treat as silence
        return FLOOR_DBFS
    return min(0.0, max(FLOOR_DBFS, db))


def _fraction(db: float) -> float:
    return (_clamp(db) - FLOOR_DBFS) / -FLOOR_DBFS
