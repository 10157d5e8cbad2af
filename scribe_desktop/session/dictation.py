"""The one dictation lifecycle (no Qt): triggers go through `core.lifecycle.Lifecycle`, and
each transition is performed here — a `LiveSession` started from the microphone's pre-roll,
finished with a final commit, or aborted — while the transcript and the history record
follow the session's events.

Every trigger (button, tray, `--toggle`, hotkey) calls `fire()`; a trigger the table ignores
does nothing. `fire()` returns the task doing the work (or None). What the host needs to know
arrives through `DictationEvents`: the state, the transcript changes, errors, the end of a
dictation. Loop-only; not thread-safe.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..client import ScribeError
from ..connect import Backend
from ..core.lifecycle import DictationState, Lifecycle, Trigger
from ..core.owned_tasks import OwnedTasks
from ..core.transcript import (
    RedactionMissingError,
    SegmentAdded,
    SegmentEnriched,
    Transcript,
    TranscriptChange,
    feed,
)
from ..export.model import SessionSource, SessionStatus
from ..protocol.options import SessionOptions
from ..shaping import ShapedDocument, ShapingRules
from .journal import JournalSession
from .live import (
    Connected,
    LiveEvent,
    LiveSession,
    LiveSource,
    Received,
    Reconnected,
    Reconnecting,
)
from .timer import SessionTimer

log = logging.getLogger(__name__)

DEFAULT_COMMIT_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class DictationPlan:
    """What one dictation runs with: the session options, its history record, whether its
    audio is kept, and how its text is shaped."""

    options: SessionOptions
    record: JournalSession
    keep_audio: bool = False
    shaping: ShapingRules = field(default_factory=ShapingRules)


@dataclass(frozen=True, slots=True)
class DictationEvents:
    """What a dictation tells its host (the Qt worker turns these into signals)."""

    state_changed: Callable[[DictationState], None]
    transcript_changed: Callable[[TranscriptChange], None]
    failed: Callable[[BaseException], None]  # shown to the user; the state says the rest
    status_changed: Callable[[], None]  # the session clock or latency moved
    ended: Callable[[SessionStatus, JournalSession, float | None], None]  # record, duration


class MicrophoneSource(Protocol):
    """What a dictation needs of the microphone."""

    @property
    def is_open(self) -> bool: ...

    def start(self, *, preroll: bool = True) -> LiveSource: ...


class Dictation:
    """Performs the lifecycle's transitions; see the module docstring."""

    def __init__(self, events: DictationEvents, transcript: Transcript, *,
                 backend: Callable[[], Backend], microphone: Callable[[], MicrophoneSource],
                 open_microphone: Callable[[], object],
                 plan: Callable[[SessionSource], DictationPlan], tasks: OwnedTasks,
                 clock: Callable[[], float],
                 commit_timeout_s: float = DEFAULT_COMMIT_TIMEOUT_S,
                 reconnect_delays_s: Sequence[float] | None = None,
                 document: ShapedDocument | None = None) -> None:
        """`document` shapes the transcript's segments (`Segment.shaped`) before the record
        and the host see them; None: a document of its own."""
        self.events = events
        self.transcript = transcript
        self.document = document if document is not None else ShapedDocument()
        self.lifecycle = Lifecycle()
        self.timer = SessionTimer(clock, self._on_tick)
        self.commit_timeout_s = commit_timeout_s
        self.live: LiveSession | None = None
        self._backend = backend
        self._microphone = microphone
        self._open_microphone = open_microphone
        self._plan = plan
        self._tasks = tasks
        self._clock = clock
        self._reconnect_delays_s = reconnect_delays_s
        self._run_task: asyncio.Task[None] | None = None
        self._record: JournalSession | None = None
        self._next_source: LiveSource | None = None  # audio for the next start (prebuffer)
        self._shaping = ShapingRules()
        self._recorded: set[int] = set()  # the segments of the current dictation's record
        self.closed = False

    @property
    def state(self) -> DictationState:
        return self.lifecycle.state

    @property
    def running(self) -> asyncio.Task[None] | None:
        """The task running the current dictation's session, if any."""
        return self._run_task

    # -- triggers ------------------------------------------------------------------------------

    def fire(self, trigger: Trigger, source: SessionSource = SessionSource.DICTATION,
             ) -> asyncio.Task[Any] | None:
        """A user trigger: change state by the table, then perform what it means."""
        if self.closed:
            return None
        old = self.state
        if not self._fire(trigger):
            return None
        new = self.state
        if new == DictationState.CONNECTING:
            return self._tasks.spawn(self._begin(source))
        if new == DictationState.COMMITTING:
            return self._tasks.spawn(self._finish())
        if new == DictationState.IDLE and old.active:
            return self._tasks.spawn(self.abort())
        return None

    def commit_now(self) -> asyncio.Task[bool] | None:
        """Commit the current segment now (manual strategy); ignored unless listening."""
        if self.state != DictationState.LISTENING or self.live is None:
            return None
        return self._tasks.spawn(self.live.commit_now())

    async def close(self) -> None:
        """Abandon any dictation; no trigger works afterwards."""
        self.closed = True
        self.discard_prebuffer()
        if self.state.active:
            self._fire(Trigger.CANCEL)
        await self.abort()

    def _fire(self, trigger: Trigger) -> bool:
        old = self.state
        new = self.lifecycle.fire(trigger)
        if new is None:
            log.debug("trigger %s ignored in state %s", trigger, old)
            return False
        if new != old:
            log.info("dictation: %s --%s--> %s", old, trigger, new)
            self.events.state_changed(new)
            self.events.status_changed()
        return True

    # -- performing transitions ------------------------------------------------------------------

    def prebuffer(self) -> bool:
        """Start capturing for the NEXT dictation now, while this one still commits (a new
        push-to-talk press during the final commit): its audio is kept from this moment,
        not only the pre-roll, and the next START sends it. False if there is no commit
        to wait for."""
        if self.state != DictationState.COMMITTING or self._next_source is not None:
            return self._next_source is not None
        self._next_source = self._microphone().start(preroll=True)
        return True

    def discard_prebuffer(self) -> None:
        """The press that asked for `prebuffer` was cancelled: drop its audio."""
        source, self._next_source = self._next_source, None
        if source is not None:
            source.stop()

    async def _begin(self, source_kind: SessionSource) -> None:
        self.timer.begin()
        microphone = self._microphone()
        source, self._next_source = self._next_source, None
        if source is None:
            source = microphone.start(preroll=True)  # buffers while we connect
        if not microphone.is_open:
            self._open_microphone()
        try:
            plan = self._plan(source_kind)
        except Exception as exc:  # settings that make no valid session
            source.stop()
            self._failed(exc)
            return
        self._record = plan.record
        self._recorded = set()  # the segments of this dictation's record
        self.transcript.redacting = bool(plan.options.entity_redaction)
        self._shaping = plan.shaping
        kwargs: dict[str, Any] = {"clock": self._clock}
        if self._reconnect_delays_s is not None:
            kwargs["reconnect_delays_s"] = self._reconnect_delays_s
        live = LiveSession(source, self._backend(), plan.options, self._on_live_event,
                           on_audio=plan.record.add_audio if plan.keep_audio else None,
                           **kwargs)
        self.live = live
        self.timer.schedule_tick()
        self._run_task = self._tasks.spawn(self._run(live))

    async def _run(self, live: LiveSession) -> None:
        try:
            await live.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if self.live is live:
                self._failed(exc)
            return
        if self.live is live and self.state in (DictationState.LISTENING,
                                                DictationState.CONNECTING):
            # run() ended without finish()/abort(): the session is gone
            self._failed(ScribeError("the session ended unexpectedly"))

    async def _finish(self) -> None:
        live = self.live
        if live is None:
            self._fire(Trigger.COMMITTED)
            return
        try:
            await live.finish(self.commit_timeout_s)
        except ScribeError:
            pass  # run() reports it
        except Exception as exc:  # CommitTimeoutError: the text so far is kept
            self.events.failed(exc)
        if self.live is live and self.state == DictationState.COMMITTING:
            self._end(SessionStatus.COMPLETED)
            self._fire(Trigger.COMMITTED)

    async def abort(self) -> None:
        """Close the running dictation at once, without a final commit."""
        live, self.live = self.live, None
        run, self._run_task = self._run_task, None
        self.timer.stop_tick()
        if live is not None:
            await live.abort()
        if run is not None and not run.done():
            run.cancel()  # e.g. still reconnecting: no new session may open after this
            await asyncio.wait({run}, timeout=5)
        self._end(SessionStatus.CANCELLED)

    def _failed(self, exc: BaseException) -> None:
        log.warning("dictation failed: %s", exc, exc_info=exc)
        live = self.live
        self._end(SessionStatus.FAILED)
        if live is not None:
            self._tasks.spawn(live.abort())
        self.events.failed(exc)
        self._fire(Trigger.FAILED)

    def _end(self, status: SessionStatus) -> None:
        """Forget the finished dictation; its record ends with `status`."""
        self._withhold_unredacted()
        self.timer.stop_tick()
        record, self._record = self._record, None
        self.live = None
        if record is not None:
            self.events.ended(status, record, self.timer.elapsed_s())
        self.timer.started_at = None

    # -- what the session reports --------------------------------------------------------------

    def _on_live_event(self, event: LiveEvent) -> None:
        if isinstance(event, Received):
            first = self.timer.latency_ms is None
            if event.latency_s is not None:
                self.timer.latency_ms = event.latency_s * 1000
            feed(self.transcript, event.event, self._on_change)
            if event.latency_s is not None and first:
                # later latencies reach the status bar with the clock's tick: redrawing it
                # for every partial (several a second) costs more than it tells
                self.events.status_changed()
        elif isinstance(event, Connected):
            self._fire(Trigger.CONNECTED)
        elif isinstance(event, Reconnecting):
            self._withhold_unredacted()  # the lost connection's redactions cannot come now
            log.info("connection lost (%s); reconnecting, attempt %d, %.1f s buffered",
                     event.error, event.attempt, event.buffered_s)
            if self.state != DictationState.COMMITTING:
                # while finishing, the replay happens silently; the commit timeout bounds it
                self._fire(Trigger.CONNECTION_LOST)
        elif isinstance(event, Reconnected):
            self._fire(Trigger.RECONNECTED)

    def _withhold_unredacted(self) -> None:
        withheld = self.transcript.withhold_unredacted()
        if withheld:
            log.warning("%d committed segment(s) withheld: no redacted text came", withheld)
            self.events.failed(RedactionMissingError(withheld))

    def _on_change(self, change: TranscriptChange) -> None:
        for shaped in self.document.apply(change, self._shaping):
            if isinstance(shaped, SegmentAdded):
                self._recorded.add(shaped.segment.index)
            # a scratch may reach a segment of an earlier dictation: its record is closed
            if self._record is not None and (not isinstance(shaped, SegmentEnriched)
                                             or shaped.segment.index in self._recorded):
                self._record.record_change(shaped)
            self.events.transcript_changed(shaped)

    def _on_tick(self) -> None:
        if self.state.active:
            self.events.status_changed()
            self.timer.schedule_tick()
