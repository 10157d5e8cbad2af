"""Session options <-> query string, hosts and URLs (protocol doc §2, §4, §8). Sans-I/O.

All session configuration is fixed at connect time through the query string. `None` means
"not sent: the server default applies". Lists are repeated keys; booleans are `true`/`false`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .audio_format import AudioFormat

REALTIME_PATH = "/v1/speech-to-text/realtime"
TOKEN_PATH = "/v1/single-use-token/realtime_scribe"
DEFAULT_MODEL_ID = "scribe_v2_realtime"
KNOWN_MODEL_IDS = ("scribe_v2_realtime", "scribe_v2_realtime_turbo", "scribe_v2_realtime_lite")
MAX_KEYTERMS = 50
MAX_KEYTERM_CHARS = 20
MAX_PREVIOUS_TEXT_CHARS = 50  # rule C8
MIN_COMMIT_AUDIO_S = 0.3  # rule C6 / S4
MAX_TRANSCRIPT_EDIT_CHARS = 2000  # §4

# (low, high), inclusive, of the four VAD parameters (§4)
VAD_RANGES: dict[str, tuple[float, float]] = {
    "vad_silence_threshold_secs": (0.3, 3.0),
    "vad_threshold": (0.1, 0.9),
    "min_speech_duration_ms": (50, 2000),
    "min_silence_duration_ms": (50, 2000),
}


class OptionsError(ValueError):
    """Session options the protocol does not allow; the text says which and why."""


class CommitStrategy(StrEnum):
    MANUAL = "manual"
    VAD = "vad"
    TURN_PREDICTION = "turn_prediction"  # newest Fern type only, undocumented (§4)


class EntityRedactionMode(StrEnum):
    """How `redacted_transcript` replaces an entity (§4, [PYPI] 2.78 only)."""

    REDACTED = "redacted"  # {REDACTED}
    ENTITY_TYPE = "entity_type"  # {EMAIL_ADDRESS}
    ENUMERATED_ENTITY_TYPE = "enumerated_entity_type"  # {EMAIL_ADDRESS_1}: the default


class Region(StrEnum):
    """ElevenLabs hosts (§2)."""

    DEFAULT = "default"
    US = "us"
    EU = "eu"
    IN = "in"
    SG = "sg"

    @property
    def https_base(self) -> str:
        return {
            Region.DEFAULT: "https://api.elevenlabs.io",
            Region.US: "https://api.us.elevenlabs.io",
            Region.EU: "https://api.eu.residency.elevenlabs.io",
            Region.IN: "https://api.in.residency.elevenlabs.io",
            Region.SG: "https://api.sg.residency.elevenlabs.io",
        }[self]


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """Connect-time options of one realtime session; `validate()` checks them all."""

    model_id: str = DEFAULT_MODEL_ID
    audio_format: AudioFormat | None = AudioFormat.PCM_16000
    commit_strategy: CommitStrategy | None = CommitStrategy.MANUAL
    include_timestamps: bool | None = None
    include_language_detection: bool | None = None
    language_code: str | None = None
    secondary_languages: tuple[str, ...] = ()
    keyterms: tuple[str, ...] = ()
    no_verbatim: bool | None = None
    vad_silence_threshold_secs: float | None = None
    vad_threshold: float | None = None
    min_speech_duration_ms: int | None = None
    min_silence_duration_ms: int | None = None
    enable_logging: bool | None = None
    filter_background_audio: bool | None = None
    entity_detection: tuple[str, ...] = ()
    entity_redaction: tuple[str, ...] = ()
    entity_redaction_mode: EntityRedactionMode | None = None
    transcript_edit: str | None = None

    @property
    def effective_audio_format(self) -> AudioFormat:
        return self.audio_format or AudioFormat.PCM_16000

    @property
    def effective_commit_strategy(self) -> CommitStrategy:
        return self.commit_strategy or CommitStrategy.MANUAL

    @property
    def effective_entity_redaction_mode(self) -> EntityRedactionMode:
        return self.entity_redaction_mode or EntityRedactionMode.ENUMERATED_ENTITY_TYPE

    def validate(self) -> SessionOptions:
        """Return self, or raise `OptionsError` naming the first problem."""
        if not self.model_id or not self.model_id.strip():
            raise OptionsError("model_id must not be empty")
        for name, (low, high) in VAD_RANGES.items():
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or math.isnan(value) or not low <= value <= high:
                raise OptionsError(f"{name} must be between {low:g} and {high:g}, got {value!r}")
        if len(self.keyterms) > MAX_KEYTERMS:
            raise OptionsError(f"at most {MAX_KEYTERMS} keyterms are allowed, got "
                               f"{len(self.keyterms)}")
        for term in self.keyterms:
            if not term.strip():
                raise OptionsError("keyterms must not be empty")
            if len(term) > MAX_KEYTERM_CHARS:
                raise OptionsError(f"keyterm {term!r} is {len(term)} characters; at most "
                                   f"{MAX_KEYTERM_CHARS} are allowed")
        if self.filter_background_audio and self.include_timestamps:
            raise OptionsError("filter_background_audio cannot be combined with "
                               "include_timestamps")
        if self.transcript_edit is not None:
            if len(self.transcript_edit) > MAX_TRANSCRIPT_EDIT_CHARS:
                raise OptionsError(f"transcript_edit is {len(self.transcript_edit)} "
                                   f"characters; at most {MAX_TRANSCRIPT_EDIT_CHARS} are "
                                   "allowed")
            # §4: "Cannot be combined with entity_detection or entity_redaction"
            for name in ("entity_redaction", "entity_detection"):
                if getattr(self, name):
                    raise OptionsError(f"transcript_edit cannot be combined with {name}: "
                                       "send one or the other")
        for code in (self.language_code, *self.secondary_languages):
            if code is not None and not (code.isascii() and code.isalpha()
                                         and 2 <= len(code) <= 3):
                raise OptionsError(f"language code {code!r} is not an ISO-639-1/3 code")
        return self

    def to_query(self) -> list[tuple[str, str]]:
        """Query pairs in declaration order; lists as repeated keys, unset values omitted."""
        pairs: list[tuple[str, str]] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, tuple):
                pairs.extend((f.name, str(v)) for v in value)
            elif isinstance(value, bool):
                pairs.append((f.name, "true" if value else "false"))
            elif isinstance(value, StrEnum):
                pairs.append((f.name, value.value))
            else:
                pairs.append((f.name, str(value)))
        return pairs

    @classmethod
    def from_query(cls, pairs: Iterable[tuple[str, str]]) -> SessionOptions:
        """Parse a query (rule S1): unknown keys ignored, repeated keys are lists, and the
        result validated. Raises `OptionsError` (→ `invalid_request`)."""
        multi: dict[str, list[str]] = {}
        for key, value in pairs:
            multi.setdefault(key, []).append(value)
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            values = multi.get(f.name)
            if not values:
                continue
            kwargs[f.name] = _parse_field(f.name, values)
        if "model_id" not in kwargs:
            raise OptionsError("the query parameter model_id is required")
        return cls(**kwargs).validate()


_BOOL_FIELDS = {"include_timestamps", "include_language_detection", "no_verbatim",
                "enable_logging", "filter_background_audio"}
_LIST_FIELDS = {"secondary_languages", "keyterms", "entity_detection", "entity_redaction"}
_FLOAT_FIELDS = {"vad_silence_threshold_secs", "vad_threshold"}
_INT_FIELDS = {"min_speech_duration_ms", "min_silence_duration_ms"}


def _parse_field(name: str, values: Sequence[str]) -> Any:
    if name in _LIST_FIELDS:
        # [SKILLS] shows a comma form for entity_detection; accept both (and for
        # entity_redaction, which takes the same vocabulary).
        return tuple(v.strip() for raw in values for v in raw.split(",") if v.strip())
    raw = values[-1]
    if name in _BOOL_FIELDS:
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise OptionsError(f"{name} must be true or false, got {raw!r}")
    if name in _FLOAT_FIELDS or name in _INT_FIELDS:
        try:
            number = float(raw)
        except ValueError:
            raise OptionsError(f"{name} must be a number, got {raw!r}") from None
        if name in _INT_FIELDS:
            if not number.is_integer():
                raise OptionsError(f"{name} must be a whole number, got {raw!r}")
            return int(number)
        return number
    if name == "audio_format":
        try:
            return AudioFormat(raw)
        except ValueError:
            allowed = ", ".join(f.value for f in AudioFormat)
            raise OptionsError(f"audio_format {raw!r} is not supported; use one of "
                               f"{allowed}") from None
    if name == "commit_strategy":
        try:
            return CommitStrategy(raw)
        except ValueError:
            raise OptionsError(f"commit_strategy {raw!r} is not supported; use manual or "
                               "vad") from None
    if name == "entity_redaction_mode":
        try:
            return EntityRedactionMode(raw)
        except ValueError:
            allowed = ", ".join(m.value for m in EntityRedactionMode)
            raise OptionsError(f"entity_redaction_mode {raw!r} is not supported; use one of "
                               f"{allowed}") from None
    if name == "language_code" and raw == "":
        return None  # empty means auto-detect (§4)
    return raw


def _ws_base(base_url: str) -> tuple[str, str, str]:
    parts = urlsplit(base_url)
    scheme = {"https": "wss", "http": "ws", "wss": "wss", "ws": "ws"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise OptionsError(f"base URL {base_url!r} must look like http(s)://host[:port] "
                           "or ws(s)://host[:port]")
    return scheme, parts.netloc, parts.path.rstrip("/")


def realtime_url(options: SessionOptions, *, base_url: str | None = None,
                 region: Region = Region.DEFAULT, token: str | None = None,
                 extra: Mapping[str, str] | None = None) -> str:
    """The WebSocket URL of a session: region host or a custom base (our local server)."""
    scheme, netloc, prefix = _ws_base(base_url or region.https_base)
    query = options.to_query()
    if token is not None:
        query.insert(1, ("token", token))
    query.extend((extra or {}).items())
    return urlunsplit((scheme, netloc, prefix + REALTIME_PATH, urlencode(query), ""))


def token_url(*, base_url: str | None = None, region: Region = Region.DEFAULT) -> str:
    """`POST` here with `xi-api-key` mints a single-use token (§8)."""
    scheme, netloc, prefix = _ws_base(base_url or region.https_base)
    http_scheme = "https" if scheme == "wss" else "http"
    return urlunsplit((http_scheme, netloc, prefix + TOKEN_PATH, "", ""))


def parse_query(query: str) -> list[tuple[str, str]]:
    """Query string -> ordered pairs, keeping blank values and repeated keys."""
    return parse_qsl(query, keep_blank_values=True)
