"""Entity detection and redaction on committed transcripts, offline and deterministic.

Stdlib only and pure (no I/O): checksummed and pattern-validated entities in the written form
("john@example.com", "4111 1111 1111 1111") and the spoken one ("john dot smith at example
dot com", "four one one one ..."), with spans in the original text. What is and is not
detected, and why: docs/privacy.md.
"""

from .annotate import EntityAnnotator, EntityState, entity_messages
from .catalog import CATEGORIES, NOT_SUPPORTED, SUPPORTED, EntityType, select
from .detect import detect
from .found import Found
from .redact import Enumerator, redact

__all__ = ["CATEGORIES", "NOT_SUPPORTED", "SUPPORTED", "EntityAnnotator", "EntityState",
           "EntityType", "Enumerator", "Found", "detect", "entity_messages", "redact",
           "select"]
