"""What the status bar shows of the worker: `WorkerStatus`, built from the backend's state,
the dictation's state and its `session.timer.SessionTimer`. No Qt: the worker emits it as
`status_changed`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...connect import BackendStatus
from ...core.lifecycle import DictationState
from ...session.timer import SessionTimer

_CONNECTION_TEXT = {
    DictationState.IDLE: "Ready",
    DictationState.CONNECTING: "Connecting…",
    DictationState.LISTENING: "Listening",
    DictationState.COMMITTING: "Finishing…",
    DictationState.RECONNECTING: "Reconnecting…",
    DictationState.ERROR: "Error",
}
_BACKEND_TEXT = {
    BackendStatus.STARTING: "Starting local server…",
    BackendStatus.RESTARTING: "Local server restarting…",
    BackendStatus.FAILED: "Local server failed",
}


@dataclass(frozen=True, slots=True)
class WorkerStatus:
    """What the status bar shows."""

    backend_label: str  # "Local", "ElevenLabs (EU)"
    connection: str  # "Ready", "Connecting…", "Listening", "Local server restarting…", ...
    session_s: float  # seconds since the dictation started (0 when idle)
    last_partial_latency_ms: float | None  # chunk sent -> partial received


def worker_status(timer: SessionTimer, backend_label: str, backend_status: BackendStatus,
                  state: DictationState) -> WorkerStatus:
    """The status bar's line for this backend, dictation state and session clock."""
    connection = _BACKEND_TEXT.get(backend_status) or _CONNECTION_TEXT[state]
    return WorkerStatus(backend_label, connection, timer.elapsed_s() or 0.0, timer.latency_ms)
