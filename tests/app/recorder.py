"""Records every signal of a `DictationWorker` (and of the file jobs it starts, as
`file_progress`, `file_finished` and `file_failed`) and lets async tests wait for a condition
(signals are delivered directly on the loop thread; no Qt event loop is needed)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from scribe_desktop.core.lifecycle import DictationState
from scribe_desktop.core.transcript import Segment
from scribe_desktop.qt.worker.file_job import FileJob
from scribe_desktop.qt.worker.worker import DictationWorker, WorkerStatus
from scribe_desktop.session.user_errors import UserError

SIGNALS = ("state_changed", "partial_changed", "segment_committed", "segment_enriched",
           "level_changed", "device_warning", "devices_changed", "error", "status_changed",
           "settings_changed", "connection_tested")
JOB_SIGNALS = {"progress": "file_progress", "finished": "file_finished", "failed": "file_failed"}


class Recorder:
    def __init__(self, worker: DictationWorker) -> None:
        self.events: dict[str, list[Any]] = {
            name: [] for name in (*SIGNALS, *JOB_SIGNALS.values())}
        self._changed = asyncio.Event()
        for name in SIGNALS:
            getattr(worker, name).connect(self._slot(name))
        worker.file_job_started.connect(self._job_started)

    def _job_started(self, job: FileJob) -> None:
        for signal, name in JOB_SIGNALS.items():
            getattr(job, signal).connect(self._slot(name))

    def _slot(self, name: str) -> Callable[..., None]:
        def record(*args: Any) -> None:
            self.events[name].append(args[0] if len(args) == 1 else args)
            self._changed.set()
        return record

    @property
    def states(self) -> list[DictationState]:
        return list(self.events["state_changed"])

    @property
    def partials(self) -> list[str]:
        return list(self.events["partial_changed"])

    @property
    def segments(self) -> list[Segment]:
        return list(self.events["segment_committed"])

    @property
    def errors(self) -> list[UserError]:
        return list(self.events["error"])

    @property
    def statuses(self) -> list[WorkerStatus]:
        return list(self.events["status_changed"])

    async def wait_for(self, condition: Callable[[], bool], timeout_s: float = 30.0,
                       what: str = "condition") -> None:
        async def loop() -> None:
            while not condition():
                self._changed.clear()
                await self._changed.wait()
        try:
            await asyncio.wait_for(loop(), timeout_s)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}; states={self.states} "
                                 f"errors={self.errors}") from None

    async def wait_state(self, state: DictationState, timeout_s: float = 30.0) -> None:
        await self.wait_for(lambda: state in self.states, timeout_s, f"state {state}")
