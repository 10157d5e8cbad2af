"""Chord key names <-> X keycodes and modifier masks (python-xlib objects passed in).

Chord names are `hotkey.chord`'s ("ctrl", "space", "a"); single characters map through
Latin-1 / Unicode keysyms. Every function takes the connection and the Xlib modules, so it
runs on the X thread that owns the connection.
"""

from __future__ import annotations

from typing import Any

_KEYSYMS: dict[str, tuple[str, ...]] = {
    "esc": ("Escape",), "space": ("space",), "enter": ("Return", "KP_Enter"),
    "tab": ("Tab",), "backspace": ("BackSpace",), "delete": ("Delete",),
    "insert": ("Insert",), "home": ("Home",), "end": ("End",), "page_up": ("Prior",),
    "page_down": ("Next",), "up": ("Up",), "down": ("Down",), "left": ("Left",),
    "right": ("Right",), "caps_lock": ("Caps_Lock",), "alt_gr": ("ISO_Level3_Shift",),
    "menu": ("Menu",), "pause": ("Pause",), "print_screen": ("Print",),
    "scroll_lock": ("Scroll_Lock",), "num_lock": ("Num_Lock",),
    "ctrl": ("Control_L", "Control_R"), "alt": ("Alt_L", "Alt_R", "Meta_L", "Meta_R"),
    "shift": ("Shift_L", "Shift_R"), "super": ("Super_L", "Super_R", "Hyper_L"),
    **{f"f{i}": (f"F{i}",) for i in range(1, 25)},
}
MODIFIER_NAMES = ("shift", "ctrl", "alt", "super")
_MODIFIER_MASKS = {"shift": "ShiftMask", "ctrl": "ControlMask", "alt": "Mod1Mask",
                   "super": "Mod4Mask"}


def keysym_names(key: str) -> tuple[str, ...]:
    """X keysym names for a chord key name ("esc" -> ("Escape",)); () if unknown."""
    if key in _KEYSYMS:
        return _KEYSYMS[key]
    if len(key) == 1:
        return (key,)  # resolved by code point in `keycodes`
    return ()


def keycodes(conn: Any, key: str, XK: Any) -> list[int]:
    """Every keycode that produces the chord key `key` on this keyboard."""
    codes: list[int] = []
    for name in keysym_names(key):
        if len(name) == 1:
            cp = ord(name)
            keysym = cp if cp < 0x100 else 0x01000000 + cp  # Latin-1 / Unicode keysyms
        else:
            keysym = XK.string_to_keysym(name)
        if not keysym:
            continue
        for code, _index in conn.keysym_to_keycodes(keysym):
            if code not in codes:
                codes.append(code)
    return codes


def modifier_mask(modifiers: frozenset[str], X: Any) -> int:
    mask = 0
    for mod in modifiers:
        mask |= getattr(X, _MODIFIER_MASKS[mod])
    return mask


def num_lock_mask(conn: Any, X: Any, XK: Any) -> int:
    """The modifier bit NumLock sets (Mod2 on nearly every layout; asked, not assumed)."""
    num_lock_codes = {c for c, _ in conn.keysym_to_keycodes(XK.string_to_keysym("Num_Lock"))}
    masks = (X.ShiftMask, X.LockMask, X.ControlMask, X.Mod1Mask, X.Mod2Mask, X.Mod3Mask,
             X.Mod4Mask, X.Mod5Mask)
    for mask, codes in zip(masks, conn.get_modifier_mapping(), strict=False):
        if num_lock_codes & {c for c in codes if c}:
            return int(mask)
    return int(X.Mod2Mask)


def modifier_keycodes(conn: Any) -> set[int]:
    """Keycodes of every key the server treats as a modifier (Shift..Mod5, Lock excluded:
    CapsLock is a lock, not a held modifier)."""
    mapping = conn.get_modifier_mapping()
    return {c for index, codes in enumerate(mapping) if index != 1 for c in codes if c}


def keys_down(conn: Any) -> set[int]:
    """Keycodes logically down now (XQueryKeymap)."""
    keymap = conn.query_keymap()
    return {i * 8 + bit for i, byte in enumerate(keymap) for bit in range(8)
            if byte >> bit & 1}


_NAMES: dict[int, str] = {}


def keycode_name(conn: Any, code: int, XK: Any) -> str:
    """A keycode's X keysym name ("Control_L"), for logs."""
    if not _NAMES:
        _NAMES.update({value: name[3:] for name, value in vars(XK).items()
                       if name.startswith("XK_") and isinstance(value, int)})
    keysym = conn.keycode_to_keysym(code, 0)
    return _NAMES.get(keysym, str(code))


def chord_name_of(conn: Any, code: int, XK: Any) -> str | None:
    """The chord key name of a modifier keycode ("ctrl" for Control_R), else None."""
    name = keycode_name(conn, code, XK)
    for key in MODIFIER_NAMES:
        if name in _KEYSYMS[key]:
            return key
    return None
