"""`scribe-desktop config` as a script runs it: list, get, set (validated like the Settings
dialog), reset, and the sway binding lines; the app reads what it wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scribe_desktop.hotkey.interpreter import HotkeyMode
from scribe_desktop.qt.settings import Settings
from scribe_desktop.qt.settings_store import SettingsStore

ROOT = Path(__file__).resolve().parents[2]


def config(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "SCRIBE_DESKTOP_INSTANCE": f"scribe-config-test-{os.getpid()}"}
    return subprocess.run([sys.executable, "-m", "scribe_desktop", "config", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_set_get_and_list_go_through_the_users_settings(tmp_path: Path) -> None:
    """A value set is read back by get, list marks it changed, and the store has it."""
    assert config(tmp_path, "get", "hotkey.chord").stdout.strip() == "ctrl+shift+space"
    done = config(tmp_path, "set", "hotkey.chord", "Control+Alt+F9")
    assert done.returncode == 0, done.stderr
    assert config(tmp_path, "set", "hotkey.mode", "hold").returncode == 0
    assert config(tmp_path, "set", "transcription.keyterms", "Scribe, pocketsphinx"
                  ).returncode == 0
    assert config(tmp_path, "get", "hotkey").stdout.strip() == "ctrl+alt+f9"  # canonical
    listed = config(tmp_path, "list").stdout.splitlines()
    assert "* hotkey.chord = ctrl+alt+f9" in listed and "  hotkey.enabled = true" in listed
    values = json.loads(config(tmp_path, "list", "--json").stdout)
    assert values["transcription.keyterms"] == "Scribe,pocketsphinx"
    assert len(values) == len(Settings.__dataclass_fields__)
    env_config = tmp_path / "config" / "scribe-desktop" / "scribe-desktop.conf"
    assert env_config.exists()
    os.environ["XDG_CONFIG_HOME"], old = str(tmp_path / "config"), os.environ.get(
        "XDG_CONFIG_HOME")
    try:
        stored = SettingsStore().load()
    finally:
        if old is None:
            del os.environ["XDG_CONFIG_HOME"]
        else:
            os.environ["XDG_CONFIG_HOME"] = old
    assert stored.hotkey == "ctrl+alt+f9" and stored.hotkey_mode == HotkeyMode.HOLD
    assert stored.keyterms == ("Scribe", "pocketsphinx")
    assert config(tmp_path, "reset", "hotkey.chord").returncode == 0
    assert config(tmp_path, "get", "hotkey.chord").stdout.strip() == "ctrl+shift+space"


@pytest.mark.parametrize(("key", "value", "why"), [
    ("hotkey.mode", "sometimes", "must be one of hold, toggle, hybrid"),
    ("hotkey.max_hold_s", "1", "between 5 and 3600"),
    ("hotkey.chord", "ctrl+bogus", "unknown key 'bogus'"),
    ("hotkey.undo", "ctrl+shift+space", "used for two actions"),
    ("audio.chunk_ms", "many", "many"),
    ("hotkey.sound_set", "loud", "must be one of soft, clear"),
    ("no.such", "1", "unknown setting 'no.such'"),
])
def test_invalid_values_are_refused_and_nothing_changes(tmp_path: Path, key: str, value: str,
                                                        why: str) -> None:
    """A value the dialog would refuse is refused with the reason; the store is unchanged."""
    done = config(tmp_path, "set", key, value)
    assert done.returncode == 1 and why in done.stderr, done.stderr
    assert config(tmp_path, "list").stdout.count("*") == 0


def test_an_ini_file_and_the_sway_lines(tmp_path: Path) -> None:
    """--file edits an INI file; sway-bindings prints press and release lines per chord."""
    ini = tmp_path / "portable.ini"
    assert config(tmp_path, "--file", str(ini), "set", "hotkey.chord", "super+f9"
                  ).returncode == 0
    assert "hotkey=super+f9" in ini.read_text()
    lines = config(tmp_path, "--file", str(ini), "sway-bindings").stdout.splitlines()
    assert "bindsym --no-repeat Mod4+F9 nop scribe-desktop:dictate:press" in lines
    assert "bindsym --release Mod4+F9 nop scribe-desktop:dictate:release" in lines
    assert "bindsym --no-repeat Ctrl+Mod1+z nop scribe-desktop:undo:press" in lines
