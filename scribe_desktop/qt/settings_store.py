"""`SettingsStore`: `Settings` persisted with QSettings (QtCore only): an INI file at `path` in
tests and portable mode, the platform's native store otherwise. Unknown or invalid stored
values fall back to the default, so a hand-edited file can never stop the app from starting.
"""

from __future__ import annotations

import dataclasses
from dataclasses import fields
from enum import StrEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from ..paths.private import private_dir, tighten
from .settings import APPLICATION, ORGANIZATION, SETTINGS_VERSION, Settings, SettingsError


def decode_value(kind: Any, raw: Any, default: Any) -> Any:
    """A stored QSettings value (often a string in INI files), or a value typed on the
    command line, as the field's type (raises ValueError/TypeError)."""
    if raw is None:
        return default
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in ("true", "1"):
            return True
        if str(raw).lower() in ("false", "0"):
            return False
        raise ValueError(raw)
    if isinstance(default, StrEnum):
        return type(default)(str(raw))
    if isinstance(default, int):
        number = float(raw)
        if not number.is_integer():
            raise ValueError(raw)
        return int(number)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, tuple):
        items = [raw] if isinstance(raw, str) else list(raw)
        return tuple(str(v) for v in items if str(v))
    if kind == "str | None":
        return str(raw) or None
    return str(raw)


class SettingsStore:
    """Loads and saves `Settings` with QSettings. `path`: an INI file (tests, portable mode);
    None: the platform's native location. Blocking but fast; call on the loop thread."""

    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:
            self._qs = QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope,
                                 ORGANIZATION, APPLICATION)
        else:
            self._qs = QSettings(str(path), QSettings.Format.IniFormat)
        self._make_private()  # an older version may have left it readable by others

    @property
    def location(self) -> str:
        return self._qs.fileName()

    def load(self) -> Settings:
        self._qs.sync()  # what another process (`scribe-desktop config set`) wrote meanwhile
        defaults = Settings()
        values: dict[str, Any] = {}
        for f in fields(Settings):
            default = getattr(defaults, f.name)
            raw = self._qs.value(f.name)
            try:
                values[f.name] = decode_value(f.type, raw, default)
            except (ValueError, TypeError):
                values[f.name] = default  # a bad stored value never blocks startup
        try:
            return Settings(**values).validate()
        except SettingsError:
            # keep every valid field; reset the ones that break validation
            settings = defaults
            for name, value in values.items():
                candidate = dataclasses.replace(settings, **{name: value})
                try:
                    settings = candidate.validate()
                except SettingsError:
                    continue
            return settings

    def save(self, settings: Settings) -> None:
        """Persist every field (validated first: raises `SettingsError`)."""
        settings.validate()
        self._qs.setValue("version", SETTINGS_VERSION)
        for f in fields(settings):
            value = getattr(settings, f.name)
            if value is None:
                self._qs.remove(f.name)
            elif isinstance(value, tuple):
                self._qs.setValue(f.name, list(value))
            elif isinstance(value, StrEnum):
                self._qs.setValue(f.name, value.value)
            else:
                self._qs.setValue(f.name, value)
        self._qs.sync()
        self._make_private()

    def _make_private(self) -> None:
        """The settings name the user's files and devices: 0600 in a 0700 folder."""
        path = Path(self._qs.fileName())
        if not path.is_file():
            return  # not a file (e.g. the Windows registry)
        tighten(path)
        if path.parent.name == ORGANIZATION:  # the native store's own folder
            private_dir(path.parent, own=True)
