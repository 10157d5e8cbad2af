"""Every user setting declared once — name, type, default, allowed range. Pure (persisted
with QSettings by `settings_store`). Secrets are NOT settings: the API key lives in the OS
keyring (`secrets.ApiKeyStore`), never here.

`Settings` is an immutable value; the settings dialog edits a copy (`dataclasses.replace`) and
hands it to `DictationWorker.apply_settings`. `field_spec(name)` gives a widget what it needs
to build an editor: label, range, choices. `settings_store.SettingsStore` persists it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from enum import StrEnum
from functools import lru_cache
from typing import Any

from ..core.backend_kind import BackendKind, LocalEngine, local_server_args
from ..export.model import SessionSource
from ..hotkey.chord import (
    DEFAULT_CANCEL_KEY,
    DEFAULT_CHORD,
    DEFAULT_PASTE_LAST_CHORD,
    DEFAULT_UNDO_CHORD,
    ChordError,
    parse_chord,
)
from ..hotkey.interpreter import DEFAULT_MAX_HOLD_S, HotkeyConfig, HotkeyMode
from ..inject.inserter import InsertMode
from ..protocol.audio_format import AudioFormat
from ..protocol.options import (
    DEFAULT_MODEL_ID,
    KNOWN_MODEL_IDS,
    MAX_KEYTERM_CHARS,
    MAX_KEYTERMS,
    VAD_RANGES,
    CommitStrategy,
    EntityRedactionMode,
    OptionsError,
    Region,
    SessionOptions,
)
from ..shaping import (
    DictionaryCsvError,
    NumberStyle,
    Replacement,
    ShapingRules,
    read_dictionary,
)

ORGANIZATION = "scribe-desktop"
APPLICATION = "scribe-desktop"
SETTINGS_VERSION = 1


# measured costs (docs/benchmarks.md): CPU in "Desktop app all day" (bench/app_cpu.py), the
# audio missed at the start in "Microphone capture" (bench/capture_latency.py)
CLOSE_MIC_HELP = (
    "Closes the microphone (and the system's microphone-in-use indicator) while you are not "
    "dictating: the app then uses no CPU at all while idle. Each dictation opens it again, "
    "which can clip the first word: the first 0.08 s after you press start is not heard "
    "(measured median; up to 1.6 s when the sound server is slow to start a stream), and "
    "the pre-roll is unavailable: words said before you press start are not heard.")


class LiveExportFormat(StrEnum):
    """What live export appends: plain lines or SRT cues."""

    TXT = "txt"
    SRT = "srt"


class EntityKinds(StrEnum):
    """Which entities redaction replaces: the `entity_redaction` value (§4)."""

    ALL = "all"
    PII = "pii"  # personal identifiers
    PCI = "pci"  # payment card numbers
    PHI = "phi"  # health-privacy (HIPAA) identifiers


class SettingsError(ValueError):
    """A setting outside its allowed values; the text names it."""


class AppliesTo(StrEnum):
    """What a change of the field takes effect on."""

    NEXT_SESSION = "next_session"  # read when the next dictation or file starts
    BACKEND = "backend"  # a new backend is made (the running dictation keeps the old one)
    MICROPHONE = "microphone"  # the microphone is reopened (after the running dictation)
    APP = "app"  # read by the app's own parts (hotkey, overlay, window) when they change


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How a settings editor presents one field, and what a change of it applies to."""

    label: str
    group: str
    applies_to: AppliesTo = AppliesTo.NEXT_SESSION
    low: float | None = None  # inclusive range for numbers
    high: float | None = None
    choices: tuple[str, ...] = ()  # suggested values for free text (e.g. model ids)
    help: str = ""


# what a change applies to, by group, unless the field says otherwise
_GROUP_APPLIES_TO = {"Audio": AppliesTo.MICROPHONE, "Hotkey": AppliesTo.APP,
                     "Window": AppliesTo.APP}
_BACKEND = AppliesTo.BACKEND


def _f(default: Any, label: str, group: str, **spec: Any) -> Any:
    factory = spec.pop("factory", None)
    spec.setdefault("applies_to", _GROUP_APPLIES_TO.get(group, AppliesTo.NEXT_SESSION))
    meta = {"spec": FieldSpec(label, group, **spec)}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


_VAD = VAD_RANGES
_STRICT_CHOICES = frozenset({"sound_set"})  # free-text fields whose choices are the only values


@dataclass(frozen=True, slots=True)
class Settings:
    """All user settings with their defaults (see module doc)."""

    # backend
    # RUF009: `_f` returns a dataclasses.field with an immutable default, like `field()`
    backend: BackendKind = _f(BackendKind.LOCAL, "Backend", "Backend",  # noqa: RUF009
                              applies_to=_BACKEND)
    region: Region = _f(Region.DEFAULT, "Region", "Backend", applies_to=_BACKEND)  # noqa: RUF009
    model_id: str = _f(DEFAULT_MODEL_ID, "Model", "Backend", choices=KNOWN_MODEL_IDS)
    local_engine: LocalEngine = _f(LocalEngine.AUTO, "Offline engine", "Backend",  # noqa: RUF009
                                   applies_to=_BACKEND,
                                   help="Auto: the best Whisper model installed (Settings > "
                                   "Models), else pocketsphinx, which needs no download.")
    local_model: str = _f("", "Whisper model", "Backend", applies_to=_BACKEND,
                          help="Empty: the best model installed.")
    single_use_tokens: bool = _f(True, "Use single-use tokens", "Backend",
                                 help="Send only a short-lived token, never the key itself, "
                                 "on each connection.", applies_to=_BACKEND)
    # transcription
    language: str = _f("", "Language", "Transcription",
                       help="Empty: detect automatically; otherwise an ISO-639 code (en, de).")
    commit_strategy: CommitStrategy = _f(CommitStrategy.VAD, "Commit",  # noqa: RUF009
                                         "Transcription")
    vad_silence_threshold_secs: float = _f(1.5, "Silence before commit (s)", "Transcription",
                                           low=_VAD["vad_silence_threshold_secs"][0],
                                           high=_VAD["vad_silence_threshold_secs"][1])
    vad_threshold: float = _f(0.4, "Voice threshold", "Transcription",
                              low=_VAD["vad_threshold"][0], high=_VAD["vad_threshold"][1])
    min_speech_duration_ms: int = _f(100, "Minimum speech (ms)", "Transcription",
                                     low=_VAD["min_speech_duration_ms"][0],
                                     high=_VAD["min_speech_duration_ms"][1])
    min_silence_duration_ms: int = _f(100, "Minimum silence (ms)", "Transcription",
                                      low=_VAD["min_silence_duration_ms"][0],
                                      high=_VAD["min_silence_duration_ms"][1])
    include_timestamps: bool = _f(True, "Word timestamps", "Transcription")
    keyterms: tuple[str, ...] = _f(None, "Key terms", "Transcription", factory=tuple,
                                   high=MAX_KEYTERMS,
                                   help=f"Up to {MAX_KEYTERMS} terms of at most "
                                   f"{MAX_KEYTERM_CHARS} characters.")
    no_verbatim: bool = _f(False, "Remove filler words", "Transcription",
                           help="Asks the cloud for no_verbatim and drops um, uh, er... "
                           "locally, so it works with the local engine too.")
    # audio
    device_name: str | None = _f(None, "Microphone", "Audio",
                                 help="Remembered by name; None is the system default.")
    chunk_ms: int = _f(100, "Chunk length (ms)", "Audio", low=50, high=250)  # rule C9
    noise_suppression: int = _f(0, "Noise suppression", "Audio", low=0, high=4)
    auto_gain_dbfs: int = _f(0, "Automatic gain (target dBFS below full scale, 0 = off)",
                             "Audio", low=0, high=31)
    preroll_ms: int = _f(500, "Pre-roll (ms)", "Audio", low=0, high=2000)
    close_mic_when_idle: bool = _f(False, "Close the microphone while idle", "Audio",
                                   help=CLOSE_MIC_HELP)
    # hotkey and insertion (push-to-talk into any app)
    hotkey_enabled: bool = _f(True, "Global hotkey", "Hotkey")
    hotkey: str = _f(DEFAULT_CHORD, "Dictation hotkey", "Hotkey",
                     help="Keys joined with +, e.g. ctrl+alt+space.")
    hotkey_mode: HotkeyMode = _f(HotkeyMode.HYBRID, "Hotkey mode", "Hotkey",  # noqa: RUF009
                                 help="Hold: push-to-talk. Toggle: press to start and stop. "
                                 "Hybrid: a short tap toggles, a long hold is push-to-talk.")
    cancel_key: str = _f(DEFAULT_CANCEL_KEY, "Cancel key (while dictating)", "Hotkey")
    undo_hotkey: str = _f(DEFAULT_UNDO_CHORD, "Undo last dictation", "Hotkey",
                          help="Empty: no hotkey.")
    paste_last_hotkey: str = _f(DEFAULT_PASTE_LAST_CHORD, "Paste last transcript", "Hotkey",
                                help="Empty: no hotkey.")
    max_hold_s: float = _f(DEFAULT_MAX_HOLD_S, "Stop a held hotkey after (s)", "Hotkey",
                           low=5, high=3600, help="Guards against a stuck key.")
    insert_mode: InsertMode = _f(InsertMode.PASTE, "Insert text by", "Hotkey")  # noqa: RUF009
    insert_per_segment: bool = _f(False, "Insert each segment while the key is held",
                                  "Hotkey")
    smart_spacing: bool = _f(True, "Smart spacing and capitals", "Hotkey")
    context_reset_s: float = _f(60.0, "Forget the text before the cursor after (s)", "Hotkey",
                                low=0, high=3600,
                                help="Smart spacing joins a dictation to the previous one only "
                                "if nothing else happened in between, and not after this long "
                                "a pause (0: never join).")
    remote_insert: bool = _f(False, "--start / --stop / --toggle insert into the focused app",
                             "Hotkey", help="As if they were the hotkey (also: add --insert "
                             "to the command).")
    show_overlay: bool = _f(True, "Show the live text near the screen edge", "Hotkey")
    feedback_sounds: bool = _f(True, "Play start, stop and error sounds", "Hotkey")
    feedback_volume: int = _f(50, "Sound volume (%)", "Hotkey", low=0, high=100)
    sound_set: str = _f("soft", "Sounds", "Hotkey", choices=("soft", "clear"),
                        help="A bundled sound set (resources/sounds/).")
    # history: every session is recorded; these add to it
    keep_session_audio: bool = _f(False, "Keep session audio", "History",
                                  help="Store each dictation's audio next to its text so a "
                                  "failed or cancelled one can be retried (uses disk space).")
    live_export_path: str = _f("", "Live export file", "History",
                               help="Empty: off. Committed text is appended to this file as "
                               "it arrives (e.g. captions for streaming software).")
    live_export_format: LiveExportFormat = _f(LiveExportFormat.TXT,  # noqa: RUF009
                                              "Live export format", "History")
    # text: how recognised text is shaped for use (shaping/); the raw text is kept too
    spoken_commands: bool = _f(True, "Spoken commands with the dictation hotkey", "Text",
                               help="“new line”, “period”, “scratch that”... said on their "
                               "own, with a pause before and after.")
    spoken_commands_window: bool = _f(False, "Spoken commands when dictating in the window",
                                      "Text")
    command_pause_ms: int = _f(300, "Pause that sets a command apart (ms)", "Text", low=100,
                               high=2000)
    number_style: NumberStyle = _f(NumberStyle.AS_SPOKEN, "Numbers", "Text")  # noqa: RUF009
    dictionary: str = _f("", "Replacements", "Text",
                         help="CSV rows: heard, written, word|regex, preserve|as_written.")
    # privacy: redaction (§4, §6.8), no history, zero retention on the cloud
    redact_entities: bool = _f(False, "Redact personal data", "Privacy",
                               help="E-mail addresses, phone and card numbers... are replaced "
                               "before the text is shown, typed, saved or exported.")
    redact_kinds: EntityKinds = _f(EntityKinds.ALL, "What to redact", "Privacy")  # noqa: RUF009
    redaction_mode: EntityRedactionMode = _f(  # noqa: RUF009
        EntityRedactionMode.ENUMERATED_ENTITY_TYPE, "Replace with", "Privacy")
    private_mode: bool = _f(False, "Private mode: keep no history and no audio", "Privacy",
                            help="Dictations are not recorded in History, their audio is not "
                            "kept and no live export file is written.")
    zero_retention: bool = _f(False, "Zero retention (ElevenLabs)", "Privacy",
                              help="Asks ElevenLabs to keep no logs and no transcripts of "
                              "your sessions (enable_logging=false). Only accounts that have "
                              "zero retention (enterprise) may use it; others get an error. "
                              "The local server keeps nothing anyway.")
    # window
    close_to_tray: bool = _f(True, "Close to tray", "Window")
    start_minimized: bool = _f(False, "Start minimized", "Window")
    welcome_done: bool = _f(False, "Welcome shown", "Window",
                            help="The first-run welcome was finished or skipped (Help → "
                            "Welcome… shows it again).")

    def validate(self) -> Settings:
        """Return self, or raise `SettingsError` naming the first bad field."""
        for f in fields(self):
            spec: FieldSpec = f.metadata["spec"]
            value = getattr(self, f.name)
            if isinstance(value, int | float) and not isinstance(value, bool) \
                    and spec.low is not None and spec.high is not None and (
                    math.isnan(value) or not spec.low <= value <= spec.high):
                raise SettingsError(f"{spec.label} must be between {spec.low:g} and "
                                    f"{spec.high:g}, got {value!r}")
        try:
            self.session_options()
        except OptionsError as exc:
            raise SettingsError(str(exc)) from None
        try:
            self.hotkey_config()
        except ChordError as exc:
            raise SettingsError(str(exc)) from None
        for f in fields(self):
            spec = f.metadata["spec"]
            value = getattr(self, f.name)
            if spec.choices and isinstance(value, str) and f.name in _STRICT_CHOICES \
                    and value not in spec.choices:
                raise SettingsError(f"{spec.label} must be one of {', '.join(spec.choices)}, "
                                    f"got {value!r}")
        try:
            self.replacements()
        except DictionaryCsvError as exc:
            raise SettingsError(f"Replacements: {exc}") from None
        return self

    def replacements(self) -> tuple[Replacement, ...]:
        """The user dictionary (raises `DictionaryCsvError` for a malformed one)."""
        return _dictionary(self.dictionary)

    def shaping_rules(self, source: SessionSource | str | None = None) -> ShapingRules:
        """How text of a session from `source` is shaped: spoken commands only where the
        user dictates (the hotkey, or the window when enabled), never in files."""
        dictating: dict[str, bool] = {SessionSource.PUSH_TO_TALK: self.spoken_commands,
                                      SessionSource.DICTATION: self.spoken_commands_window}
        commands = source is not None and dictating.get(str(source), False)
        return ShapingRules(commands=commands, pause_s=self.command_pause_ms / 1000,
                            remove_fillers=self.no_verbatim, numbers=self.number_style,
                            replacements=self.replacements(),
                            language=self.language.strip().lower() or None,
                            capitalize=self.smart_spacing)

    def hotkey_config(self) -> HotkeyConfig:
        """The hotkey interpreter's configuration (raises `ChordError` for bad chords)."""
        def optional(text: str) -> Any:
            return parse_chord(text) if text.strip() else None
        chord = parse_chord(self.hotkey)
        extra = [c for c in (optional(self.cancel_key), optional(self.undo_hotkey),
                             optional(self.paste_last_hotkey)) if c is not None]
        if chord in extra:
            raise ChordError(f"{self.hotkey!r} is used for two actions")
        return HotkeyConfig(chord=chord, mode=self.hotkey_mode,
                            cancel=optional(self.cancel_key), undo=optional(self.undo_hotkey),
                            paste_last=optional(self.paste_last_hotkey),
                            max_hold_s=self.max_hold_s)

    def session_options(self) -> SessionOptions:
        """The protocol options of a dictation session with these settings (validated)."""
        vad = self.commit_strategy == CommitStrategy.VAD
        return SessionOptions(
            model_id=self.model_id.strip(),
            audio_format=AudioFormat.PCM_16000,
            commit_strategy=self.commit_strategy,
            include_timestamps=self.include_timestamps,
            language_code=self.language.strip().lower() or None,
            keyterms=tuple(t.strip() for t in self.keyterms if t.strip()),
            no_verbatim=self.no_verbatim or None,
            vad_silence_threshold_secs=self.vad_silence_threshold_secs if vad else None,
            vad_threshold=self.vad_threshold if vad else None,
            min_speech_duration_ms=self.min_speech_duration_ms if vad else None,
            min_silence_duration_ms=self.min_silence_duration_ms if vad else None,
            entity_redaction=(self.redact_kinds.value,) if self.redact_entities else (),
            entity_redaction_mode=self.redaction_mode if self.redact_entities else None,
            # enable_logging is the cloud's; the local server keeps nothing (§4)
            enable_logging=False if self.zero_retention
            and self.backend == BackendKind.CLOUD else None,
        ).validate()

    def local_server_args(self) -> tuple[str, ...]:
        """The flags of the local server child for the chosen engine and model."""
        return local_server_args(self.local_engine, self.local_model)

    @property
    def keeps_history(self) -> bool:
        """Whether a dictation is recorded (in History, its audio, the live export)."""
        return not self.private_mode

    @property
    def backend_label(self) -> str:
        """What the status bar shows: "Local" or "ElevenLabs (EU)"."""
        if self.backend == BackendKind.LOCAL:
            return self.backend.label
        region = "" if self.region == Region.DEFAULT else f" ({self.region.value.upper()})"
        return f"{self.backend.label}{region}"


@lru_cache(maxsize=8)
def _dictionary(text: str) -> tuple[Replacement, ...]:
    return read_dictionary(text) if text.strip() else ()


def field_spec(name: str) -> FieldSpec:
    """The editor spec of the setting `name` (KeyError if there is none)."""
    for f in fields(Settings):
        if f.name == name:
            spec: FieldSpec = f.metadata["spec"]
            return spec
    raise KeyError(name)


def changed_parts(old: Settings, new: Settings) -> set[AppliesTo]:
    """What the fields that differ between `old` and `new` apply to."""
    parts = set()
    for f in fields(Settings):
        if getattr(old, f.name) != getattr(new, f.name):
            parts.add(f.metadata["spec"].applies_to)
    return parts


def field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Settings))
