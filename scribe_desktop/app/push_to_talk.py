"""Push-to-talk put together for the desktop app: the global-key backend the session allows
(pynput plus the X11 keyboard service on X11, sway's IPC bindings on sway, none elsewhere),
the insertion backend (X11, Wayland, or the null one that says what is missing), the
insertion ledger, the feedback sounds, and the `PushToTalk` controller over the worker.

A controller exists even without a hotkey backend or with the hotkey turned off: then only
`--start/--stop/--toggle --insert` drive it (a desktop shortcut bound to them).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..hotkey.backends import (
    KeyListener,
    ListenerKind,
    ListenerStatus,
    NullListener,
    detect,
    make_listener,
)
from ..hotkey.backends.x11_grab import X11Keyboard, make_x11_keyboard
from ..hotkey.chord import format_chord
from ..hotkey.desktop_bindings import collision_text
from ..inject.backends import InjectionStatus, make_backend
from ..inject.backends import detect as detect_insertion
from ..inject.inserter import Inserter
from ..inject.ledger import InsertionLedger
from ..qt.push_to_talk.controller import Outcome, PushToTalk
from ..qt.push_to_talk.seams import ChordReservations
from ..qt.push_to_talk.sounds import FeedbackSounds
from ..qt.settings import Settings
from ..qt.worker.api import DictationControls

log = logging.getLogger(__name__)


@dataclass
class PttParts:
    controller: PushToTalk
    hotkeys: ListenerStatus
    insertion: InjectionStatus
    sounds: FeedbackSounds
    keyboard: X11Keyboard | None
    listener: KeyListener

    async def close(self) -> None:
        await self.controller.close()
        closer = getattr(self.listener, "close", None)  # sway: remove our bindings
        if closer is not None:
            with contextlib.suppress(Exception):
                await closer()
        if self.keyboard is not None:
            self.keyboard.close()
        self.sounds.close()

    def apply(self, settings: Settings) -> None:
        """Settings changed: chords, modes, insertion and sounds follow."""
        self.controller.set_config(settings.hotkey_config(),
                                   per_segment=settings.insert_per_segment)
        inserter = self.controller.inserter
        inserter.mode = settings.insert_mode
        inserter.smart = settings.smart_spacing
        inserter.ledger.pause_s = settings.context_reset_s
        self.sounds.configure(enabled=settings.feedback_sounds,
                              volume=settings.feedback_volume, sound_set=settings.sound_set)


def build_push_to_talk(worker: DictationControls, settings: Settings, *,
                       notify: Callable[[str], None],
                       on_outcome: Callable[[Outcome, str], None]) -> PttParts:
    """Everything push-to-talk needs, started (on the running loop)."""
    hotkeys = detect() if settings.hotkey_enabled else ListenerStatus(
        False, ListenerKind.NONE, "Global hotkey: turned off in Settings")
    keyboard = None
    if hotkeys.kind == ListenerKind.PYNPUT:
        keyboard = make_x11_keyboard(on_notice=notify)
        if keyboard is not None:
            try:
                keyboard.start()
            except Exception as exc:  # an unusable display: chords pass through, keys as-is
                log.warning("the X11 keyboard service cannot start: %s", exc)
                keyboard = None
    listener: KeyListener = make_listener(hotkeys) if hotkeys.available else NullListener()
    reservations: ChordReservations | None = keyboard
    if hotkeys.kind == ListenerKind.SWAY:
        reservations = listener  # type: ignore[assignment]  # SwayBindings reserves too
        listener.on_notice = notify  # type: ignore[attr-defined]
    insertion = detect_insertion()
    backend = make_backend(insertion, guard=keyboard)
    ledger = InsertionLedger(input_tracked=hotkeys.kind == ListenerKind.PYNPUT,
                             pause_s=settings.context_reset_s)
    inserter = Inserter(backend.desktop, backend.clipboard, mode=settings.insert_mode,
                        smart=settings.smart_spacing, ledger=ledger)
    sounds = FeedbackSounds(enabled=settings.feedback_sounds, volume=settings.feedback_volume,
                            sound_set=settings.sound_set)
    controller = PushToTalk(worker, inserter, settings.hotkey_config(), listener=listener,
                            reservations=reservations, synthetic=keyboard,
                            per_segment=settings.insert_per_segment, on_notice=notify,
                            on_outcome=on_outcome, on_cue=sounds.play,
                            hears_own_keys=hotkeys.kind != ListenerKind.SWAY)
    focus_watch: Any = keyboard if keyboard is not None else listener
    if hasattr(focus_watch, "on_focus_change"):
        focus_watch.on_focus_change = controller.on_focus_change
    try:
        controller.start()
    except Exception as exc:  # e.g. the X record extension is missing
        log.warning("global hotkey unavailable: %s", exc)
        notify(f"No global hotkey backend: {exc}")
        hotkeys = ListenerStatus(False, ListenerKind.NONE, f"No global hotkey backend: {exc}")
        controller.listener = None
    log.info("push-to-talk: %s; %s", hotkeys.message, insertion.message)
    config = settings.hotkey_config()
    for name, chord in (("dictation", config.chord), ("undo", config.undo),
                        ("paste-last", config.paste_last)):
        if chord is not None and (clash := collision_text(chord, held=name == "dictation")):
            log.warning("the %s chord %s: %s", name, format_chord(chord), clash)
    return PttParts(controller, hotkeys, insertion, sounds, keyboard, listener)
