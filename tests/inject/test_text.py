"""Smart joining, terminal detection and ASCII runs."""

from __future__ import annotations

import pytest

from scribe_desktop.inject.text import is_terminal, paste_shortcut, smart_join, split_ascii_runs


@pytest.mark.parametrize(("previous", "text", "expected"), [
    (None, "hello world", "Hello world"),
    ("Hello world", "again", " again"),
    ("Hello world.", "next one", " Next one"),
    ("Hello world ", "more", "more"),
    ("Hello", ", then", ", then"),
    ("x", "  ", ""),
])
def test_smart_join(previous: str | None, text: str, expected: str) -> None:
    """Spaces and capitals follow what was inserted before."""
    assert smart_join(previous, text) == expected


def test_smart_join_off_is_verbatim() -> None:
    """With smart formatting off the text is only stripped."""
    assert smart_join("a", "café €5", spacing=False, capitalize=False) == "café €5"


@pytest.mark.parametrize(("wm_class", "terminal"), [
    ('"xterm", "XTerm"', True), ('"gnome-terminal-server", "Gnome-terminal"', True),
    ('"kitty", "kitty"', True), ('"Alacritty", "Alacritty"', True),
    ('"scribeTarget", "Scribetarget"', False), ('"Navigator", "firefox"', False), ("", False),
])
def test_terminals_get_ctrl_shift_v(wm_class: str, terminal: bool) -> None:
    """Terminal emulators paste with Ctrl+Shift+V, others with Ctrl+V."""
    assert is_terminal(wm_class) is terminal
    assert paste_shortcut(wm_class) == ("ctrl+shift+v" if terminal else "ctrl+v")


def test_ascii_runs_cover_the_text() -> None:
    """Runs alternate between ASCII and not, and join back to the text."""
    runs = split_ascii_runs("café €5 naïve")
    assert "".join(r for _, r in runs) == "café €5 naïve"
    assert [a for a, _ in runs] == [True, False, True, False, True, False, True]
