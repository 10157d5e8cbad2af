"""Words the widgets show for states and backends (one place, so window and tray agree)."""

from __future__ import annotations

from ..core.lifecycle import DictationState

_STATE_LABELS: dict[DictationState, str] = {
    DictationState.IDLE: "Idle",
    DictationState.CONNECTING: "Connecting…",
    DictationState.LISTENING: "Listening",
    DictationState.COMMITTING: "Committing…",
    DictationState.RECONNECTING: "Reconnecting…",
    DictationState.ERROR: "Error",
}

def state_label(state: DictationState) -> str:
    return _STATE_LABELS.get(state, str(state))


def toggle_label(state: DictationState) -> str:
    """Text of the Start/Stop toggle in `state`."""
    return "Stop dictation" if state.active else "Start dictation"
