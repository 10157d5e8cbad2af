"""Encode/decode of every message kind and error type (protocol doc §5, §6)."""

from __future__ import annotations

import base64
import json

import pytest

from scribe_desktop.protocol import (
    Character,
    CommittedTranscript,
    CommittedTranscriptEntities,
    CommittedTranscriptWithTimestamps,
    DecodeError,
    Entity,
    ErrorType,
    FinalTranscript,
    FinalTranscriptWithTimestamps,
    InputAudioChunk,
    PartialTranscript,
    ServerError,
    SessionStarted,
    UnknownMessage,
    Word,
    WordType,
    decode_client_message,
    decode_server_message,
    encode_client_message,
    encode_server_message,
)

LIVE_SESSION_STARTED = (
    '{"message_type":"session_started","session_id":"f2e6b382ecc54124be77ba8dbd17084a",'
    '"config":{"sample_rate":24000,"audio_format":"pcm_24000","language_code":"en",'
    '"secondary_languages":[],"timestamps_granularity":"word","vad_commit_strategy":false,'
    '"vad_silence_threshold_secs":1.5,"vad_threshold":0.4,"min_speech_duration_ms":100,'
    '"min_silence_duration_ms":100,"max_tokens_to_recompute":5,"model_id":"scribe_v2_realtime",'
    '"disable_logging":false,"include_timestamps":false,"include_language_detection":false,'
    '"filter_background_audio":false,"keyterms":[],"no_verbatim":false,"entity_detection":null}}'
)

DOCUMENTED_SESSION_STARTED = json.dumps({
    "message_type": "session_started", "session_id": "0b0a72b57fd743ebbed6555d44836cf2",
    "config": {"sample_rate": 16000, "audio_format": "pcm_16000", "language_code": "en",
               "commit_strategy": "manual", "vad_silence_threshold_secs": 1.5,
               "vad_threshold": 0.4, "min_speech_duration_ms": 100,
               "min_silence_duration_ms": 100, "model_id": "scribe_v2_realtime",
               "enable_logging": True, "include_timestamps": False,
               "include_language_detection": False, "keyterms": [], "no_verbatim": False},
})


@pytest.mark.parametrize("frame", [LIVE_SESSION_STARTED, DOCUMENTED_SESSION_STARTED])
def test_session_started_accepts_both_config_shapes(frame: str) -> None:
    """Both session_started config shapes decode with the config kept opaque."""
    msg = decode_server_message(frame)
    assert isinstance(msg, SessionStarted)
    assert len(msg.session_id) == 32
    assert msg.config["model_id"] == "scribe_v2_realtime"


def test_session_started_without_config_decodes() -> None:
    """A session_started with no config decodes to an empty config (rule C2)."""
    msg = decode_server_message('{"message_type":"session_started","session_id":"ab"}')
    assert isinstance(msg, SessionStarted)
    assert msg.session_id == "ab" and dict(msg.config) == {}


def test_committed_with_timestamps_live_shape() -> None:
    """Character objects, spacing items, null speaker and channel decode (§6.6 newest shape)."""
    frame = json.dumps({
        "message_type": "committed_transcript_with_timestamps", "text": "Hello how",
        "language_code": "en", "extra_field": 1,
        "words": [
            {"text": "Hello", "start": 0.0, "end": 0.32, "type": "word", "speaker_id": None,
             "logprob": -0.05, "characters": [{"text": "H", "start": 0.0, "end": 0.06}],
             "channel_index": None},
            {"text": " ", "start": 0.32, "end": 0.35, "type": "spacing", "logprob": 0.0},
            {"text": "how", "start": 0.4, "end": 0.55, "type": "word", "logprob": -0.1},
        ]})
    msg = decode_server_message(frame)
    assert isinstance(msg, CommittedTranscriptWithTimestamps)
    assert msg.language_code == "en"
    assert msg.words is not None
    assert "".join(w.text for w in msg.words) == msg.text
    assert msg.words[0].characters == (Character("H", 0.0, 0.06),)
    assert msg.words[1].type is WordType.SPACING
    assert msg.words[2].start_s == pytest.approx(0.4)


def test_committed_with_timestamps_old_character_strings() -> None:
    """The older `characters: string[]` form decodes to untimed characters."""
    frame = ('{"message_type":"committed_transcript_with_timestamps","text":"Hi",'
             '"language_code":null,"words":[{"text":"Hi","start":0,"end":0.3,"type":"word",'
             '"characters":["H","i"]}]}')
    msg = decode_server_message(frame)
    assert isinstance(msg, CommittedTranscriptWithTimestamps)
    assert msg.words is not None and msg.words[0].characters == (Character("H"), Character("i"))
    assert msg.language_code is None


def test_unknown_word_type_is_kept() -> None:
    """A word type this code does not know is kept as its string (rule B1)."""
    frame = ('{"message_type":"committed_transcript_with_timestamps","text":"x",'
             '"words":[{"text":"x","type":"laughter_v2","logprob":0}]}')
    msg = decode_server_message(frame)
    assert isinstance(msg, CommittedTranscriptWithTimestamps) and msg.words
    assert msg.words[0].type == "laughter_v2"


ROUND_TRIP = [
    SessionStarted("0" * 32, {"sample_rate": 16000}),
    PartialTranscript("hello wor"),
    FinalTranscript("hello world"),
    FinalTranscriptWithTimestamps("hi", "en", (Word("hi", 0.0, 0.2, WordType.WORD),)),
    CommittedTranscript(""),
    CommittedTranscript("Hi, I'm Alex."),
    CommittedTranscriptWithTimestamps(
        "a b", "en",
        (Word("a", 0.0, 0.1, WordType.WORD, None, -0.5, (Character("a", 0.0, 0.1),)),
         Word(" ", 0.1, 0.2, WordType.SPACING, None, 0.0),
         Word("b", 0.2, 0.3, WordType.AUDIO_EVENT, "speaker_0", -0.1, None, 0))),
    CommittedTranscriptWithTimestamps("x", None, None),
    CommittedTranscriptEntities("My name is Alice.", (Entity("Alice", "name_given", 11, 16),)),
    CommittedTranscriptEntities("nothing", ()),
    UnknownMessage("speakers_merged", {"from_speaker_id": "speaker_2",
                                       "to_speaker_id": "speaker_0"}),
] + [ServerError(t, f"text of {t.value}") for t in ErrorType]


@pytest.mark.parametrize("msg", ROUND_TRIP, ids=lambda m: type(m).__name__)
def test_server_messages_round_trip(msg: object) -> None:
    """Every server message kind survives encode then decode unchanged."""
    frame = encode_server_message(msg)  # type: ignore[arg-type]
    decoded = decode_server_message(frame)
    assert type(decoded) is type(msg)
    assert encode_server_message(decoded) == frame
    if not isinstance(msg, SessionStarted | UnknownMessage):
        assert decoded == msg


@pytest.mark.parametrize("error_type", list(ErrorType))
def test_every_error_type_decodes_typed(error_type: ErrorType) -> None:
    """Each of the 14 error types decodes to a ServerError with a user message."""
    msg = decode_server_message(json.dumps({"message_type": error_type.value, "error": "why"}))
    assert msg == ServerError(error_type, "why")
    assert isinstance(msg, ServerError) and msg.error


def test_there_are_fourteen_error_types() -> None:
    """The protocol defines exactly 14 error types (§6.10)."""
    assert len(ErrorType) == 14


@pytest.mark.parametrize(("alias", "canonical"), [
    ("unaccepted_terms_error", ErrorType.UNACCEPTED_TERMS),
    ("quota_exceeded_error", ErrorType.QUOTA_EXCEEDED),
])
def test_deprecated_error_names_map_to_canonical(alias: str, canonical: ErrorType) -> None:
    """Deprecated error spellings decode to their current type (§6.10)."""
    msg = decode_server_message(json.dumps({"message_type": alias, "error": "x"}))
    assert isinstance(msg, ServerError) and msg.error_type is canonical


def test_live_commit_throttled_text_is_kept() -> None:
    """The live commit_throttled message decodes verbatim (§6.10)."""
    text = ("Commit request ignored: only 0.20s of uncommitted audio. You need at least 0.3s "
            "of uncommitted audio before committing.")
    msg = decode_server_message(json.dumps({"message_type": "commit_throttled", "error": text}))
    assert msg == ServerError(ErrorType.COMMIT_THROTTLED, text)


def test_unknown_message_type_never_raises() -> None:
    """Unknown message types decode to UnknownMessage (rule B1)."""
    msg = decode_server_message('{"message_type":"warning","warning":"slow down"}')
    assert isinstance(msg, UnknownMessage)
    assert msg.message_type == "warning" and msg.payload["warning"] == "slow down"


@pytest.mark.parametrize("frame", [
    b"\xff\xfe", "not json", "[]", "42", "null", '{"text":"no type"}',
    '{"message_type":7}', '{"message_type":"partial_transcript"}',
    '{"message_type":"partial_transcript","text":null}',
    '{"message_type":"committed_transcript_with_timestamps","text":"a","words":{}}',
    '{"message_type":"committed_transcript_with_timestamps","text":"a","words":[1]}',
    '{"message_type":"committed_transcript_with_timestamps","text":"a",'
    '"words":[{"text":"a","start":"zero"}]}',
    '{"message_type":"session_started","config":[]}',
])
def test_malformed_server_frames_raise_decode_error(frame: str | bytes) -> None:
    """Malformed frames raise DecodeError with a reason, not another exception."""
    with pytest.raises(DecodeError, match=r"\w"):
        decode_server_message(frame)


# --- client messages ---------------------------------------------------------------------------


def test_client_chunk_wire_shape_matches_official_clients() -> None:
    """A chunk encodes like @elevenlabs/client's frames (§15.4)."""
    pcm = bytes(3200)
    frame = json.loads(encode_client_message(
        InputAudioChunk(pcm, sample_rate_hz=16000, previous_text="ctx")))
    assert frame == {"message_type": "input_audio_chunk",
                     "audio_base_64": base64.b64encode(pcm).decode(), "commit": False,
                     "sample_rate": 16000, "previous_text": "ctx"}
    commit = json.loads(encode_client_message(InputAudioChunk(b"", True, 16000)))
    assert commit == {"message_type": "input_audio_chunk", "audio_base_64": "", "commit": True,
                      "sample_rate": 16000}


@pytest.mark.parametrize("frame", [
    # @elevenlabs/client (previous_text omitted)
    '{"message_type":"input_audio_chunk","audio_base_64":"AAA=","commit":false,"sample_rate":16000}',
    # PyPI elevenlabs: previous_text null
    '{"message_type":"input_audio_chunk","audio_base_64":"AAA=","commit":false,'
    '"sample_rate":16000,"previous_text":null}',
    # newest contract: only audio_base_64 required
    '{"audio_base_64":"AAA="}',
])
def test_server_accepts_every_sdk_chunk_variant(frame: str) -> None:
    """Chunks from all three official clients decode (rule S3, §5.3)."""
    msg = decode_client_message(frame)
    assert isinstance(msg, InputAudioChunk)
    assert msg.audio == b"\x00\x00" and msg.commit is False and msg.previous_text is None


def test_commit_frame_and_lenient_commit_message() -> None:
    """The empty-audio commit and the unofficial {"message_type":"commit"} both commit."""
    official = decode_client_message(
        '{"message_type":"input_audio_chunk","audio_base_64":"","commit":true,"sample_rate":16000}')
    lenient = decode_client_message('{"message_type":"commit"}')
    assert official == InputAudioChunk(b"", True, 16000)
    assert lenient == InputAudioChunk(b"", True)


def test_client_round_trip() -> None:
    """A client chunk survives encode then decode."""
    chunk = InputAudioChunk(b"\x01\x02\x03\x04", True, 8000, "héllo")
    assert decode_client_message(encode_client_message(chunk)) == chunk


@pytest.mark.parametrize(("frame", "reason"), [
    ('{"message_type":"input_audio_chunk"}', "audio_base_64"),
    ('{"audio_base_64":"@@@"}', "base64"),
    ('{"audio_base_64":123}', "string"),
    ('{"audio_base_64":"","commit":"yes"}', "true or false"),
    ('{"audio_base_64":"","sample_rate":"16k"}', "integer"),
    ('{"audio_base_64":"","sample_rate":-1}', "positive"),
    ('{"audio_base_64":"","previous_text":5}', "string"),
    ("{broken", "JSON"),
])
def test_bad_client_frames_name_the_problem(frame: str, reason: str) -> None:
    """Each malformed client frame raises DecodeError naming what is wrong (→ input_error)."""
    with pytest.raises(DecodeError, match=reason):
        decode_client_message(frame)


def test_unknown_client_message_type_is_not_an_error() -> None:
    """A client message type the server does not know decodes to UnknownMessage (rule B1)."""
    assert isinstance(decode_client_message('{"message_type":"ping"}'), UnknownMessage)
