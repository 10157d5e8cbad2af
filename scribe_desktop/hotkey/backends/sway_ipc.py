"""Global hotkeys on sway through its IPC (the `i3ipc` library, imported lazily): true
press/release push-to-talk on Wayland, where no app may listen to the keyboard.

sway itself watches the chords: each reserved chord gets two bindings whose command is a
no-op marked for us,

    bindsym --no-repeat Ctrl+Shift+space nop scribe-desktop:dictate:press
    bindsym --release   Ctrl+Shift+space nop scribe-desktop:dictate:release

and every time one fires, sway sends a `binding` event over the IPC socket, which becomes
`KeyEvent`s for the interpreter (the chord's keys down, or up). `--no-repeat` matters: a held
chord would otherwise fire 25 times a second. The bindings consume the chord, so the focused
app never receives it. We add them at run time over IPC (`reserve`; the cancel key only while
dictating) and remove them when done; `config_lines()` prints them for a sway config instead
(`scribe-desktop config sway-bindings`), and the events are the same either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from ..chord import Chord, format_chord
from .base import KeyEvent, ListenerKind, ListenerStatus, unavailable
from .x11_keymap import keysym_names

log = logging.getLogger(__name__)

MARK = "scribe-desktop"
CANCEL = "cancel"
CONNECT_TIMEOUT_S = 5.0
_MODIFIERS = {"ctrl": "Ctrl", "alt": "Mod1", "shift": "Shift", "super": "Mod4"}


def _i3ipc_aio() -> Any:
    return importlib.import_module("i3ipc.aio")  # lazy: an optional dependency


def sway_status(env: Mapping[str, str]) -> ListenerStatus:
    """Whether the sway IPC backend can work (SWAYSOCK set, i3ipc importable)."""
    if not env.get("SWAYSOCK"):
        return unavailable("not sway (SWAYSOCK is not set)")
    try:
        _i3ipc_aio()
    except ImportError:
        return unavailable("the i3ipc Python package is missing (pip install i3ipc)")
    return ListenerStatus(True, ListenerKind.SWAY, "Global hotkeys: sway IPC bindings")


def sway_chord(chord: Chord) -> str:
    """A chord in sway's bindsym syntax ("ctrl+shift+space" -> "Ctrl+Shift+space")."""
    mods = [_MODIFIERS[m] for m in ("super", "ctrl", "alt", "shift") if m in chord.modifiers]
    key = keysym_names(chord.key)[0] if keysym_names(chord.key) else chord.key
    return "+".join([*mods, key])


def binding_commands(name: str, chord: Chord) -> tuple[str, str]:
    """The two bindsym commands (press, release) that report `chord` as action `name`."""
    keys = sway_chord(chord)
    return (f"bindsym --no-repeat {keys} nop {MARK}:{name}:press",
            f"bindsym --release {keys} nop {MARK}:{name}:release")


def while_held(cancel: Chord, held: Chord | None) -> list[Chord]:
    """The cancel chord as sway sees it: alone, and with the modifiers of the dictation
    chord still held (sway matches modifiers exactly: Esc under a held Ctrl+Shift is
    Ctrl+Shift+Escape)."""
    variants = [cancel]
    if held is not None and held.modifiers - cancel.modifiers:
        variants.append(Chord(cancel.modifiers | held.modifiers, cancel.key))
    return variants


def config_lines(chords: Mapping[str, Chord | None]) -> list[str]:
    """sway config lines for these chords (the cancel key is bound only while dictating,
    so it is left out: a permanent Esc binding would take Esc from every app)."""
    lines = [f"# scribe-desktop push-to-talk ({format_chord(c)}: {n})" for n, c in
             chords.items() if c is not None and n != CANCEL]
    for name, chord in chords.items():
        if chord is not None and name != CANCEL:
            lines.extend(binding_commands(name, chord))
    return lines


class SwayBindings:
    """A `KeyListener` fed by sway's binding events, and the chords' reservations."""

    def __init__(self, socket_path: str | None = None, *,
                 on_notice: Callable[[str], None] | None = None,
                 on_focus_change: Callable[[int | None], None] | None = None) -> None:
        self.socket_path = socket_path or os.environ.get("SWAYSOCK")
        self.on_notice = on_notice
        self.on_focus_change = on_focus_change
        self._on_event: Callable[[KeyEvent], None] | None = None
        self._conn: Any = None
        self._ready: asyncio.Future[Any] | None = None
        self._chords: dict[str, Chord] = {}  # what is bound now
        self._bound: dict[str, list[Chord]] = {}  # the sway chords bound for each
        self._suspended = False
        self._task: asyncio.Task[None] | None = None

    # -- KeyListener ---------------------------------------------------------------------------

    def start(self, on_event: Callable[[KeyEvent], None]) -> None:
        self._on_event = on_event
        loop = asyncio.get_running_loop()
        self._ready = loop.create_future()
        self._task = loop.create_task(self._connect())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.main_quit()
            for sock in ("_cmd_socket", "_sub_socket"):
                with contextlib.suppress(Exception):
                    loop = asyncio.get_running_loop()
                    if sock == "_sub_socket":
                        loop.remove_reader(conn._sub_fd)
                    getattr(conn, sock).close()

    async def close(self) -> None:
        """Remove our bindings from sway and disconnect."""
        if self._conn is not None:
            await self._unbind(list(self._chords))
        self.stop()

    async def _connect(self) -> None:
        aio = _i3ipc_aio()
        from i3ipc import Event  # lazy, like aio

        assert self._ready is not None
        try:
            conn = await aio.Connection(self.socket_path).connect()
            conn.on(Event.BINDING, self._binding)
            conn.on(Event.WINDOW_FOCUS, self._focus)
        except Exception as exc:
            log.warning("sway IPC unavailable: %s", exc)
            if not self._ready.done():
                self._ready.set_exception(exc)
            return
        self._conn = conn
        if not self._ready.done():
            self._ready.set_result(conn)

    async def _connection(self) -> Any:
        if self._ready is None:
            raise RuntimeError("the sway listener is not started")
        return await asyncio.wait_for(asyncio.shield(self._ready), CONNECT_TIMEOUT_S)

    # -- events --------------------------------------------------------------------------------

    def _binding(self, _conn: Any, event: Any) -> None:
        t = time.monotonic()
        command = str(getattr(event.binding, "command", "") or "")
        parts = command.split()
        if len(parts) != 2 or parts[0] != "nop" or not parts[1].startswith(MARK + ":"):
            return
        _mark, name, phase = parts[1].split(":", 2)
        chord = self._chords.get(name)
        if chord is None or self._on_event is None:
            return
        log.info("sway binding %s %s", name, phase)
        mods = sorted(chord.modifiers)
        if phase == "press":
            for key in [*mods, chord.key]:
                self._on_event(KeyEvent(key, True, t))
        else:
            for key in [chord.key, *reversed(mods)]:
                self._on_event(KeyEvent(key, False, t))

    def _focus(self, _conn: Any, event: Any) -> None:
        if self.on_focus_change is not None:
            container = getattr(event, "container", None)
            self.on_focus_change(getattr(container, "id", None))

    # -- reservations ------------------------------------------------------------------------

    async def reserve(self, chords: Mapping[str, Chord | None]) -> dict[str, bool]:
        wanted = {n: c for n, c in chords.items() if c is not None and n != CANCEL}
        if CANCEL in self._chords:
            wanted[CANCEL] = self._chords[CANCEL]
        return await self._set(wanted)

    async def reserve_cancel(self, chord: Chord | None) -> bool:
        wanted = {n: c for n, c in self._chords.items() if n != CANCEL}
        if chord is not None:
            wanted[CANCEL] = chord
        return (await self._set(wanted)).get(CANCEL, chord is None)

    async def suspend(self, on: bool) -> None:
        """Remove the bindings while Settings records a chord (put back afterwards)."""
        if on == self._suspended:
            return
        self._suspended = on
        chords = dict(self._chords)
        if on:
            await self._unbind(list(chords))
            self._chords = chords  # remembered, not bound
        else:
            self._chords = {}
            await self._set(chords)

    async def _set(self, wanted: dict[str, Chord]) -> dict[str, bool]:
        gone = [n for n, c in self._chords.items() if wanted.get(n) != c]
        if not self._suspended:
            await self._unbind(gone)
        else:
            for name in gone:
                self._chords.pop(name, None)
        result: dict[str, bool] = {}
        for name, chord in wanted.items():
            if self._chords.get(name) == chord:
                result[name] = True
                continue
            ok = True if self._suspended else await self._bind(name, chord)
            if ok:
                self._chords[name] = chord
            result[name] = ok
        return result

    async def _bind(self, name: str, chord: Chord) -> bool:
        conn = await self._connection()
        variants = while_held(chord, self._chords.get("dictate")) if name == CANCEL \
            else [chord]
        self._bound[name] = []
        for variant in variants:
            for command in binding_commands(name, variant):
                replies = await conn.command(command)
                if not all(r.success for r in replies):
                    error = "; ".join(str(r.error) for r in replies if not r.success)
                    log.warning("sway refused %r: %s", command, error)
                    if self.on_notice is not None:
                        self.on_notice(f"sway refused the {format_chord(chord)} binding: "
                                       f"{error}")
                    return False
            self._bound[name].append(variant)
        return True

    async def _unbind(self, names: list[str]) -> None:
        conn = self._conn
        for name in names:
            self._chords.pop(name, None)
            for variant in self._bound.pop(name, []):
                if conn is None:
                    continue
                keys = sway_chord(variant)
                for command in (f"unbindsym --no-repeat {keys}",
                                f"unbindsym --release {keys}"):
                    with contextlib.suppress(Exception):
                        await conn.command(command)
