"""Push-to-talk: global key events -> `HotkeyInterpreter` -> the worker's start/stop/cancel
slots (the ONE lifecycle machine in dictation.py decides what happens) -> the committed text
inserted into the window that had the focus at the press.

Press: `worker.start()` at once; the microphone's pre-roll and the source's queue hold the
audio while the connection opens, so the first word is never lost (feature-bar "No lost
first words"). The focused window is read at the same time.
Release: `worker.stop()` commits (rule C6 pads to the 0.3 s floor) and waits for the text
with the worker's commit timeout; we wait for the dictation to end with a bound above that,
so a hotkey dictation can never hang, then insert what was committed. With `per_segment`,
segments committed while the key is still held (VAD commits) are inserted at once.

Our own keystrokes: inserting sends synthetic keys (the paste shortcut, typing, and
xdotool's --clearmodifiers lifting and restoring the Ctrl/Alt the user is holding). X11
reports XTEST keys to the listener exactly like real ones (pynput's `injected` only flags
XSendEvent, and XQueryKeymap shows the logical state, restored modifiers included), so they
cannot be told apart one by one. Instead (`synthetic_keys.KeyHoldBack`), key events that
arrive while an insertion is in flight, and for `SYNTHETIC_GRACE_S` after it (the listener
thread delivers them a little late), are held back; then only their NET effect is applied:
a key whose last event leaves it in another state than the interpreter believes. A paste
while the chord is held nets to nothing (Ctrl up, Ctrl+V, Ctrl down again), so the
dictation keeps going; a real release or press during the insertion still takes effect,
with its own timestamp, just after it.
A dictation ended elsewhere (the window's Stop button, an error) still gets its committed
text inserted; cancel (Esc) inserts nothing.

It drives the worker through `qt.worker.api.DictationControls` (what a hotkey needs of
it), connecting its signals to plain callables. Loop-only; not thread-safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from ...core.lifecycle import DictationState
from ...core.owned_tasks import OwnedTasks
from ...core.transcript import Segment
from ...hotkey.backends import KeyEvent, KeyListener
from ...hotkey.interpreter import Action, Command, HotkeyConfig, HotkeyInterpreter
from ...hotkey.synthetic_keys import SYNTHETIC_GRACE_S, KeyHoldBack
from ...inject.inserter import Inserter, InsertError
from ...inject.x11 import X11ToolError
from ..worker.api import DictationControls
from .dictation import CAPTURING, ENDED, PttDictation
from .seams import CancelGrab

__all__ = ["CAPTURING", "ENDED", "FINISH_MARGIN_S", "SYNTHETIC_GRACE_S", "CancelGrab",
           "PushToTalk"]

log = logging.getLogger(__name__)

FINISH_MARGIN_S = 5.0  # beyond the worker's own commit timeout


class PushToTalk:
    """Wires a `KeyListener`, the interpreter, the worker and an `Inserter` together."""

    def __init__(self, worker: DictationControls, inserter: Inserter, config: HotkeyConfig, *,
                 listener: KeyListener | None = None, per_segment: bool = False,
                 on_notice: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 synthetic_grace_s: float = SYNTHETIC_GRACE_S,
                 cancel_grab: CancelGrab | None = None) -> None:
        self.worker = worker
        self.inserter = inserter
        self.interpreter = HotkeyInterpreter(config)
        self.listener = listener
        self.per_segment = per_segment
        self.on_notice = on_notice
        self.clock = clock
        self.current: PttDictation | None = None
        self._open: list[PttDictation] = []  # not finished yet
        self.last: PttDictation | None = None
        self.notices: list[str] = []
        self._lock = asyncio.Lock()  # one insertion at a time, in order
        self._timer: asyncio.TimerHandle | None = None
        self._tasks = OwnedTasks(self._task_failed, "push-to-talk task")
        self._connected = False
        self._hold_back = KeyHoldBack(self._apply_key, lambda key: key in self.interpreter.down,
                                      self._spawn, grace_s=synthetic_grace_s)
        # Issue 5: the cancel key is grabbed only while dictating, so Esc does not reach the
        # focused app then (the listener still sees the grabbed key and cancels through the
        # interpreter). `_sync_grab` follows `interpreter.active`.
        self.cancel_grab = cancel_grab
        self._grabbed = False

    @property
    def synthetic_grace_s(self) -> float:
        """How long after sending keys the listener's events are still held back."""
        return self._hold_back.grace_s

    @synthetic_grace_s.setter
    def synthetic_grace_s(self, value: float) -> None:
        self._hold_back.grace_s = value

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Connect to the worker and start listening to global keys (if a listener)."""
        if not self._connected:
            self.worker.state_changed.connect(self._on_state)
            self.worker.segment_committed.connect(self._on_segment)
            self._connected = True
        self.interpreter.set_active(self.worker.state in CAPTURING)
        if self.listener is not None:
            self.listener.start(self.on_key)
        if self.cancel_grab is not None:
            try:
                self.cancel_grab.start()
            except Exception as exc:  # an unusable display: Esc simply is not reserved
                self._notice(f"The cancel key cannot be reserved: {exc}")
                self.cancel_grab = None
        self._sync_grab()

    async def close(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        if self.cancel_grab is not None:
            self.cancel_grab.close()
            self._grabbed = False
        if self._timer is not None:
            self._timer.cancel()
        if self._connected:
            with contextlib.suppress(RuntimeError, TypeError):
                self.worker.state_changed.disconnect(self._on_state)
                self.worker.segment_committed.disconnect(self._on_segment)
            self._connected = False
        await self._tasks.cancel_all()
        self._hold_back.close()

    def set_config(self, config: HotkeyConfig, *, per_segment: bool | None = None) -> None:
        active = self.interpreter.active
        self.interpreter = HotkeyInterpreter(config)
        self.interpreter.set_active(active)
        if per_segment is not None:
            self.per_segment = per_segment
        if self._grabbed and self.cancel_grab is not None:
            self.cancel_grab.ungrab()  # the cancel chord may have changed: grab it anew
            self._grabbed = False
        self._sync_grab()

    # -- key events --------------------------------------------------------------------------

    def on_key(self, event: KeyEvent) -> None:
        """A key event from the listener (on the loop thread)."""
        if not self._hold_back.hold(event):  # maybe ours: judged by its net effect later
            self._apply_key(event)

    def _apply_key(self, event: KeyEvent) -> None:
        if event.down:
            commands = self.interpreter.key_down(event.key, event.t)
        else:
            commands = self.interpreter.key_up(event.key, event.t)
        self._execute(commands)

    def _tick(self) -> None:
        self._timer = None
        self._execute(self.interpreter.tick(self.clock()))

    def _execute(self, commands: list[Command]) -> None:
        for command in commands:
            if command.notice:
                self._notice(command.notice)
            log.info("hotkey: %s", command.action)
            if command.action == Action.START:
                self._begin()
            elif command.action == Action.STOP:
                self._end()
            elif command.action == Action.CANCEL:
                self._cancel(quiet=command.quiet)
            elif command.action == Action.UNDO:
                self._spawn(self._with_notice(self.inserter.undo_last()))
            elif command.action == Action.PASTE_LAST:
                self._spawn(self._with_notice(self.inserter.paste_last()))
        self._schedule_tick()
        self._sync_grab()

    def _sync_grab(self) -> None:
        """Grab the cancel key while the interpreter is active, release it otherwise."""
        if self.cancel_grab is None:
            return
        want = self.interpreter.active and self.interpreter.config.cancel is not None
        if want == self._grabbed:
            return
        self._grabbed = want
        if want:
            assert self.interpreter.config.cancel is not None
            self.cancel_grab.grab(self.interpreter.config.cancel)
        else:
            self.cancel_grab.ungrab()

    def _schedule_tick(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        deadline = self.interpreter.deadline()
        if deadline is not None:
            delay = max(0.0, deadline - self.clock())
            self._timer = asyncio.get_running_loop().call_later(delay, self._tick)

    # -- the dictation -----------------------------------------------------------------------

    def _begin(self) -> None:
        previous = self.current
        dictation = PttDictation()
        self.current = dictation
        self._open.append(dictation)
        self._spawn(self._capture_target(dictation))
        if previous is not None and not previous.finished.is_set():
            # still finishing the last one: start right after it (the pre-roll keeps the
            # audio of the moment in between)
            self._spawn(self._start_after(previous))
        elif self.worker.state in CAPTURING:
            pass  # started elsewhere: this press takes it over
        elif self._start_worker() is None:
            self._notice("Dictation could not start now (state: "
                         f"{self.worker.state}).")
            dictation.finished.set()
            self._forget(dictation)
            self.interpreter.set_active(False)

    async def _start_after(self, previous: PttDictation) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(previous.finished.wait(), self._finish_bound_s())
        if self.current is not None and not self.current.finishing \
                and not self.current.cancelled:
            self._start_worker()

    def _start_worker(self) -> asyncio.Task[None] | None:
        """Start the worker's dictation, recorded as push-to-talk in the history."""
        return self.worker.start_push_to_talk()

    def _end(self) -> None:
        dictation = self.current
        if dictation is None:
            self.worker.stop()
            return
        self._spawn(self._finish(dictation, stop=True))

    def _cancel(self, *, quiet: bool = False) -> None:
        """`quiet`: the chord was part of another shortcut (not a dictation): no notice."""
        dictation = self.current
        if dictation is not None:
            dictation.cancelled = True
            dictation.texts.clear()
            dictation.finished.set()
            self._forget(dictation)
        self.worker.cancel()
        if not quiet:
            self._notice("Dictation cancelled; nothing was inserted.")

    def _finish_bound_s(self) -> float:
        return self.worker.commit_timeout_s + FINISH_MARGIN_S

    async def _capture_target(self, dictation: PttDictation) -> None:
        try:
            target = await self.inserter.capture_target()
            dictation.record = self.inserter.begin(target)
        finally:
            dictation.target_ready.set()

    async def _finish(self, dictation: PttDictation, *, stop: bool) -> None:
        if dictation.finishing:
            return
        dictation.finishing = True
        try:
            if stop:
                self.worker.stop()
            if self.worker.state in ENDED:
                dictation.ended.set()
            try:
                await asyncio.wait_for(dictation.ended.wait(), self._finish_bound_s())
            except TimeoutError:
                self._notice("No text came back in time; the dictation was abandoned.")
                dictation.cancelled = True
                self.worker.cancel()
            if not dictation.cancelled:
                text = " ".join(dictation.texts)
                dictation.texts.clear()
                if text.strip():
                    await self._insert(dictation, text)
                elif dictation.record is None or not dictation.record.inserted:
                    self._notice("Nothing was recognised.")
        finally:
            dictation.finished.set()
            self._forget(dictation)
            self.last = dictation

    def _forget(self, dictation: PttDictation) -> None:
        if self.current is dictation:
            self.current = None
        if dictation in self._open:
            self._open.remove(dictation)

    async def _insert(self, dictation: PttDictation, text: str) -> None:
        async with self._lock:
            await dictation.target_ready.wait()
            record = dictation.record
            if record is None or dictation.cancelled:
                return
            try:
                async with self._hold_back.sending_keys():
                    await self.inserter.insert(record, text)
            except (InsertError, X11ToolError) as exc:
                self._notice(str(exc))
            for notice in record.notices:
                self._notice(notice)
            record.notices.clear()

    # -- worker signals ----------------------------------------------------------------------

    def _on_state(self, state: object) -> None:
        if not isinstance(state, DictationState):
            return
        current = self.current
        waiting = current is not None and not current.capturing and not current.cancelled
        if state in CAPTURING:
            self.interpreter.set_active(True)
        elif not waiting:  # (the end of the previous dictation is no news for a waiting one)
            self.interpreter.set_active(False)
        self._sync_grab()
        for dictation in list(self._open):
            if state in CAPTURING and dictation is current:
                dictation.capturing = True
            if not dictation.capturing:
                continue
            if state in ENDED:
                dictation.ended.set()
            if (state in ENDED or state == DictationState.COMMITTING) \
                    and not dictation.finishing:  # stopped, failed or cancelled elsewhere
                self._spawn(self._finish(dictation, stop=False))

    def _on_segment(self, segment: Segment) -> None:
        # the dictation the worker is capturing or finishing (a new press may be waiting)
        dictation = next((d for d in self._open if d.capturing and not d.ended.is_set()
                          and not d.cancelled), None)
        text = segment.text
        if dictation is None or dictation.cancelled or not text.strip():
            return
        dictation.texts.append(text.strip())
        if self.per_segment and not dictation.finishing:
            pieces = " ".join(dictation.texts)
            dictation.texts.clear()
            self._spawn(self._insert(dictation, pieces))

    # -- helpers -----------------------------------------------------------------------------

    def _notice(self, text: str) -> None:
        log.info("notice: %s", text)
        self.notices.append(text)
        if self.on_notice is not None:
            self.on_notice(text)

    async def _with_notice(self, coro: Coroutine[Any, Any, str]) -> None:
        async with self._lock:
            try:
                async with self._hold_back.sending_keys():
                    notice = await coro
                self._notice(notice)
            except (InsertError, X11ToolError) as exc:
                self._notice(str(exc))

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        return self._tasks.spawn(coro)

    def _task_failed(self, exc: BaseException) -> None:
        log.error("push-to-talk task failed", exc_info=exc)
        self._notice(f"Push-to-talk failed: {exc}")
