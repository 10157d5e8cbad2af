"""Sans-I/O core of the ElevenLabs Scribe v2 Realtime protocol: no sockets, no clock, stdlib only.

See ../shared/docs/scribe-realtime-protocol.md; rule numbers (B1, C3, S4...) cite its
compatibility rules.
"""

from .audio_format import AudioFormat, Encoding
from .codec import (
    DecodeError,
    decode_client_message,
    decode_server_message,
    encode_client_message,
    encode_server_message,
    server_message_to_json,
)
from .errors import FATAL_ERROR_TYPES, ErrorType, parse_error_type
from .messages import (
    Character,
    ClientMessage,
    CommittedTranscript,
    CommittedTranscriptEntities,
    CommittedTranscriptWithTimestamps,
    Entity,
    FinalTranscript,
    FinalTranscriptWithTimestamps,
    InputAudioChunk,
    PartialTranscript,
    RedactedTranscript,
    ServerError,
    ServerMessage,
    SessionStarted,
    UnknownMessage,
    Word,
    WordType,
)
from .options import (
    DEFAULT_MODEL_ID,
    MAX_KEYTERM_CHARS,
    MAX_KEYTERMS,
    MAX_PREVIOUS_TEXT_CHARS,
    MIN_COMMIT_AUDIO_S,
    REALTIME_PATH,
    TOKEN_PATH,
    CommitStrategy,
    EntityRedactionMode,
    OptionsError,
    Region,
    SessionOptions,
    parse_query,
    realtime_url,
    token_url,
)

__all__ = [
    "DEFAULT_MODEL_ID", "FATAL_ERROR_TYPES", "MAX_KEYTERMS", "MAX_KEYTERM_CHARS",
    "MAX_PREVIOUS_TEXT_CHARS", "MIN_COMMIT_AUDIO_S", "REALTIME_PATH", "TOKEN_PATH",
    "AudioFormat", "Character", "ClientMessage", "CommitStrategy",
    "CommittedTranscript", "CommittedTranscriptEntities", "CommittedTranscriptWithTimestamps",
    "DecodeError", "Encoding", "Entity", "EntityRedactionMode", "ErrorType", "FinalTranscript",
    "FinalTranscriptWithTimestamps", "InputAudioChunk", "OptionsError", "PartialTranscript",
    "RedactedTranscript", "Region", "ServerError", "ServerMessage", "SessionOptions",
    "SessionStarted",
    "UnknownMessage", "Word", "WordType", "decode_client_message", "decode_server_message",
    "encode_client_message", "encode_server_message", "parse_error_type", "parse_query",
    "realtime_url", "server_message_to_json", "token_url",
]
