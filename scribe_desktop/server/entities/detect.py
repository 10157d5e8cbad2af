"""Find the entities of one committed text: every detector, overlaps resolved, filtered.

All detectors always run and overlaps are resolved before filtering by the requested types,
so a request for phone numbers alone never reports part of a card number as a phone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .catalog import EntityType
from .dates import detect_dobs
from .found import Found, resolve_overlaps
from .numbers import detect_numbers
from .spoken import detect_spoken
from .tokens import numeric_runs, tokenize
from .written import detect_written


def detect(text: str, types: Iterable[EntityType], *, today: dt.date | None = None
           ) -> list[Found]:
    """The entities of `types` in `text`, by start offset, none overlapping."""
    wanted = frozenset(types)
    if not wanted or not text.strip():
        return []
    tokens = tokenize(text)
    found = detect_written(text)
    found += detect_spoken(tokens)
    found += detect_numbers(text, tokens, numeric_runs(text, tokens))
    found += detect_dobs(text, tokens, today)
    return [f for f in resolve_overlaps(found) if f.type in wanted]
