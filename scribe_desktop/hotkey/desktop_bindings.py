"""Default key bindings of common Linux desktops, and which of them a hotkey collides with.
Pure.

A global hotkey that the desktop also binds either never reaches us (the desktop grabbed it
first) or fires both actions. Holding a chord adds a subtler collision: the keys of a held
chord are released one by one, and while the main key is still down and repeating, what
remains can be another binding — releasing Ctrl of Ctrl+Alt+Space first leaves Alt+Space,
the window menu of GNOME, Xfce, Cinnamon and openbox, which then swallows the paste. So a
dictation chord is checked for itself and for every chord its release can leave behind.

The table holds the defaults as shipped (no user changes): GNOME (gsettings-desktop-schemas
`org.gnome.desktop.wm.keybindings`, gnome-settings-daemon media keys, gnome-shell), KDE
Plasma (KWin, KRunner, Klipper, ksmserver), Xfce (xfce4-settings'
xfce4-keyboard-shortcuts.xml), Cinnamon (`org.cinnamon.desktop.keybindings`), openbox
(/etc/xdg/openbox/rc.xml) and the shipped configs of i3 (`$mod` = Mod1, what
i3-config-wizard proposes first) and sway (`$mod` = Mod4).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from .chord import Chord, format_chord, parse_chord


@dataclass(frozen=True, slots=True)
class Binding:
    desktop: str
    chord: Chord
    action: str


def _table(desktop: str, rows: str) -> list[Binding]:
    """'chord = action' lines; several chords may share an action ('a, b = action')."""
    out: list[Binding] = []
    for line in rows.strip().splitlines():
        chords, action = (part.strip() for part in line.split("=", 1))
        out.extend(Binding(desktop, parse_chord(c.strip()), action)
                   for c in chords.split(","))
    return out


_GNOME = """
alt+space = window menu
alt+tab, super+tab = switch applications
alt+shift+tab, super+shift+tab = switch applications backward
alt+f1 = activities overview
alt+f2 = run a command
alt+f4 = close window
alt+f7 = move window
alt+f8 = resize window
alt+f10 = maximize window
alt+f5, super+down = restore window
alt+esc = switch windows directly
ctrl+alt+tab = switch system controls
ctrl+alt+esc = switch system controls directly
ctrl+alt+left, ctrl+alt+right, ctrl+alt+up, ctrl+alt+down = switch workspace
ctrl+shift+alt+left, ctrl+shift+alt+right = move window to workspace
ctrl+shift+alt+up, ctrl+shift+alt+down = move window to workspace
ctrl+alt+delete = log out
ctrl+alt+t = open a terminal
super+space = switch input source
super+shift+space = switch input source backward
super+up = maximize window
super+h = hide window
super+l = lock screen
super+a = show applications
super+v, super+m = notification list
super+s = quick settings
super+home, super+end, super+page_up, super+page_down = switch workspace
super+shift+home, super+shift+end = move window to workspace
super+shift+page_up, super+shift+page_down = move window to workspace
super+shift+left, super+shift+right, super+shift+up, super+shift+down = move window to monitor
print_screen, shift+print_screen, alt+print_screen = screenshot
ctrl+alt+shift+r = screen recording
super+alt+s = screen reader
"""

_KDE = """
alt+space, alt+f2 = KRunner
alt+f3 = window menu
alt+f4 = close window
alt+tab, alt+shift+tab = walk through windows
meta+tab, meta+shift+tab = walk through activities
ctrl+f1, ctrl+f2, ctrl+f3, ctrl+f4 = switch to desktop 1-4
ctrl+f8 = desktop grid
ctrl+f9, ctrl+f10 = present windows
ctrl+f12 = peek at desktop
ctrl+alt+l, meta+l = lock session
ctrl+alt+delete = log out
ctrl+alt+esc = kill window
ctrl+alt+v = Klipper: items at mouse position
meta+v = Klipper: clipboard popup
meta+up, meta+down, meta+left, meta+right = quick tile window
meta+page_up, meta+page_down = maximize or minimize window
meta+ctrl+left, meta+ctrl+right = switch desktop
meta+d = peek at desktop
meta+w = overview
meta+g = grid view
meta+e = file manager
meta+p = display configuration
meta+alt+k = switch keyboard layout
meta+. = emoji selector
print_screen, meta+print_screen, meta+shift+print_screen = Spectacle
"""

_XFCE = """
alt+space = window menu
alt+tab, alt+shift+tab = cycle windows
alt+f1 = applications menu
alt+f2, alt+f3 = application finder
alt+f4 = close window
alt+f6, alt+f7, alt+f8 = stick, move, resize window
alt+f9, alt+f10, alt+f11, alt+f12 = minimize, maximize, fullscreen, above
ctrl+alt+d = show desktop
ctrl+alt+l = lock screen
ctrl+alt+t = open a terminal
ctrl+alt+delete = log out
ctrl+alt+esc = xkill
ctrl+esc = desktop menu
ctrl+shift+esc = task manager
ctrl+alt+left, ctrl+alt+right, ctrl+alt+up, ctrl+alt+down = switch workspace
ctrl+f1, ctrl+f2, ctrl+f3, ctrl+f4, ctrl+f5, ctrl+f6 = go to workspace 1-6
super+e = file manager
super+p = display settings
super+r = application finder
print_screen, alt+print_screen, shift+print_screen = screenshot
"""

_CINNAMON = """
alt+space = window menu
alt+tab, alt+shift+tab = switch windows
alt+f2 = run a command
alt+f4 = close window
alt+f7, alt+f8 = move, resize window
alt+f10 = maximize window
ctrl+alt+left, ctrl+alt+right, ctrl+alt+up, ctrl+alt+down = switch workspace
ctrl+alt+shift+left, ctrl+alt+shift+right = move window to workspace
ctrl+alt+t = open a terminal
ctrl+alt+l = lock screen
ctrl+alt+delete = log out
ctrl+alt+esc = restart Cinnamon
super+d = show desktop
super+l = looking glass
super+left, super+right, super+up, super+down = tile window
print_screen, alt+print_screen, shift+print_screen = screenshot
"""

_OPENBOX = """
alt+space = window menu
alt+tab, alt+shift+tab = next, previous window
alt+f4 = close window
alt+esc = lower window
ctrl+alt+left, ctrl+alt+right, ctrl+alt+up, ctrl+alt+down = switch desktop
shift+alt+left, shift+alt+right, shift+alt+up, shift+alt+down = send window to desktop
ctrl+alt+tab = focus the desktop
super+f1, super+f2, super+f3, super+f4 = go to desktop 1-4
super+shift+left, super+shift+right, super+shift+up, super+shift+down = send window to desktop
super+d = toggle show desktop
super+e = run kfmclient
print_screen, alt+print_screen = screenshot
"""


def _tiling(desktop: str, mod: str, focus_keys: str) -> str:
    lines = [
        f"{mod}+enter = open a terminal", f"{mod}+d = application launcher",
        f"{mod}+shift+q = kill window", f"{mod}+space = toggle focus tiling/floating",
        f"{mod}+shift+space = toggle floating", f"{mod}+f = fullscreen",
        f"{mod}+s, {mod}+w, {mod}+e = layout", f"{mod}+a = focus parent",
        f"{mod}+r = resize mode", f"{mod}+shift+c = reload", f"{mod}+shift+e = exit",
        f"{mod}+v = split vertically",
        ", ".join(f"{mod}+{k}" for k in range(10)) + " = switch to workspace",
        ", ".join(f"{mod}+shift+{k}" for k in range(10)) + " = move to workspace",
    ]
    for key in [*focus_keys.split(), "left", "down", "up", "right"]:
        lines.append(f"{mod}+{key}, {mod}+shift+{key} = focus or move")
    if desktop == "i3":
        lines += [f"{mod}+h = split horizontally", f"{mod}+shift+r = restart"]
    else:
        lines += [f"{mod}+b = split horizontally", f"{mod}+shift+minus = move to scratchpad",
                  f"{mod}+minus = show scratchpad"]
    return "\n".join(lines)


BINDINGS: tuple[Binding, ...] = tuple(
    _table("GNOME", _GNOME) + _table("KDE Plasma", _KDE) + _table("Xfce", _XFCE)
    + _table("Cinnamon", _CINNAMON) + _table("openbox", _OPENBOX)
    + _table("i3", _tiling("i3", "alt", "j k l ;"))
    + _table("sway", _tiling("sway", "super", "h j k l")))


@dataclass(frozen=True, slots=True)
class Collision:
    """`binding` is `chord` itself, or (`while_releasing`) what releasing it leaves held."""

    chord: Chord
    binding: Binding
    while_releasing: bool

    def __str__(self) -> str:
        where = (f"while releasing it, {format_chord(self.binding.chord)} is" if
                 self.while_releasing else "it is")
        return f"{self.binding.desktop}: {where} {self.binding.action}"


def release_leftovers(chord: Chord) -> list[Chord]:
    """The chords left held while `chord` is released modifier by modifier, the main key
    still down (Ctrl+Alt+Space -> Alt+Space, Ctrl+Space, Space)."""
    mods = sorted(chord.modifiers)
    out: list[Chord] = []
    for size in range(len(mods) - 1, -1, -1):
        out.extend(Chord(frozenset(kept), chord.key) for kept in combinations(mods, size))
    return out


def collisions(chord: Chord, *, held: bool = True) -> list[Collision]:
    """Every default desktop binding `chord` collides with. `held`: it is held while
    talking, so the chords its release leaves behind count too (not for tapped chords);
    a bare key left over is not a binding anyone makes of a letter or Space."""
    found = [Collision(chord, b, False) for b in BINDINGS if b.chord == chord]
    if held:
        leftovers = {c for c in release_leftovers(chord) if c.modifiers}
        found += [Collision(chord, b, True) for b in BINDINGS if b.chord in leftovers]
    return found


def collision_text(chord: Chord, *, held: bool = True, limit: int = 3) -> str:
    """One line for the Settings dialog ("" when it collides with nothing)."""
    found = collisions(chord, held=held)
    if not found:
        return ""
    shown = "; ".join(str(c) for c in found[:limit])
    more = f" (and {len(found) - limit} more)" if len(found) > limit else ""
    return f"Also bound by desktops — {shown}{more}."
