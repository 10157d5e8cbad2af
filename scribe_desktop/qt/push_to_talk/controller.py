"""Push-to-talk: key events (`keys.KeyInput`: the listener through the interpreter) ->
the worker's start/stop/cancel slots (the ONE lifecycle machine decides what happens) -> the
committed text inserted into the window that had the focus at the press.

Press: `worker.start_push_to_talk()` at once (the pre-roll keeps the first word) and the
focused window is read. Release: `worker.stop()` commits and waits for the text with the
worker's commit timeout; we wait for the end with a bound above that, so a hotkey dictation
never hangs, then insert the shaped text (`shaped.ShapedSegments`: each segment's current
text, so a "scratch that" inside the hold removes its part before anything lands; one that
reaches an earlier insertion revises it through the ledger, like the undo chord). With
`per_segment`, segments committed while the key is held are inserted at once. A dictation
ended elsewhere (Stop button, error) still gets its text inserted; cancel inserts nothing.
`remote()` does the same for `--start`/`--stop`/`--toggle --insert`: a desktop shortcut
bound to them is push-to-talk where no hotkey backend exists.
The chords are reserved (`reserver.Reserver`) so the focused app never receives them.
Every step of a dictation is traced (`trace.PttTrace`); one that ends without its text in
the target logs its whole trace. Loop-only; not thread-safe.
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
from ...hotkey.chord import Chord
from ...hotkey.interpreter import Action, Command, HotkeyConfig, HotkeyInterpreter
from ...hotkey.synthetic_keys import SYNTHETIC_GRACE_S, SyntheticKeys
from ...inject.inserter import Inserter
from ..worker.api import DictationControls
from .dictation import CAPTURING, ENDED, PttDictation
from .insertion import PttInserter
from .keys import KeyInput
from .reserver import Reserver
from .seams import ChordReservations, Cue, Feedback, Outcome

__all__ = ["FINISH_MARGIN_S", "SYNTHETIC_GRACE_S", "ChordReservations", "Cue", "Outcome",
           "PushToTalk"]

log = logging.getLogger(__name__)

FINISH_MARGIN_S = 5.0  # beyond the worker's own commit timeout


class PushToTalk:
    """Wires a `KeyListener`, the interpreter, the worker and an `Inserter` together."""

    def __init__(self, worker: DictationControls, inserter: Inserter, config: HotkeyConfig, *,
                 listener: KeyListener | None = None,
                 reservations: ChordReservations | None = None,
                 synthetic: SyntheticKeys | None = None, per_segment: bool = False,
                 on_notice: Callable[[str], None] | None = None,
                 on_outcome: Callable[[Outcome, str], None] | None = None,
                 on_cue: Callable[[Cue], object] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 synthetic_grace_s: float = SYNTHETIC_GRACE_S,
                 hears_own_keys: bool = True) -> None:
        """`hears_own_keys`: the listener also reports our synthetic keys (X11 XRecord),
        so they are held back while we send keys; not so for sway's binding events."""
        self.worker = worker
        self.inserter = inserter
        self.listener = listener
        self.per_segment = per_segment
        self.feedback = Feedback(on_notice, on_outcome, on_cue)
        self.notices = self.feedback.notices
        self._notice, self._cue = self.feedback.notice, self.feedback.cue
        self.clock = clock
        self.current: PttDictation | None = None
        self._open: list[PttDictation] = []  # not finished yet
        self.last: PttDictation | None = None
        self._tasks = OwnedTasks(self._task_failed, "push-to-talk task")
        self._connected = False
        self.keys = KeyInput(config, execute=self._execute, note_input=inserter.note_input,
                             spawn=self._spawn, clock=clock, grace_s=synthetic_grace_s,
                             synthetic=synthetic, hold_back=hears_own_keys)
        self.insertions = PttInserter(inserter, self.keys.hold_back, self._notice)
        self.shaped = self.insertions.shaped
        self.reserver = Reserver(reservations, self._spawn)

    @property
    def interpreter(self) -> HotkeyInterpreter:
        return self.keys.interpreter

    @property
    def suspended(self) -> bool:
        return self.keys.suspended

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Connect to the worker, listen to global keys and reserve the chords."""
        if not self._connected:
            self.worker.state_changed.connect(self._on_state)
            self.worker.segment_committed.connect(self._on_segment)
            self.worker.segment_enriched.connect(self._on_enriched)
            self._connected = True
        self.interpreter.set_active(self.worker.state in CAPTURING)
        if self.listener is not None:
            self.listener.start(self.on_key)
        self.reserver.reserve(self._chords())
        self._sync_cancel()

    async def close(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        if self._connected:
            with contextlib.suppress(RuntimeError, TypeError):
                self.worker.state_changed.disconnect(self._on_state)
                self.worker.segment_committed.disconnect(self._on_segment)
                self.worker.segment_enriched.disconnect(self._on_enriched)
            self._connected = False
        await self._tasks.cancel_all()
        self.keys.close()
        await self.reserver.release_all()

    def set_config(self, config: HotkeyConfig, *, per_segment: bool | None = None) -> None:
        self.keys.set_config(config)
        if per_segment is not None:
            self.per_segment = per_segment
        self.reserver.reserve(self._chords())
        self._sync_cancel(force=True)

    def suspend(self, on: bool) -> None:
        """While Settings records a chord: the chords reach it, and act on nothing here."""
        if on == self.suspended:
            return
        self.keys.suspend(on)
        self.reserver.suspend(on)

    def _chords(self) -> dict[str, Chord | None]:
        cfg = self.interpreter.config
        return {"dictate": cfg.chord, "undo": cfg.undo, "paste_last": cfg.paste_last}

    def _sync_cancel(self, *, force: bool = False) -> None:
        """Reserve the cancel key while a dictation runs, release it otherwise."""
        cancel = self.interpreter.config.cancel
        want = self.interpreter.active and not self.suspended
        self.reserver.cancel(cancel if want else None, force=force)

    # -- key events --------------------------------------------------------------------------

    def on_key(self, event: KeyEvent) -> None:
        """A key event (or a click) from the listener, on the loop thread."""
        self.keys.on_key(event)

    def on_focus_change(self, window: object) -> None:
        """The active window changed (the X11 or sway focus watch)."""
        log.debug("focus changed to %s", window)
        self.inserter.note_input()

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
                self._spawn(self.insertions.with_notice(self.inserter.undo_last()))
            elif command.action == Action.PASTE_LAST:
                self._spawn(self.insertions.with_notice(self.inserter.paste_last()))
        self.keys.schedule_tick()
        self._sync_cancel()

    # -- remote commands ---------------------------------------------------------------------

    def remote(self, command: str) -> str:
        """`--start`, `--stop` or `--toggle` with `--insert`: exactly as the chord's press
        and release; the reply is the worker's state afterwards."""
        running = self.current is not None or self.worker.state in CAPTURING
        if command == "toggle":
            command = "stop" if running else "start"
        if command == "start" and not running:
            self.interpreter.set_active(True)
            self._execute([Command(Action.START)])
        elif command == "stop" and running:
            self.interpreter.set_active(False)
            self._execute([Command(Action.STOP)])
        return str(self.worker.state)

    # -- the dictation -----------------------------------------------------------------------

    def _begin(self) -> None:
        previous = self.current
        dictation = PttDictation()
        dictation.trace.step("start")
        self.current = dictation
        self._open.append(dictation)
        self._cue(Cue.START)
        self._spawn(self._capture_target(dictation))
        if previous is not None and not previous.finished.is_set():
            # still finishing the last one (its final commit): capture from now on and start
            # right after it; a release meanwhile stops it as soon as it started
            buffering = self.worker.prebuffer()
            dictation.trace.step(f"waits for ptt #{previous.trace.number} to finish"
                                 + (", capturing meanwhile" if buffering else ""))
            self._spawn(self._start_after(previous))
        elif self.worker.state in CAPTURING:
            dictation.trace.step("takes over the running dictation")
        elif self._start_worker(dictation) is None:
            self._notice(f"Dictation could not start now (state: {self.worker.state}).")
            dictation.failure = f"could not start in state {self.worker.state}"
            self._conclude(dictation, Outcome.NOT_INSERTED)
            self.interpreter.set_active(False)

    async def _start_after(self, previous: PttDictation) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(previous.finished.wait(), self._finish_bound_s())
        current = self.current
        if current is None or current.cancelled:
            return
        if self._start_worker(current) is None and self.worker.state not in CAPTURING:
            self.worker.discard_prebuffer()  # a later start must not get this stale audio
            self._notice(f"Dictation could not start now (state: {self.worker.state}).")
        if current.released:  # let go while waiting: commit what it captured
            self._stop(current)

    def _start_worker(self, dictation: PttDictation) -> asyncio.Task[None] | None:
        """Start the worker's dictation, recorded as push-to-talk in the history."""
        dictation.trace.step(f"worker start (state {self.worker.state})")
        return self.worker.start_push_to_talk()

    def _end(self) -> None:
        dictation = self.current
        if dictation is not None and not dictation.capturing and not dictation.released \
                and self.worker.state not in CAPTURING and not dictation.finished.is_set():
            dictation.released = True  # still waiting for the previous one: stop once started
            dictation.trace.step("release while waiting: stops as soon as it starts")
            self._cue(Cue.STOP)
            return
        self._cue(Cue.STOP)
        if dictation is None:
            self.worker.stop()
        else:
            self._stop(dictation)

    def _stop(self, dictation: PttDictation) -> None:
        dictation.trace.step("release: stop")
        self.worker.stop()  # its COMMITTING state starts _finish too (see _on_state)
        self._spawn(self._finish(dictation))

    def _cancel(self, *, quiet: bool = False) -> None:
        """`quiet`: the chord was part of another shortcut (not a dictation): no notice."""
        dictation = self.current
        waiting = dictation is not None and not dictation.capturing
        if dictation is not None:
            dictation.trace.step("cancelled" + (" (another shortcut)" if quiet else ""))
            dictation.cancelled = True
            dictation.pending.clear()
            self._conclude(dictation, Outcome.CANCELLED, quiet=True)
        if waiting:  # the previous dictation's commit goes on; only this one's audio goes
            self.worker.discard_prebuffer()
        else:
            self.worker.cancel()
        if not quiet:
            self._notice("Dictation cancelled; nothing was inserted.")

    def _finish_bound_s(self) -> float:
        return self.worker.commit_timeout_s + FINISH_MARGIN_S

    async def _capture_target(self, dictation: PttDictation) -> None:
        try:
            target = await self.inserter.capture_target()
            dictation.record = self.inserter.begin(target)
            dictation.record.trace = dictation.trace.step
            dictation.trace.step(f"target window {target.window} ({target.app or '?'})")
        finally:
            dictation.target_ready.set()

    async def _finish(self, dictation: PttDictation) -> None:
        if dictation.finishing:
            return
        dictation.finishing = True
        outcome = Outcome.CANCELLED
        try:
            if self.worker.state in ENDED or not dictation.capturing:
                dictation.ended.set()  # (never started: released while waiting its turn)
            try:
                await asyncio.wait_for(dictation.ended.wait(), self._finish_bound_s())
            except TimeoutError:
                self._notice("No text came back in time; the dictation was abandoned.")
                dictation.failure = "no text came back in time"
                dictation.cancelled = True
                self.worker.cancel()
                outcome = Outcome.NOT_INSERTED
            if not dictation.cancelled:
                await self.insertions.insert(dictation)
                if dictation.heard and not dictation.failure and \
                        (dictation.inserted or not dictation.wrote):  # (or only commands)
                    outcome = Outcome.INSERTED
                elif dictation.heard:
                    outcome = Outcome.NOT_INSERTED
                else:
                    outcome = Outcome.NOTHING_HEARD
                    self._notice("Nothing was recognised.")
        finally:
            self._conclude(dictation, outcome)

    def _conclude(self, dictation: PttDictation, outcome: Outcome, *,
                  quiet: bool = False) -> None:
        if dictation.finished.is_set():
            return
        dictation.trace.step(f"outcome: {outcome}")
        dictation.finished.set()
        if self.current is dictation:
            self.current = None
        if dictation in self._open:
            self._open.remove(dictation)
        self.last = dictation
        if outcome in (Outcome.NOT_INSERTED, Outcome.NOTHING_HEARD):
            dictation.trace.explain(f"{outcome} {dictation.failure}".strip())
            self._cue(Cue.ERROR)
        if not quiet:
            self.feedback.outcome(outcome, dictation.failure)

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
        self._sync_cancel()
        for dictation in list(self._open):
            if state in CAPTURING and dictation is current:
                dictation.capturing = True
            if not dictation.capturing:
                continue
            dictation.trace.step(f"worker {state}")
            if state in ENDED:
                dictation.ended.set()
            if (state in ENDED or state == DictationState.COMMITTING) \
                    and not dictation.finishing:  # stopped, failed or cancelled elsewhere
                self._spawn(self._finish(dictation))

    def _receiving(self) -> PttDictation | None:
        """The dictation the worker is capturing or finishing (a new press may wait)."""
        return next((d for d in self._open if d.capturing and not d.ended.is_set()
                     and not d.cancelled), None)

    def _on_segment(self, segment: Segment) -> None:
        self.shaped.added(segment)
        dictation = self._receiving()
        text = segment.text
        if dictation is None or not text.strip():
            log.info("segment not for push-to-talk (%d characters)", len(text.strip()))
            return
        dictation.trace.step(f"segment committed ({len(text.strip())} characters)")
        dictation.heard = True
        dictation.pending.append(segment.index)
        if self.per_segment and not dictation.finishing:
            self._spawn(self.insertions.insert(dictation))

    def _on_enriched(self, segment: Segment) -> None:
        """A later segment changed this one's text (a scratch, an undo, a mark): one not
        inserted yet just lands as it is now; an inserted one is revised."""
        if not self.shaped.enriched(segment):
            return
        batch = self.shaped.batch_of(segment.index)
        if batch is not None:
            self._spawn(self.insertions.revise(batch, self._receiving()))

    # -- helpers -----------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        return self._tasks.spawn(coro)

    def _task_failed(self, exc: BaseException) -> None:
        log.error("push-to-talk task failed", exc_info=exc)
        self._notice(f"Push-to-talk failed: {exc}")
