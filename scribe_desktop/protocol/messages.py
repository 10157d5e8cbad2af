"""Every wire message as a small frozen dataclass (protocol doc §5, §6).

Units are in field names (`start_s`, `sample_rate_hz`). `config` and unknown payloads are kept
as read-only mappings: the client treats `session_started.config` as opaque (rule C2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from .errors import ErrorType


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


class WordType(StrEnum):
    """`words[].type`; other values are kept as plain strings (rule B1)."""

    WORD = "word"
    SPACING = "spacing"
    AUDIO_EVENT = "audio_event"


# --- client -> server -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InputAudioChunk:
    """`input_audio_chunk`: raw audio in the session's format; an empty chunk with
    `commit=True` is the commit (§5.2)."""

    audio: bytes
    commit: bool = False
    sample_rate_hz: int | None = None
    previous_text: str | None = None


ClientMessage = InputAudioChunk


# --- server -> client -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Character:
    """One entry of `words[].characters`, which comes as strings (old) or objects (new)."""

    text: str
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True, slots=True)
class Word:
    """One `words[]` item; times are stream-global seconds (§6.6)."""

    text: str
    start_s: float | None = None
    end_s: float | None = None
    type: WordType | str = WordType.WORD
    speaker_id: str | None = None
    logprob: float | None = None
    characters: tuple[Character, ...] | None = None
    channel_index: int | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """One detected entity of `committed_transcript_entities` (§6.7)."""

    text: str
    entity_type: str
    start_char: int | None = None
    end_char: int | None = None


@dataclass(frozen=True, slots=True)
class SessionStarted:
    """First server message; `config` is opaque (two incompatible shapes exist, §6.1)."""

    session_id: str
    config: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True, slots=True)
class PartialTranscript:
    """The whole uncommitted segment so far: it replaces the previous partial (rule C3)."""

    text: str


@dataclass(frozen=True, slots=True)
class FinalTranscript:
    """Settled, not yet committed text of a segment (§6.3)."""

    text: str


@dataclass(frozen=True, slots=True)
class FinalTranscriptWithTimestamps:
    text: str
    language_code: str | None = None
    words: tuple[Word, ...] | None = None


@dataclass(frozen=True, slots=True)
class CommittedTranscript:
    """The text of a segment ended by a commit; may be "" (§6.5)."""

    text: str


@dataclass(frozen=True, slots=True)
class CommittedTranscriptWithTimestamps:
    """Enrichment of the preceding `CommittedTranscript`, never a new segment (rule C4)."""

    text: str
    language_code: str | None = None
    words: tuple[Word, ...] | None = None


@dataclass(frozen=True, slots=True)
class CommittedTranscriptEntities:
    text: str
    entities: tuple[Entity, ...] = ()


@dataclass(frozen=True, slots=True)
class RedactedTranscript:
    """The committed `text` with the entities of `entity_redaction` replaced (§6.8)."""

    text: str
    redacted_text: str


@dataclass(frozen=True, slots=True)
class ServerError:
    """Any of the 14 error messages: `{"message_type": <type>, "error": <text>}` (rule B2)."""

    error_type: ErrorType
    error: str


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    """A message this code does not know; kept, never an exception (rule B1)."""

    message_type: str
    payload: Mapping[str, Any] = field(default_factory=_empty)


ServerMessage = (
    SessionStarted
    | PartialTranscript
    | FinalTranscript
    | FinalTranscriptWithTimestamps
    | CommittedTranscript
    | CommittedTranscriptWithTimestamps
    | CommittedTranscriptEntities
    | RedactedTranscript
    | ServerError
    | UnknownMessage
)


def frozen_mapping(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only shallow copy, so a message never aliases a caller's dict."""
    return MappingProxyType(dict(data))
