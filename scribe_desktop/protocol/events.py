"""The events of a client connection (`connection.ClientConnection.events_received`):
server messages after the receive rules were applied. Stdlib only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .messages import (
    CommittedTranscript,
    CommittedTranscriptEntities,
    CommittedTranscriptWithTimestamps,
    Entity,
    PartialTranscript,
    RedactedTranscript,
    ServerError,
    ServerMessage,
    SessionStarted,
    Word,
)


@dataclass(frozen=True, slots=True)
class Started:
    """`session_started`: the session is open (C1); `config` is opaque (C2)."""

    session_id: str
    config: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Partial:
    """The whole uncommitted segment so far; it replaces the previous one (C3)."""

    text: str


@dataclass(frozen=True, slots=True)
class Commit:
    """A committed segment (text may be empty, C5).

    `index` numbers the commits of the stream (across reconnects) from 0. `answers` is the
    number of our commit request it answers (1-based, see `ClientConnection.commit`), or
    None for a commit the server made on its own. `words` is set only when the timestamped
    form was the only delivery (C4)."""

    index: int
    text: str
    answers: int | None
    certain: bool = True
    words: tuple[Word, ...] | None = None
    language_code: str | None = None

    @property
    def ours(self) -> bool:
        return self.answers is not None


@dataclass(frozen=True, slots=True)
class CommitTimed:
    """Word timings (and language) of the commit numbered `index` (C4)."""

    index: int
    text: str
    words: tuple[Word, ...] | None
    language_code: str | None


@dataclass(frozen=True, slots=True)
class Redacted:
    """`redacted_transcript` of the commit numbered `index` (§6.8): `text` as that commit
    has it (after any replay overlap cut) and `redacted_text`, the text to show instead of
    it when the session asked for `entity_redaction`."""

    index: int
    text: str
    redacted_text: str


@dataclass(frozen=True, slots=True)
class EntitiesFound:
    """`committed_transcript_entities` of the commit numbered `index` (§6.7); the spans
    are offsets into `text` (the commit's text after any replay overlap cut)."""

    index: int
    text: str
    entities: tuple[Entity, ...]


@dataclass(frozen=True, slots=True)
class ServerFailed:
    """An error frame (B2): the server closes the session after it."""

    error: ServerError


@dataclass(frozen=True, slots=True)
class Passed:
    """Any other message, as decoded (final transcripts, unknown types: B1)."""

    message: ServerMessage


@dataclass(frozen=True, slots=True)
class Undecodable:
    """A frame that could not be decoded; skipped, never fatal (B1)."""

    reason: str


ConnectionEvent = (Started | Partial | Commit | CommitTimed | Redacted | EntitiesFound
                   | ServerFailed | Passed | Undecodable)


def as_message(event: ConnectionEvent) -> ServerMessage | None:
    """The wire message an event came from (None for `Undecodable`), e.g. to log it."""
    match event:
        case Started(session_id, config):
            return SessionStarted(session_id, config)
        case Partial(text):
            return PartialTranscript(text)
        case Commit(text=text, words=None):
            return CommittedTranscript(text)
        case Commit():
            return CommittedTranscriptWithTimestamps(event.text, event.language_code,
                                                     event.words)
        case CommitTimed(text=text, words=words, language_code=language):
            return CommittedTranscriptWithTimestamps(text, language, words)
        case Redacted(text=text, redacted_text=redacted):
            return RedactedTranscript(text, redacted)
        case EntitiesFound(text=text, entities=entities):
            return CommittedTranscriptEntities(text, entities)
        case ServerFailed(error):
            return error
        case Passed(message):
            return message
    return None
