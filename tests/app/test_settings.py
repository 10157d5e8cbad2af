"""Settings: defaults, QSettings round trip, validation and the SessionOptions mapping."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from scribe_desktop.core.backend_kind import BackendKind, LocalEngine
from scribe_desktop.hotkey.interpreter import HotkeyMode
from scribe_desktop.inject.inserter import InsertMode
from scribe_desktop.protocol.options import CommitStrategy, EntityRedactionMode, Region
from scribe_desktop.qt.settings import (
    AppliesTo,
    EntityKinds,
    LiveExportFormat,
    Settings,
    SettingsError,
    changed_parts,
    field_names,
    field_spec,
)
from scribe_desktop.qt.settings_store import SettingsStore
from scribe_desktop.shaping import NumberStyle

CHANGED = Settings(
    backend=BackendKind.CLOUD, region=Region.EU, model_id="scribe_v2_realtime_turbo",
    single_use_tokens=False, local_engine=LocalEngine.WHISPER, local_model="base.en",
    language="de", commit_strategy=CommitStrategy.MANUAL,
    vad_silence_threshold_secs=0.8, vad_threshold=0.6, min_speech_duration_ms=250,
    min_silence_duration_ms=400, include_timestamps=False, keyterms=("Kubernetes", "Qt"),
    no_verbatim=True, device_name="USB Mic", chunk_ms=200, noise_suppression=3,
    auto_gain_dbfs=6, preroll_ms=250, close_mic_when_idle=True, close_to_tray=False,
    start_minimized=True,
    hotkey_enabled=False, hotkey="super+f9", hotkey_mode=HotkeyMode.HOLD, cancel_key="f10",
    undo_hotkey="", paste_last_hotkey="ctrl+shift+f9", max_hold_s=60.0,
    insert_mode=InsertMode.TYPE, insert_per_segment=True, smart_spacing=False,
    show_overlay=False, context_reset_s=15.0, remote_insert=True, feedback_sounds=False,
    feedback_volume=80, sound_set="clear", keep_session_audio=True,
    live_export_path="/tmp/captions.srt",
    live_export_format=LiveExportFormat.SRT, spoken_commands=False,
    spoken_commands_window=True, command_pause_ms=600, number_style=NumberStyle.DIGITS,
    dictionary='heard,written,match,case\nscribe desk,"Scribe, ""Desktop""",word,preserve\n'
               'k8s|kates,Kubernetes,regex,as_written\n', welcome_done=True,
    redact_entities=True, redact_kinds=EntityKinds.PCI,
    redaction_mode=EntityRedactionMode.REDACTED, private_mode=True, zero_retention=True)


def test_every_field_differs_in_the_fixture() -> None:
    """The round-trip fixture changes every setting, so the round trip checks them all."""
    defaults = Settings()
    same = [n for n in field_names() if getattr(defaults, n) == getattr(CHANGED, n)]
    assert same == []


def test_round_trip(tmp_path: Path) -> None:
    """Saved settings load back equal, from a fresh store on the same file."""
    path = tmp_path / "settings.ini"
    SettingsStore(path).save(CHANGED)
    assert SettingsStore(path).load() == CHANGED


def test_empty_store_gives_defaults(tmp_path: Path) -> None:
    """A store with nothing saved yields the declared defaults (local backend)."""
    loaded = SettingsStore(tmp_path / "none.ini").load()
    assert loaded == Settings() and loaded.backend == BackendKind.LOCAL


def test_bad_stored_values_fall_back_to_defaults(tmp_path: Path) -> None:
    """Unparsable or out-of-range stored values are replaced by defaults; the rest stays."""
    path = tmp_path / "s.ini"
    path.write_text("[General]\nvad_threshold=7\nchunk_ms=abc\nbackend=martian\n"
                    "language=fr\nno_verbatim=true\n")
    loaded = SettingsStore(path).load()
    assert loaded.vad_threshold == Settings().vad_threshold
    assert loaded.chunk_ms == Settings().chunk_ms
    assert loaded.backend == BackendKind.LOCAL
    assert loaded.language == "fr" and loaded.no_verbatim is True


def test_device_none_round_trips(tmp_path: Path) -> None:
    """Going back to the default microphone (None) is saved as such."""
    path = tmp_path / "s.ini"
    store = SettingsStore(path)
    store.save(CHANGED)
    store.save(dataclasses.replace(CHANGED, device_name=None))
    assert SettingsStore(path).load().device_name is None


@pytest.mark.parametrize(("name", "value"), [
    ("vad_threshold", 0.95), ("vad_silence_threshold_secs", 0.1),
    ("min_speech_duration_ms", 10), ("min_silence_duration_ms", 5000), ("chunk_ms", 300),
    ("noise_suppression", 5), ("auto_gain_dbfs", 40), ("keyterms", ("x" * 21,)),
    ("keyterms", tuple(f"t{i}" for i in range(51))), ("language", "english"),
    ("model_id", " "),
])
def test_values_outside_their_limits_are_refused(name: str, value: Any) -> None:
    """Values outside the API's or the app's limits fail validation and saving."""
    changes: dict[str, Any] = {name: value}
    bad = dataclasses.replace(Settings(), **changes)
    with pytest.raises(SettingsError):
        bad.validate()


def test_vad_ranges_come_from_the_protocol() -> None:
    """The editor ranges of the VAD fields are the protocol's allowed ranges."""
    spec = field_spec("vad_threshold")
    assert (spec.low, spec.high) == (0.1, 0.9)
    assert field_spec("vad_silence_threshold_secs").high == 3.0


def test_session_options_with_vad() -> None:
    """VAD settings, language, keyterms and timestamps reach the session options."""
    settings = dataclasses.replace(CHANGED, commit_strategy=CommitStrategy.VAD)
    options = settings.session_options()
    assert options.commit_strategy == CommitStrategy.VAD
    assert options.vad_threshold == 0.6 and options.vad_silence_threshold_secs == 0.8
    assert options.min_speech_duration_ms == 250 and options.min_silence_duration_ms == 400
    assert options.language_code == "de" and options.keyterms == ("Kubernetes", "Qt")
    assert options.model_id == "scribe_v2_realtime_turbo"
    assert options.no_verbatim is True and options.include_timestamps is False


def test_session_options_manual_and_auto_language() -> None:
    """Manual commits send no VAD parameters; an empty language means auto-detect."""
    options = dataclasses.replace(CHANGED, language=" ").session_options()
    assert options.commit_strategy == CommitStrategy.MANUAL
    assert options.vad_threshold is None and options.min_silence_duration_ms is None
    assert options.language_code is None
    assert ("language_code", "de") not in options.to_query()


def test_backend_label() -> None:
    """The status bar label names the backend and a non-default region."""
    assert Settings().backend_label == "Local"
    assert CHANGED.backend_label == "ElevenLabs (EU)"


def test_bad_hotkeys_are_rejected() -> None:
    """An unusable chord or one chord for two actions fails validation."""
    with pytest.raises(SettingsError):
        Settings(hotkey="ctrl+alt").validate()
    with pytest.raises(SettingsError):
        Settings(undo_hotkey=Settings().hotkey).validate()
    assert Settings().hotkey_config().chord.key == "space"


def test_each_change_says_what_it_applies_to() -> None:
    """A changed field reports the part it applies to: backend, microphone, app or session."""
    base = Settings()
    assert changed_parts(base, base) == set()
    assert changed_parts(base, dataclasses.replace(base, region=Region.EU)) == {AppliesTo.BACKEND}
    assert changed_parts(base, dataclasses.replace(base, preroll_ms=100)) == {AppliesTo.MICROPHONE}
    assert changed_parts(base, dataclasses.replace(base, hotkey="ctrl+alt+h")) == {AppliesTo.APP}
    assert changed_parts(base, dataclasses.replace(base, language="de", chunk_ms=50)) == \
        {AppliesTo.NEXT_SESSION, AppliesTo.MICROPHONE}


def test_the_engine_settings_become_the_local_servers_flags() -> None:
    """The offline engine and model settings choose the local server child's flags."""
    assert Settings().local_server_args() == ("--engine", "auto")
    assert Settings(local_engine=LocalEngine.WHISPER, local_model="base.en") \
        .local_server_args() == ("--engine", "whisper", "--model", "base.en")
    assert Settings(local_engine=LocalEngine.POCKETSPHINX, local_model="base.en") \
        .local_server_args() == ("--engine", "pocketsphinx")


def test_privacy_settings_map_to_session_options() -> None:
    """Redaction asks for entity_redaction and its mode; zero retention only on the cloud."""
    off = Settings().session_options()
    assert off.entity_redaction == () and off.entity_redaction_mode is None
    assert off.enable_logging is None
    on = dataclasses.replace(Settings(), redact_entities=True, redact_kinds=EntityKinds.PII,
                             redaction_mode=EntityRedactionMode.ENTITY_TYPE,
                             zero_retention=True)
    local = on.session_options()
    assert local.entity_redaction == ("pii",)
    assert local.entity_redaction_mode == EntityRedactionMode.ENTITY_TYPE
    assert local.enable_logging is None  # the local server keeps nothing anyway
    cloud = dataclasses.replace(on, backend=BackendKind.CLOUD).session_options()
    assert cloud.enable_logging is False
    assert ("enable_logging", "false") in cloud.to_query()
    assert ("entity_redaction", "pii") in cloud.to_query()
