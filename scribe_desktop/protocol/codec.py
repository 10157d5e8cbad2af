"""JSON <-> message dataclasses, both directions, sans-I/O.

Decoding is lenient (rule B1): unknown fields are ignored, optional fields may be absent or
null, unknown `message_type`s become `UnknownMessage`. Anything that is not a usable message
raises `DecodeError` and nothing else, whatever bytes come in.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from typing import Any

from .errors import parse_error_type
from .messages import (
    Character,
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
    frozen_mapping,
)

INPUT_AUDIO_CHUNK = "input_audio_chunk"


class DecodeError(ValueError):
    """A frame that is not a usable message; the text says what is wrong with it."""


# --- helpers ------------------------------------------------------------------------------------


def _load_object(data: str | bytes) -> dict[str, Any]:
    if isinstance(data, bytes | bytearray | memoryview):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecodeError(f"frame is not UTF-8 text: {exc}") from None
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise DecodeError(f"frame is not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise DecodeError(f"frame is a JSON {type(obj).__name__}, expected an object")
    return obj


def _str(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise DecodeError(f"field {key!r} must be a string, got {_kind(value)}")
    return value


def _opt_str(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise DecodeError(f"field {key!r} must be a string or null, got {_kind(value)}")


def _opt_float(obj: Mapping[str, Any], key: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise DecodeError(f"field {key!r} must be a number or null, got {_kind(value)}")


def _opt_int(obj: Mapping[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise DecodeError(f"field {key!r} must be an integer or null, got {_kind(value)}")


def _opt_bool(obj: Mapping[str, Any], key: str, default: bool) -> bool:
    value = obj.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    raise DecodeError(f"field {key!r} must be true or false, got {_kind(value)}")


def _opt_list(obj: Mapping[str, Any], key: str) -> list[Any] | None:
    value = obj.get(key)
    if value is None or isinstance(value, list):
        return value
    raise DecodeError(f"field {key!r} must be a list or null, got {_kind(value)}")


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), f"a JSON {type(value).__name__}"
    )


def _object(item: object, what: str) -> Mapping[str, Any]:
    if not isinstance(item, dict):
        raise DecodeError(f"{what} must be an object, got {_kind(item)}")
    return item


# --- server messages ----------------------------------------------------------------------------


def _character(item: object) -> Character:
    if isinstance(item, str):  # older shape: characters: string[] (§6.6)
        return Character(text=item)
    obj = _object(item, "characters[] item")
    return Character(text=_str(obj, "text"), start_s=_opt_float(obj, "start"),
                     end_s=_opt_float(obj, "end"))


def _word(item: object) -> Word:
    obj = _object(item, "words[] item")
    chars = _opt_list(obj, "characters")
    raw_type = _opt_str(obj, "type") or WordType.WORD.value
    try:
        word_type: WordType | str = WordType(raw_type)
    except ValueError:
        word_type = raw_type
    speaker = obj.get("speaker_id")
    if speaker is not None and not isinstance(speaker, str | int):
        raise DecodeError(f"field 'speaker_id' must be a string or null, got {_kind(speaker)}")
    return Word(
        text=_str(obj, "text"),
        start_s=_opt_float(obj, "start"),
        end_s=_opt_float(obj, "end"),
        type=word_type,
        speaker_id=None if speaker is None else str(speaker),
        logprob=_opt_float(obj, "logprob"),
        characters=None if chars is None else tuple(_character(c) for c in chars),
        channel_index=_opt_int(obj, "channel_index"),
    )


def _words(obj: Mapping[str, Any]) -> tuple[Word, ...] | None:
    words = _opt_list(obj, "words")
    return None if words is None else tuple(_word(w) for w in words)


def _entity(item: object) -> Entity:
    obj = _object(item, "entities[] item")
    return Entity(text=_str(obj, "text"), entity_type=_str(obj, "entity_type"),
                  start_char=_opt_int(obj, "start_char"), end_char=_opt_int(obj, "end_char"))


def _session_started(obj: Mapping[str, Any]) -> SessionStarted:
    config = obj.get("config")
    if config is not None and not isinstance(config, dict):
        raise DecodeError(f"field 'config' must be an object, got {_kind(config)}")
    return SessionStarted(session_id=_opt_str(obj, "session_id") or "",
                          config=frozen_mapping(config or {}))


_SERVER_DECODERS: dict[str, Callable[[Mapping[str, Any]], ServerMessage]] = {
    "session_started": _session_started,
    "partial_transcript": lambda o: PartialTranscript(_str(o, "text")),
    "final_transcript": lambda o: FinalTranscript(_str(o, "text")),
    "final_transcript_with_timestamps": lambda o: FinalTranscriptWithTimestamps(
        _str(o, "text"), _opt_str(o, "language_code"), _words(o)),
    "committed_transcript": lambda o: CommittedTranscript(_str(o, "text")),
    "committed_transcript_with_timestamps": lambda o: CommittedTranscriptWithTimestamps(
        _str(o, "text"), _opt_str(o, "language_code"), _words(o)),
    "committed_transcript_entities": lambda o: CommittedTranscriptEntities(
        _str(o, "text"), tuple(_entity(e) for e in (_opt_list(o, "entities") or []))),
    "redacted_transcript": lambda o: RedactedTranscript(
        _opt_str(o, "text") or "", _str(o, "redacted_text")),
}


def decode_server_message(data: str | bytes) -> ServerMessage:
    """Decode one server frame; raises only `DecodeError`."""
    obj = _load_object(data)
    message_type = obj.get("message_type")
    if not isinstance(message_type, str):
        raise DecodeError("frame has no string 'message_type'")
    decoder = _SERVER_DECODERS.get(message_type)
    if decoder is not None:
        return decoder(obj)
    error_type = parse_error_type(message_type)
    if error_type is not None:
        error = obj.get("error")
        return ServerError(error_type, error if isinstance(error, str) else str(error or ""))
    return UnknownMessage(message_type, frozen_mapping(obj))


def _word_json(word: Word) -> dict[str, Any]:
    out: dict[str, Any] = {"text": word.text, "start": word.start_s, "end": word.end_s,
                           "type": str(word.type), "speaker_id": word.speaker_id,
                           "logprob": word.logprob}
    if word.characters is not None:
        out["characters"] = [{"text": c.text, "start": c.start_s, "end": c.end_s}
                             for c in word.characters]
    if word.channel_index is not None:
        out["channel_index"] = word.channel_index
    return out


def server_message_to_json(msg: ServerMessage) -> dict[str, Any]:
    """The JSON object for `msg` in the newest / live shape (§6)."""
    match msg:
        case SessionStarted(session_id, config):
            return {"message_type": "session_started", "session_id": session_id,
                    "config": dict(config)}
        case PartialTranscript(text):
            return {"message_type": "partial_transcript", "text": text}
        case FinalTranscript(text):
            return {"message_type": "final_transcript", "text": text}
        case CommittedTranscript(text):
            return {"message_type": "committed_transcript", "text": text}
        case FinalTranscriptWithTimestamps(text, language_code, words) | \
                CommittedTranscriptWithTimestamps(text, language_code, words):
            name = ("final_transcript_with_timestamps"
                    if isinstance(msg, FinalTranscriptWithTimestamps)
                    else "committed_transcript_with_timestamps")
            return {"message_type": name, "text": text, "language_code": language_code,
                    "words": None if words is None else [_word_json(w) for w in words]}
        case CommittedTranscriptEntities(text, entities):
            return {"message_type": "committed_transcript_entities", "text": text,
                    "entities": [{"text": e.text, "entity_type": e.entity_type,
                                  "start_char": e.start_char, "end_char": e.end_char}
                                 for e in entities]}
        case RedactedTranscript(text, redacted_text):
            return {"message_type": "redacted_transcript", "text": text,
                    "redacted_text": redacted_text}
        case ServerError(error_type, error):
            return {"message_type": error_type.value, "error": error}
        case UnknownMessage(message_type, payload):
            return {**payload, "message_type": message_type}
    raise TypeError(f"not a server message: {msg!r}")  # pragma: no cover


def encode_server_message(msg: ServerMessage) -> str:
    """One JSON text frame (rule S7: text frames only)."""
    return json.dumps(server_message_to_json(msg), separators=(",", ":"), ensure_ascii=False)


# --- client messages ----------------------------------------------------------------------------


def encode_client_message(chunk: InputAudioChunk) -> str:
    """The `input_audio_chunk` frame; optional fields are omitted when unset (§5.3)."""
    out: dict[str, Any] = {
        "message_type": INPUT_AUDIO_CHUNK,
        "audio_base_64": base64.b64encode(chunk.audio).decode("ascii"),
        "commit": chunk.commit,
    }
    if chunk.sample_rate_hz is not None:
        out["sample_rate"] = chunk.sample_rate_hz
    if chunk.previous_text is not None:
        out["previous_text"] = chunk.previous_text
    return json.dumps(out, separators=(",", ":"), ensure_ascii=False)


def decode_client_message(data: str | bytes) -> InputAudioChunk | UnknownMessage:
    """Decode one client frame per rule S3; raises only `DecodeError` (→ `input_error`).

    Only `audio_base_64` is required; `{"message_type": "commit"}` is accepted as a commit
    (§5.4: not official, tolerated). Other message types come back as `UnknownMessage`.
    """
    obj = _load_object(data)
    message_type = obj.get("message_type", INPUT_AUDIO_CHUNK)
    if message_type is None:
        message_type = INPUT_AUDIO_CHUNK
    if not isinstance(message_type, str):
        raise DecodeError("field 'message_type' must be a string")
    if message_type == "commit":
        return InputAudioChunk(audio=b"", commit=True)
    if message_type != INPUT_AUDIO_CHUNK:
        return UnknownMessage(message_type, frozen_mapping(obj))
    if "audio_base_64" not in obj:
        raise DecodeError("input_audio_chunk needs the field 'audio_base_64'")
    encoded = _str(obj, "audio_base_64")
    try:
        audio = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecodeError(f"'audio_base_64' is not valid base64: {exc}") from None
    sample_rate = _opt_int(obj, "sample_rate")
    if sample_rate is not None and sample_rate <= 0:
        raise DecodeError(f"field 'sample_rate' must be positive, got {sample_rate}")
    return InputAudioChunk(
        audio=audio,
        commit=_opt_bool(obj, "commit", False),
        sample_rate_hz=sample_rate,
        previous_text=_opt_str(obj, "previous_text"),
    )
