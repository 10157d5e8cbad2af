"""Property-based fuzzing: the decoders raise nothing but DecodeError, whatever comes in."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scribe_desktop.protocol import (
    DecodeError,
    ErrorType,
    decode_client_message,
    decode_server_message,
    encode_client_message,
    encode_server_message,
)

MESSAGE_TYPES = [
    "session_started", "partial_transcript", "final_transcript",
    "final_transcript_with_timestamps", "committed_transcript",
    "committed_transcript_with_timestamps", "committed_transcript_entities",
    "input_audio_chunk", "commit", "warning", *[t.value for t in ErrorType],
]
FIELDS = ["text", "words", "characters", "start", "end", "type", "speaker_id", "logprob",
          "channel_index", "language_code", "config", "session_id", "entities", "entity_type",
          "start_char", "end_char", "error", "audio_base_64", "commit", "sample_rate",
          "previous_text", "message_type"]

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), children, max_size=6),
    max_leaves=30,
)
message_like = st.fixed_dictionaries(
    {"message_type": st.sampled_from(MESSAGE_TYPES)},
    optional={f: json_values for f in FIELDS if f != "message_type"},
)


def _decode_both(data: str | bytes) -> None:
    for decode in (decode_server_message, decode_client_message):
        try:
            msg = decode(data)
        except DecodeError:
            continue
        # Whatever decodes must encode again without raising.
        if decode is decode_server_message:
            encode_server_message(msg)  # type: ignore[arg-type]
        elif hasattr(msg, "audio"):
            encode_client_message(msg)  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_raise_only_decode_error(data: bytes) -> None:
    """Arbitrary bytes never raise anything but DecodeError."""
    _decode_both(data)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_arbitrary_json_raises_only_decode_error(value: object) -> None:
    """Arbitrary JSON values never raise anything but DecodeError."""
    _decode_both(json.dumps(value))


@settings(max_examples=800, deadline=None)
@given(message_like)
def test_message_shaped_json_raises_only_decode_error(value: dict[str, object]) -> None:
    """JSON objects shaped like protocol messages never raise anything but DecodeError."""
    _decode_both(json.dumps(value))


def test_deeply_nested_json_is_a_decode_error() -> None:
    """Pathologically nested JSON is rejected as DecodeError, not RecursionError."""
    deep = '{"message_type":' + "[" * 100_000 + "]" * 100_000 + "}"
    for decode in (decode_server_message, decode_client_message):
        with pytest.raises(DecodeError, match="JSON"):
            decode(deep)
