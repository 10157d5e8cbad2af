"""One detected entity: where it is in the original text, its type and its canonical value."""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import EntityType


@dataclass(frozen=True, slots=True)
class Found:
    start: int  # character offsets in the original text, end exclusive (Python str indices)
    end: int
    type: EntityType
    # the value normalised (digits only, lower-case address, ISO date...): what makes two
    # mentions "the same value" for enumerated redaction, whether written or spoken
    value: str


def resolve_overlaps(found: list[Found]) -> list[Found]:
    """Keep the longest of overlapping candidates (earlier detectors win ties), by start."""
    kept: list[Found] = []
    for cand in sorted(enumerate(found), key=lambda p: (-(p[1].end - p[1].start), p[0])):
        f = cand[1]
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)
