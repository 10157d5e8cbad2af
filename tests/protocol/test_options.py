"""Session options: validation, query strings and URLs (protocol doc §2, §4, §8)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from scribe_desktop.protocol import (
    AudioFormat,
    CommitStrategy,
    OptionsError,
    Region,
    SessionOptions,
    parse_query,
    realtime_url,
    token_url,
)


def test_query_matches_official_client_serialisation() -> None:
    """Lists are repeated keys and booleans lowercase, as the SDKs send them (§4)."""
    opts = SessionOptions(language_code="en", include_timestamps=True, keyterms=("foo", "bar"))
    assert realtime_url(opts, token="sutkn_test") == (
        "wss://api.elevenlabs.io/v1/speech-to-text/realtime?model_id=scribe_v2_realtime"
        "&token=sutkn_test&audio_format=pcm_16000&commit_strategy=manual"
        "&include_timestamps=true&language_code=en&keyterms=foo&keyterms=bar")


def test_every_parameter_is_serialised() -> None:
    """Every documented query parameter appears when set."""
    opts = SessionOptions(
        audio_format=AudioFormat.ULAW_8000, commit_strategy=CommitStrategy.VAD,
        include_timestamps=False, include_language_detection=True, language_code="de",
        secondary_languages=("en", "fr"), keyterms=("Scribe",), no_verbatim=True,
        vad_silence_threshold_secs=0.3, vad_threshold=0.9, min_speech_duration_ms=50,
        min_silence_duration_ms=2000, enable_logging=False, filter_background_audio=True,
        entity_detection=("pii", "email_address"))
    pairs = opts.validate().to_query()
    keys = {k for k, _ in pairs}
    assert keys == {"model_id", "audio_format", "commit_strategy", "include_timestamps",
                    "include_language_detection", "language_code", "secondary_languages",
                    "keyterms", "no_verbatim", "vad_silence_threshold_secs", "vad_threshold",
                    "min_speech_duration_ms", "min_silence_duration_ms", "enable_logging",
                    "filter_background_audio", "entity_detection"}
    assert ("secondary_languages", "fr") in pairs and ("entity_detection", "pii") in pairs
    assert ("vad_silence_threshold_secs", "0.3") in pairs
    assert SessionOptions.from_query(pairs) == opts


@pytest.mark.parametrize(("region", "host"), [
    (Region.DEFAULT, "api.elevenlabs.io"), (Region.US, "api.us.elevenlabs.io"),
    (Region.EU, "api.eu.residency.elevenlabs.io"), (Region.IN, "api.in.residency.elevenlabs.io"),
    (Region.SG, "api.sg.residency.elevenlabs.io"),
])
def test_regional_hosts(region: Region, host: str) -> None:
    """Each region maps to its wss host and its token endpoint (§2, §8)."""
    url = urlsplit(realtime_url(SessionOptions(), region=region))
    assert (url.scheme, url.netloc, url.path) == ("wss", host, "/v1/speech-to-text/realtime")
    assert token_url(region=region) == f"https://{host}/v1/single-use-token/realtime_scribe"


def test_custom_base_url_for_local_server() -> None:
    """An http base URL becomes ws, keeping host and port (our local server)."""
    url = realtime_url(SessionOptions(), base_url="http://127.0.0.1:8765/")
    assert url.startswith("ws://127.0.0.1:8765/v1/speech-to-text/realtime?model_id=")
    assert token_url(base_url="ws://127.0.0.1:8765") == (
        "http://127.0.0.1:8765/v1/single-use-token/realtime_scribe")


@pytest.mark.parametrize("base", ["ftp://x", "127.0.0.1:80", "http://"])
def test_bad_base_url_is_a_clear_error(base: str) -> None:
    """A base URL that is not http(s)/ws(s) with a host is rejected with a reason."""
    with pytest.raises(OptionsError, match="base URL"):
        realtime_url(SessionOptions(), base_url=base)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"vad_threshold": 0.05}, "vad_threshold must be between 0.1 and 0.9"),
    ({"vad_threshold": 0.95}, "vad_threshold"),
    ({"vad_silence_threshold_secs": 0.2}, "between 0.3 and 3"),
    ({"vad_silence_threshold_secs": 3.5}, "vad_silence_threshold_secs"),
    ({"min_speech_duration_ms": 49}, "between 50 and 2000"),
    ({"min_silence_duration_ms": 2001}, "min_silence_duration_ms"),
    ({"keyterms": tuple(f"t{i}" for i in range(51))}, "at most 50 keyterms"),
    ({"keyterms": ("x" * 21,)}, "at most 20"),
    ({"keyterms": (" ",)}, "empty"),
    ({"include_timestamps": True, "filter_background_audio": True}, "cannot be combined"),
    ({"model_id": ""}, "model_id"),
    ({"language_code": "english!"}, "ISO-639"),
])
def test_validation_errors_are_clear(kwargs: dict[str, object], message: str) -> None:
    """Out-of-range or conflicting options raise OptionsError saying why."""
    with pytest.raises(OptionsError, match=message):
        SessionOptions(**kwargs).validate()  # type: ignore[arg-type]


def test_limits_are_inclusive() -> None:
    """Boundary values of the VAD ranges and keyterm limits are allowed."""
    SessionOptions(vad_threshold=0.1, vad_silence_threshold_secs=3.0,
                   min_speech_duration_ms=2000, min_silence_duration_ms=50,
                   keyterms=tuple("k" * 20 for _ in range(50))).validate()


def test_server_side_parsing_is_lenient() -> None:
    """Unknown params are ignored and defaults apply; model_id is required (rule S1)."""
    opts = SessionOptions.from_query(parse_query(
        "model_id=scribe_v2_realtime&encoding=pcm_16000&token=abc&include_timestamps=true"))
    assert opts.include_timestamps is True
    assert opts.effective_audio_format is AudioFormat.PCM_16000
    assert opts.effective_commit_strategy is CommitStrategy.MANUAL
    with pytest.raises(OptionsError, match="model_id is required"):
        SessionOptions.from_query(parse_query("audio_format=pcm_16000"))


@pytest.mark.parametrize(("query", "message"), [
    ("model_id=m&audio_format=mp3_44100", "audio_format 'mp3_44100' is not supported"),
    ("model_id=m&commit_strategy=sometimes", "commit_strategy"),
    ("model_id=m&include_timestamps=yes", "true or false"),
    ("model_id=m&vad_threshold=high", "must be a number"),
    ("model_id=m&min_speech_duration_ms=100.5", "whole number"),
    ("model_id=m&vad_threshold=2", "between"),
])
def test_server_side_parse_errors(query: str, message: str) -> None:
    """Bad query values raise OptionsError naming the parameter (→ invalid_request)."""
    with pytest.raises(OptionsError, match=message):
        SessionOptions.from_query(parse_qsl(query))


def test_entity_detection_accepts_comma_form() -> None:
    """entity_detection=pii,pci parses like repeated keys."""
    opts = SessionOptions.from_query(parse_query("model_id=m&entity_detection=pii,pci"))
    assert opts.entity_detection == ("pii", "pci")


@pytest.mark.parametrize("fmt", list(AudioFormat))
def test_audio_format_arithmetic(fmt: AudioFormat) -> None:
    """Durations and silence sizes follow each format's rate and sample width."""
    one_second = fmt.bytes_for(1.0)
    assert fmt.duration_s(one_second) == pytest.approx(1.0)
    assert len(fmt.silence(0.3)) == fmt.bytes_for(0.3)
    assert fmt.duration_s(len(fmt.silence(0.3))) >= 0.3
