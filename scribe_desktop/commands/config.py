"""`scribe-desktop config`: read and change any setting from the command line, validated
exactly as the Settings dialog validates it (what an administrator or a script needs).

    config list [--json]            every setting: KEY = VALUE (* marks a changed one)
    config get KEY                  one value, as `list` prints it
    config set KEY VALUE            validate, store; a running app applies it at once
    config reset KEY                back to the default
    config sway-bindings            sway config lines for the push-to-talk chords

KEY is `group.name` (`hotkey.chord`, `hotkey.mode`, `audio.device_name`,
`transcription.language`, ...) or the plain field name (`hotkey`). Lists (key terms) are
comma-separated. `--file PATH` uses an INI file instead of the user's settings. Exit codes:
0 done, 1 invalid value or unknown key (one line on stderr says why), 2 usage.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..qt.settings import Settings
    from ..qt.settings_store import SettingsStore

EXIT_INVALID = 1
EXIT_USAGE = 2
# a field named like its group, or whose name repeats it
_SHORT = {"hotkey": "chord", "backend": "kind", "undo_hotkey": "undo",
          "paste_last_hotkey": "paste_last"}
_CHORDS = frozenset({"hotkey", "cancel_key", "undo_hotkey", "paste_last_hotkey"})


def add_parser(subparsers: Any) -> None:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "config", help="read and change settings (list, get, set, reset)",
        description="Read and change the app's settings, validated like the Settings dialog. "
        "A running app applies a change at once.")
    p.add_argument("--file", metavar="PATH", help="an INI settings file instead of the user's")
    actions = p.add_subparsers(dest="config_action", metavar="ACTION")
    ls = actions.add_parser("list", help="every setting and its value")
    ls.add_argument("--json", action="store_true", help="print JSON (key -> value)")
    get = actions.add_parser("get", help="print one setting")
    get.add_argument("key", metavar="KEY")
    put = actions.add_parser("set", help="change one setting (validated)")
    put.add_argument("key", metavar="KEY")
    put.add_argument("value", metavar="VALUE")
    reset = actions.add_parser("reset", help="put one setting back to its default")
    reset.add_argument("key", metavar="KEY")
    actions.add_parser("sway-bindings",
                       help="print sway config lines that report the push-to-talk chords")


def keys() -> dict[str, str]:
    """Dotted key -> field name, for every setting."""
    from ..qt.settings import field_names, field_spec

    out = {}
    for name in field_names():
        group = field_spec(name).group.lower()
        short = _SHORT.get(name, name[len(group) + 1:] if name.startswith(group + "_")
                           else name)
        out[f"{group}.{short}"] = name
    return out


def resolve(key: str) -> str:
    """The field name of KEY (dotted or plain); KeyError with the known keys if none."""
    table = keys()
    if key in table:
        return table[key]
    if key in table.values():
        return key
    raise KeyError(key)


def show(value: Any) -> str:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(value)
    return "" if value is None else str(value)


def parse(name: str, text: str, settings: Settings) -> Any:
    """VALUE for field `name`, typed like its default (raises ValueError)."""
    from ..hotkey.chord import format_chord, parse_chord
    from ..qt.settings_store import decode_value

    current = getattr(settings, name)
    field = next(f for f in dataclasses.fields(settings) if f.name == name)
    if isinstance(current, tuple):
        return tuple(t.strip() for t in text.split(",") if t.strip())
    if name in _CHORDS:  # stored canonical, as the dialog stores it
        return format_chord(parse_chord(text)) if text.strip() else ""
    if isinstance(current, StrEnum) and text not in {m.value for m in type(current)}:
        raise ValueError(f"must be one of {', '.join(m.value for m in type(current))}, "
                         f"got {text!r}")
    return decode_value(field.type, text, current if current is not None else "")


def _store(args: argparse.Namespace) -> SettingsStore:
    from ..qt.settings_store import SettingsStore

    return SettingsStore(args.file) if args.file else SettingsStore()


def _reload_running_app() -> None:
    from ..qt.single_instance import send_to_running

    send_to_running(["--reload-settings"], timeout_ms=1000)


def run(args: argparse.Namespace) -> int:
    from ..qt.settings import SettingsError

    action = args.config_action
    if action is None:
        print("scribe-desktop config: say list, get, set, reset or sway-bindings",
              file=sys.stderr)
        return EXIT_USAGE
    store = _store(args)
    settings = store.load()
    if action == "list":
        values = {key: show(getattr(settings, name)) for key, name in keys().items()}
        if args.json:
            print(json.dumps(values, indent=2))
            return 0
        defaults = type(settings)()
        for key, name in keys().items():
            changed = "*" if getattr(settings, name) != getattr(defaults, name) else " "
            print(f"{changed} {key} = {values[key]}")
        return 0
    if action == "sway-bindings":
        from ..hotkey.backends.sway_ipc import config_lines

        config = settings.hotkey_config()
        print("\n".join(config_lines({"dictate": config.chord, "undo": config.undo,
                                      "paste_last": config.paste_last})))
        return 0
    try:
        name = resolve(args.key)
    except KeyError:
        print(f"scribe-desktop config: unknown setting {args.key!r} (see `config list`)",
              file=sys.stderr)
        return EXIT_INVALID
    if action == "get":
        print(show(getattr(settings, name)))
        return 0
    try:
        value = (getattr(type(settings)(), name) if action == "reset"
                 else parse(name, args.value, settings))
        store.save(dataclasses.replace(settings, **{name: value}).validate())
    except (ValueError, TypeError, SettingsError) as exc:
        print(f"scribe-desktop config: {args.key}: {exc}", file=sys.stderr)
        return EXIT_INVALID
    if not args.file:
        _reload_running_app()
    return 0
