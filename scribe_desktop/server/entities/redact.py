"""`redacted_text`: the committed text with each entity replaced by a placeholder.

Placeholders use braces, as both docstrings of `entity_redaction_mode` in the `elevenlabs`
2.78 SDK say (realtime/scribe.py and speech_to_text/client.py): "{REDACTED}",
"{ENTITY_TYPE}", "{ENTITY_TYPE_N}" (the ElevenLabs Agents' history redaction, a different
feature, documents "[EMAIL_ADDRESS]" with square brackets). ENTITY_TYPE is the reported
`entity_type` upper-cased. N counts the distinct values of that type in the session: the
same value, written or spoken, keeps its number for the whole session.
"""

from __future__ import annotations

from ...protocol.options import EntityRedactionMode
from .found import Found


class Enumerator:
    """Numbers per entity type and value, stable for one session."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, str], int] = {}
        self._counts: dict[str, int] = {}

    def number(self, found: Found) -> int:
        key = (found.type.name, found.value)
        number = self._numbers.get(key)
        if number is None:
            number = self._counts.get(found.type.name, 0) + 1
            self._counts[found.type.name] = number
            self._numbers[key] = number
        return number


def placeholder(found: Found, mode: EntityRedactionMode, enumerator: Enumerator) -> str:
    name = found.type.name.upper()
    if mode is EntityRedactionMode.REDACTED:
        return "{REDACTED}"
    if mode is EntityRedactionMode.ENTITY_TYPE:
        return "{" + name + "}"
    return "{" + f"{name}_{enumerator.number(found)}" + "}"


def redact(text: str, found: list[Found], mode: EntityRedactionMode,
           enumerator: Enumerator) -> str:
    """`text` with every entity of `found` (sorted, not overlapping) replaced."""
    pieces: list[str] = []
    at = 0
    for f in found:
        pieces.append(text[at:f.start])
        pieces.append(placeholder(f, mode, enumerator))
        at = f.end
    pieces.append(text[at:])
    return "".join(pieces)
