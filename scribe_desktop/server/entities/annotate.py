"""The server side of §6.7 / §6.8: after each committed transcript (and its
`committed_transcript_with_timestamps`), `committed_transcript_entities` when the session
asked for `entity_detection`, then `redacted_transcript` when it asked for
`entity_redaction`. Unknown types and categories select nothing: the messages still come,
with no entities.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ...protocol.messages import (
    CommittedTranscript,
    CommittedTranscriptEntities,
    CommittedTranscriptWithTimestamps,
    Entity,
    RedactedTranscript,
    ServerMessage,
)
from ...protocol.options import SessionOptions
from .catalog import select
from .detect import detect
from .redact import Enumerator, redact


class EntityState:
    """What one session keeps between segments: the types asked for and the numbering."""

    def __init__(self, options: SessionOptions) -> None:
        self.detection = select(options.entity_detection)
        self.redaction = select(options.entity_redaction)
        self.enumerator = Enumerator()


def entity_messages(text: str, options: SessionOptions, state: EntityState
                    ) -> list[ServerMessage]:
    """The messages that follow the committed transcript `text` (none if not asked for)."""
    out: list[ServerMessage] = []
    if not options.entity_detection and not options.entity_redaction:
        return out
    found = detect(text, state.detection | state.redaction)
    if options.entity_detection:
        out.append(CommittedTranscriptEntities(text, tuple(
            Entity(text[f.start:f.end], f.type.name, f.start, f.end)
            for f in found if f.type in state.detection)))
    if options.entity_redaction:
        redacted = [f for f in found if f.type in state.redaction]
        out.append(RedactedTranscript(text, redact(
            text, redacted, options.effective_entity_redaction_mode, state.enumerator)))
    return out


class EntityAnnotator:
    """Inserts the entity messages into a session's outgoing stream, in the order of §6.9:
    committed_transcript, [committed_transcript_with_timestamps], [entities], [redacted]."""

    def __init__(self, options: SessionOptions) -> None:
        self._options = options
        self._state = EntityState(options)
        self.active = bool(options.entity_detection or options.entity_redaction)

    def annotate(self, messages: Iterable[ServerMessage]) -> Iterator[ServerMessage]:
        if not self.active:
            yield from messages
            return
        # with include_timestamps every committed transcript is followed by its timestamped
        # copy (rule C4): the entities come after that one, whatever the batching
        last = CommittedTranscriptWithTimestamps if self._options.include_timestamps \
            else CommittedTranscript
        for message in messages:
            yield message
            if isinstance(message, last):
                yield from entity_messages(message.text, self._options, self._state)
