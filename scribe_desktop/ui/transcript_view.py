"""The two transcript panes: the live partial and the committed segments.

* `LivePane` shows the current partial (rule C3: each partial replaces the last), grey and
  italic so it reads as provisional. It never takes focus: the user's keyboard belongs to the
  committed text and to the app they dictate into.
* `CommittedPane` shows one paragraph per committed segment with its start time on the
  pane's own clock (`export.timeline.Timeline`: each dictation is a take placed after the
  ones before, word times when present, else the session time when it was committed), in
  its shaped form (`Segment.shaped`: spoken commands applied, the user's replacements...); a
  segment that adds nothing (a "scratch that", or text it removed) shows what was said, dim
  and struck through. A later `segment_enriched` (rule C4, or a later segment's command)
  updates that paragraph in place. It auto-scrolls while the view is at the bottom and stops
  while the user has scrolled up; scrolling back down resumes it. What it shows is what
  File → Export writes (`export_segments()`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QTextEdit, QWidget

from ..core.transcript import Segment
from ..export.model import ExportSegment
from ..export.timeline import Entry, Timeline

# How close (in pixels) to the bottom still counts as "at the bottom".
_BOTTOM_SLACK_PX = 4
# A line break inside a paragraph (a new block would shift the segment <-> block mapping).
_LINE_SEPARATOR = "\u2028"


def shown_text(segment: Segment) -> str:
    """What the window shows of a segment: its shaped text when it was shaped."""
    return segment.shaped if segment.shaped is not None else segment.text.strip()


def _displayed(text: str) -> str:
    if text and not text.strip():  # only spoken line breaks
        return "¶" if "\n\n" in text else "↵"
    return text.strip(" ").replace("\n", _LINE_SEPARATOR)


def format_time(seconds: float | None) -> str:
    """mm:ss (h:mm:ss past an hour); "--:--" when unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "--:--"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class LivePane(QPlainTextEdit):
    """Read-only, focus-less view of the current partial transcript."""

    PLACEHOLDER = "Live text appears here while you speak…"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("livePane")
        self.setReadOnly(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setPlaceholderText(self.PLACEHOLDER)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        font = self.font()
        font.setItalic(True)
        self.setFont(font)
        self.setStyleSheet("#livePane { color: #6b7280; background: #f7f8fa; }")
        self.setMaximumBlockCount(1)
        lines = 3
        margins = self.contentsMargins()
        height = (self.fontMetrics().lineSpacing() * lines
                  + 2 * int(self.document().documentMargin())
                  + margins.top() + margins.bottom() + 4)
        self.setFixedHeight(height)

    def set_partial(self, text: str) -> None:
        """Slot for `worker.partial_changed`: replace (never append) the shown partial."""
        self.setPlainText(text)
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    def partial(self) -> str:
        return self.toPlainText()


class CommittedPane(QTextEdit):
    """Committed segments with start times; selectable, copyable, updated in place."""

    PLACEHOLDER = "Committed text appears here. Press Start (Ctrl+Space) to dictate."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("committedPane")
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setPlaceholderText(self.PLACEHOLDER)
        self.document().setDocumentMargin(10)
        self.timeline = Timeline()
        self._follow = True
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)
        self._time_format = QTextCharFormat()
        self._time_format.setForeground(QColor("#8a8f98"))
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self._time_format.setFontFamilies(mono.families() or ["monospace"])
        self._time_format.setFontPointSize(max(self.font().pointSizeF() - 1, 7.0))
        self._text_format = QTextCharFormat()
        self._text_format.setForeground(self.palette().text().color())
        self._unused_format = QTextCharFormat()  # said, but it adds nothing to the text
        self._unused_format.setForeground(QColor("#9aa0a6"))
        self._unused_format.setFontStrikeOut(True)
        self._block_format = QTextBlockFormat()
        self._block_format.setBottomMargin(6)

    # -- model -----------------------------------------------------------------------------
    @property
    def segments(self) -> list[Segment]:
        return self.timeline.segments

    @property
    def _entries(self) -> list[Entry]:
        return self.timeline.entries

    def begin_take(self, offset_s: float) -> None:
        """A new dictation starts `offset_s` seconds after the pane's first one began."""
        self.timeline.begin_take(offset_s)

    def export_segments(self) -> tuple[ExportSegment, ...]:
        """What the pane shows, with every take at its place on the pane's clock."""
        return self.timeline.export_segments()

    @property
    def follows_bottom(self) -> bool:
        """True while new text scrolls into view (the user has not scrolled up)."""
        return self._follow

    def add_segment(self, segment: Segment, fallback_s: float | None = None) -> None:
        """Slot for `worker.segment_committed`; `fallback_s` is the session time, used when the
        segment has no word timestamps (yet)."""
        if not segment.text.strip():
            return  # rule C5: an empty commit adds nothing
        entry = self.timeline.add(segment, fallback_s)
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if len(self._entries) > 1:
            cursor.insertBlock(self._block_format)
        else:
            cursor.setBlockFormat(self._block_format)
        self._write(cursor, entry)

    def add_segments(self, segments: list[Segment]) -> None:
        """Append segments of a transcribed file (their own word times, if any)."""
        for segment in segments:
            self.add_segment(segment)

    def set_segments(self, segments: list[Segment]) -> None:
        """Show exactly `segments`, one take (a file's final transcript)."""
        self.clear_segments()
        self.add_segments(segments)

    def enrich_segment(self, segment: Segment) -> bool:
        """Slot for `worker.segment_enriched`: rewrite the matching paragraph in place.

        Matches the current take's entry with the same index (indices restart with each
        dictation). Returns False if none matched.
        """
        row = self.timeline.enrich(segment)
        if row is None:
            return False
        block = self.document().findBlockByNumber(row)
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock,
                            QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        self._write(cursor, self._entries[row])
        return True

    def clear_segments(self) -> None:
        self.timeline.clear()
        self.clear()
        self._follow = True

    def time_labels(self) -> list[str]:
        """The mm:ss label of every segment, in order (what the user sees)."""
        return [format_time(e.start_s) for e in self._entries]

    def plain_text(self) -> str:
        """The committed text as shown (shaped), one segment per line, without times and
        without what adds nothing (for Copy all)."""
        return "\n".join(shown_text(e.segment).strip(" ") for e in self._entries
                         if shown_text(e.segment))

    def timed_text(self) -> str:
        """What the pane shows: "[mm:ss] text" per line (struck text in ~~)."""
        lines = []
        for e in self._entries:
            text, unused = self._label(e.segment)
            lines.append(f"[{format_time(e.start_s)}] " + (f"~~{text}~~" if unused else text))
        return "\n".join(lines)

    @staticmethod
    def _label(segment: Segment) -> tuple[str, bool]:
        """The text a segment's paragraph shows, and whether it is struck through."""
        shown = shown_text(segment)
        if not shown:
            return segment.text.strip(), True
        return _displayed(shown), False

    # -- auto-scroll -----------------------------------------------------------------------
    def scroll_to_bottom(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())
        self._follow = True

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._follow = value >= bar.maximum() - _BOTTOM_SLACK_PX

    def _on_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._follow:
            self.verticalScrollBar().setValue(maximum)

    # -- drawing ---------------------------------------------------------------------------
    def _write(self, cursor: QTextCursor, entry: Entry) -> None:
        follow = self._follow
        cursor.insertText(format_time(entry.start_s), self._time_format)
        text, unused = self._label(entry.segment)
        cursor.insertText("  ", self._text_format)
        cursor.insertText(text, self._unused_format if unused else self._text_format)
        if follow:
            self.scroll_to_bottom()
