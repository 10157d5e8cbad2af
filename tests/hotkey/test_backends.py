"""Global-key backends are picked by what the session allows, with a null one last."""

from __future__ import annotations

from scribe_desktop.hotkey.backends import (
    TOGGLE_HINT,
    ListenerKind,
    NullListener,
    detect,
    make_listener,
)


def test_wayland_has_no_listener_and_says_what_to_do() -> None:
    """On Wayland no app may listen to keys: the status says so and names the remote."""
    status = detect({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, platform="linux")
    assert not status.available and status.kind is ListenerKind.NONE
    assert "Wayland" in status.message and status.hint == TOGGLE_HINT


def test_no_display_has_no_listener() -> None:
    """Without an X display there is no global hotkey backend."""
    status = detect({}, platform="linux")
    assert not status.available and "DISPLAY" in status.message


def test_an_unavailable_status_makes_the_null_listener() -> None:
    """make_listener never returns None: the null backend stands in and never fires."""
    listener = make_listener(detect({}, platform="linux"))
    assert isinstance(listener, NullListener)
    fired: list[object] = []
    listener.start(fired.append)
    listener.stop()
    assert fired == []
