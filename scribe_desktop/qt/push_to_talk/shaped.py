"""Push-to-talk's view of the shaped text: each committed segment's current text
(`Segment.shaped`, else the raw text) and which segments each insertion carried. Loop-only.

The worker's `ShapedDocument` reports later changes of a segment as `segment_enriched`: a
"scratch that" blanks it (""), "undo that" brings it back, a spoken mark moves onto it
("Hello world" -> "Hello world,"). A segment not inserted yet is simply inserted with its
current text; for one already inserted, `batch_of` names the insertion that carried it, which
push-to-talk revises through the insertion ledger (`Inserter.revise`: the undo chord's
conditions, so no user text is ever touched).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from ...core.transcript import Segment
from ...inject.inserter import Insertion
from ...inject.ledger import Landed
from ...shaping import join

MAX_BATCHES = 50  # the ledger only edits its last entry; a few back is plenty
MAX_SEGMENTS = 1000


def segment_text(segment: Segment) -> str:
    """What push-to-talk inserts for a segment: its shaped text where shaping ran."""
    return segment.shaped if segment.shaped is not None else segment.text


def combine(texts: Iterable[str], *, capitalize: bool = True) -> str:
    """Segments' texts as one insertion, joined by the one spacing rule (`shaping.join`):
    a space between words, none before a mark or a newline, newlines kept."""
    combined = ""
    for text in texts:
        combined = join(combined, text, capitalize=capitalize) if combined \
            else text.strip(" \t")
    return combined


@dataclass(slots=True)
class Batch:
    """One insertion: the segments it carried, what was known before it, what landed."""

    record: Insertion
    indices: tuple[int, ...]
    context: str | None
    entry: Landed | None  # its ledger entry (None: only copied)
    text: str  # the segments' combined text it inserted


class ShapedSegments:
    """The segments' current texts and the insertions that carried them."""

    def __init__(self, *, capitalize: bool = True) -> None:
        self.capitalize = capitalize
        self._texts: dict[int, str] = {}
        self._batches: deque[Batch] = deque(maxlen=MAX_BATCHES)

    def added(self, segment: Segment) -> None:
        """A committed segment. An index seen before means the transcript started over
        (cleared): what was mapped to it is forgotten, never applied to the new one."""
        if segment.index in self._texts:
            stale = [b for b in self._batches if segment.index in b.indices]
            for batch in stale:
                self._batches.remove(batch)
        self._texts[segment.index] = segment_text(segment)
        while len(self._texts) > MAX_SEGMENTS:
            del self._texts[next(iter(self._texts))]

    def enriched(self, segment: Segment) -> bool:
        """A known segment's text changed; False if it is unknown or unchanged."""
        old = self._texts.get(segment.index)
        if old is None or old == segment_text(segment):
            return False
        self._texts[segment.index] = segment_text(segment)
        return True

    def text_of(self, indices: Iterable[int]) -> str:
        """The segments' current texts as one insertion."""
        return combine((self._texts.get(i, "") for i in indices), capitalize=self.capitalize)

    def landed(self, batch: Batch) -> None:
        self._batches.append(batch)

    def batch_of(self, index: int) -> Batch | None:
        """The insertion that carried segment `index`, if any."""
        return next((b for b in reversed(self._batches) if index in b.indices), None)
