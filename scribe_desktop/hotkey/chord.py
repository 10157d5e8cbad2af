"""Key chords such as "ctrl+shift+space": parse, format, match. Pure.

Key names are normalized lowercase strings: modifiers "ctrl", "alt", "shift", "super" (left
and right variants fold into one), named keys ("space", "esc", "enter", "backspace", "f1".."f24",
...) and single characters ("a", "1", "/"). The key listener produces the same names, so a
chord matches when all of its keys are down.
"""

from __future__ import annotations

from dataclasses import dataclass

MODIFIERS = ("ctrl", "alt", "shift", "super")  # the canonical order when formatting

# Common aliases users type in a settings field, and what listeners report.
_ALIASES = {
    "control": "ctrl", "ctl": "ctrl", "ctrl_l": "ctrl", "ctrl_r": "ctrl",
    "option": "alt", "alt_l": "alt", "alt_r": "alt", "meta": "super", "win": "super",
    "windows": "super", "cmd": "super", "command": "super", "cmd_l": "super",
    "cmd_r": "super", "super_l": "super", "super_r": "super", "shift_l": "shift",
    "shift_r": "shift", "escape": "esc", "return": "enter", "spacebar": "space",
    "del": "delete", "ins": "insert", "pgup": "page_up", "pgdn": "page_down",
    "pageup": "page_up", "pagedown": "page_down", "bksp": "backspace",
    "caps": "caps_lock", "capslock": "caps_lock", "altgr": "alt_gr",
    "plus": "+", "comma": ",", "minus": "-",
}

NAMED_KEYS = frozenset({
    "space", "esc", "enter", "tab", "backspace", "delete", "insert", "home", "end",
    "page_up", "page_down", "up", "down", "left", "right", "caps_lock", "alt_gr", "menu",
    "pause", "print_screen", "scroll_lock", "num_lock", *(f"f{i}" for i in range(1, 25)),
})

# No desktop in hotkey.desktop_bindings binds these, nor (for the held dictation chord) what
# releasing it key by key leaves held: Ctrl+Alt+Space left Alt+Space, the window menu of most
# desktops, when Ctrl went up first. Ctrl+Alt+V is KDE's Klipper popup.
DEFAULT_CHORD = "ctrl+shift+space"
DEFAULT_CANCEL_KEY = "esc"
# NOT ctrl+alt+backspace: with DontZap off that kills the X server.
DEFAULT_UNDO_CHORD = "ctrl+alt+z"
DEFAULT_PASTE_LAST_CHORD = "ctrl+alt+p"


class ChordError(ValueError):
    """A chord string that cannot be a hotkey; the message says why."""


def normalize_key(name: str) -> str:
    """The canonical name of one key ("Control" -> "ctrl", "Escape" -> "esc", "A" -> "a")."""
    raw = name.strip()
    if len(raw) == 1:
        return raw.lower()
    key = raw.lower().replace(" ", "_").replace("-", "_")
    return _ALIASES.get(key, key)


@dataclass(frozen=True, slots=True)
class Chord:
    """Zero or more modifiers plus exactly one main key."""

    modifiers: frozenset[str]
    key: str

    @property
    def keys(self) -> frozenset[str]:
        return self.modifiers | {self.key}

    def __str__(self) -> str:
        return format_chord(self)


def parse_chord(text: str) -> Chord:
    """"Ctrl+Alt+Space" -> Chord({"ctrl", "alt"}, "space"); raises `ChordError`."""
    if not text or not text.strip():
        raise ChordError("the hotkey is empty")
    parts = text.strip().lower().split("+")
    # "ctrl++" means ctrl and the plus key
    if text.strip().endswith("++"):
        parts = [*parts[:-2], "+"]
    names = [normalize_key(p) for p in parts]
    if any(not n for n in names):
        raise ChordError(f"{text!r}: empty key name")
    if len(set(names)) != len(names):
        raise ChordError(f"{text!r}: a key appears twice")
    mods = [n for n in names if n in MODIFIERS]
    mains = [n for n in names if n not in MODIFIERS]
    if not mains:
        if len(mods) == 1:  # a lone modifier (e.g. "super") is a valid push-to-talk key
            return Chord(frozenset(), mods[0])
        raise ChordError(f"{text!r}: needs one non-modifier key (e.g. ctrl+alt+space)")
    if len(mains) > 1:
        raise ChordError(f"{text!r}: only one non-modifier key is allowed, got "
                         + ", ".join(mains))
    key = mains[0]
    if len(key) > 1 and key not in NAMED_KEYS:
        raise ChordError(f"{text!r}: unknown key {key!r}")
    return Chord(frozenset(mods), key)


def format_chord(chord: Chord) -> str:
    """The canonical text of `chord` ("ctrl+alt+space"); `parse_chord` reads it back."""
    mods = [m for m in MODIFIERS if m in chord.modifiers]
    return "+".join([*mods, chord.key])


def is_valid_chord(text: str) -> bool:
    try:
        parse_chord(text)
    except ChordError:
        return False
    return True
