"""Which insertion backend a session gets, and what the user is told where none works."""

from __future__ import annotations

import asyncio

import pytest

from scribe_desktop.inject.backends import (
    InjectionKind,
    InsertUnavailableError,
    detect,
    make_backend,
)
from scribe_desktop.inject.inserter import Inserter, InsertError


@pytest.mark.parametrize(("env", "kind", "words"), [
    ({"DISPLAY": ":0"}, InjectionKind.X11, "X11"),
    ({"WAYLAND_DISPLAY": "wayland-0", "SWAYSOCK": "/run/sway.sock",
      "XDG_CURRENT_DESKTOP": "sway"}, InjectionKind.WAYLAND, "Wayland"),
    ({"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "Hyprland",
      "HYPRLAND_INSTANCE_SIGNATURE": "x"}, InjectionKind.WAYLAND, "Wayland"),
    ({"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "ubuntu:GNOME"},
     InjectionKind.NONE, "RemoteDesktop portal"),
    ({"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "KDE"}, InjectionKind.NONE,
     "RemoteDesktop portal"),
    ({}, InjectionKind.NONE, "No X11 display"),
])
def test_each_session_gets_its_backend_or_the_reason(env: dict[str, str],
                                                     kind: InjectionKind, words: str) -> None:
    """X11 and wlroots compositors insert; GNOME and KDE on Wayland say what is missing."""
    status = detect(env)
    assert status.kind == kind and words in status.message
    assert status.available == (kind != InjectionKind.NONE)


def test_missing_tools_are_named_with_their_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without wtype and wl-clipboard the message says what to install."""
    monkeypatch.setattr("shutil.which", lambda _name: None)
    status = detect({"WAYLAND_DISPLAY": "wayland-0", "SWAYSOCK": "/s"})
    assert not status.available
    assert "sudo apt-get install wl-clipboard wtype" in status.message


def test_the_null_backend_refuses_with_the_reason() -> None:
    """Inserting through the null backend fails with the status message, nothing else."""
    status = detect({"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "GNOME"})
    backend = make_backend(status)
    inserter = Inserter(backend.desktop, backend.clipboard)

    async def insert() -> None:
        record = inserter.begin(await inserter.capture_target())
        await inserter.insert(record, "hello")

    with pytest.raises(InsertError, match="RemoteDesktop portal") as caught:
        asyncio.run(insert())
    assert isinstance(caught.value.__cause__, InsertUnavailableError)
