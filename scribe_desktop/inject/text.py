"""Text decisions of insertion, pure: smart spacing and capitalisation between
consecutive dictations, and which paste shortcut a window needs."""

from __future__ import annotations

import re

from ..shaping.spacing import joint

# WM_CLASS fragments of terminal emulators: they paste with Ctrl+Shift+V (Ctrl+V is a
# literal-next control character in a shell).
TERMINAL_CLASSES = (
    "xterm", "rxvt", "urxvt", "gnome-terminal", "konsole", "xfce4-terminal", "terminator",
    "tilix", "alacritty", "kitty", "st-256color", "wezterm", "foot", "lxterminal",
    "mate-terminal", "qterminal", "terminology", "sakura", "guake", "yakuake", "tilda",
    "cool-retro-term", "hyper", "kgx", "ptyxis", "blackbox", "terminal",
)


def is_terminal(wm_class: str) -> bool:
    """True if a window's WM_CLASS (instance and class, any case) names a terminal."""
    parts = [p for p in re.split(r"[\s,\"]+", wm_class.lower()) if p]
    return any(p == t or p.endswith("." + t) or p.startswith(t) for p in parts
               for t in TERMINAL_CLASSES)


def paste_shortcut(wm_class: str) -> str:
    """The xdotool key chord that pastes the CLIPBOARD in that window."""
    return "ctrl+shift+v" if is_terminal(wm_class) else "ctrl+v"


def smart_join(previous: str | None, text: str, *, spacing: bool = True,
               capitalize: bool = True) -> str:
    """`text` as it should be inserted after `previous` (what the last dictation into the
    same window inserted; None if there was none): `shaping.spacing.joint`, the one
    implementation of spacing and capitals, without its deletion of a replaced mark."""
    return joint(previous, text, spacing=spacing, capitalize=capitalize).text


def split_ascii_runs(text: str) -> list[tuple[bool, str]]:
    """[(is_ascii, run), ...] covering `text`: typing mode types the ASCII runs and pastes
    the others (keysym typing garbles non-ASCII: test-rig.md, Handy #439)."""
    runs: list[tuple[bool, str]] = []
    for ch in text:
        ascii_ = ch.isascii() and (ch.isprintable() or ch in "\n\t")
        if runs and runs[-1][0] == ascii_:
            runs[-1] = (ascii_, runs[-1][1] + ch)
        else:
            runs.append((ascii_, ch))
    return runs
