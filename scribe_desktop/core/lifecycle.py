"""The dictation lifecycle: ONE state machine, its transitions in ONE table. Pure.

    IDLE --start--> CONNECTING --connected--> LISTENING --stop--> COMMITTING --committed--> IDLE
                                               |    ^
                               connection_lost v    | reconnected
                                            RECONNECTING

plus ERROR, reached by `FAILED` from any active state and left by `RESET` (or a new start).
Every trigger (the Start/Stop button, the tray, a `--toggle` remote command, later the hotkey)
goes through `next_state`; a trigger that is not in the table for the current state is
ignored (returns None), so a double press or a late network event can never corrupt the state.

Not thread-safe: owned by the dictation worker on the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class DictationState(StrEnum):
    IDLE = "idle"
    CONNECTING = "connecting"  # microphone already capturing into a buffer; socket opening
    LISTENING = "listening"  # audio streaming, partials arriving
    COMMITTING = "committing"  # stop pressed: last audio sent, waiting for the final text
    RECONNECTING = "reconnecting"  # connection dropped; audio keeps being buffered
    ERROR = "error"  # a failure ended the dictation; the UI shows it until reset/start

    @property
    def active(self) -> bool:
        """True while a dictation holds the microphone and (or waits for) a session."""
        return self in _ACTIVE


_ACTIVE = frozenset({DictationState.CONNECTING, DictationState.LISTENING,
                     DictationState.COMMITTING, DictationState.RECONNECTING})


class Trigger(StrEnum):
    START = "start"  # user: begin dictating
    STOP = "stop"  # user: finish, keeping what was said (commit, then idle)
    TOGGLE = "toggle"  # user: start when idle, stop when dictating
    CANCEL = "cancel"  # user/app: abandon at once, nothing more is committed
    CONNECTED = "connected"  # worker: session_started received (rule C1)
    COMMITTED = "committed"  # worker: the final commit was answered (or timed out)
    CONNECTION_LOST = "connection_lost"  # worker: socket dropped, retrying may help
    RECONNECTED = "reconnected"  # worker: a new session continues the stream
    FAILED = "failed"  # worker: an error that ends the dictation
    RESET = "reset"  # user: dismiss the error


S, T = DictationState, Trigger

TRANSITIONS: Mapping[tuple[DictationState, Trigger], DictationState] = MappingProxyType({
    (S.IDLE, T.START): S.CONNECTING,
    (S.IDLE, T.TOGGLE): S.CONNECTING,

    (S.CONNECTING, T.CONNECTED): S.LISTENING,
    # stop while connecting keeps the buffered audio: it is sent and committed once connected
    (S.CONNECTING, T.STOP): S.COMMITTING,
    (S.CONNECTING, T.TOGGLE): S.COMMITTING,
    (S.CONNECTING, T.CANCEL): S.IDLE,
    (S.CONNECTING, T.FAILED): S.ERROR,

    (S.LISTENING, T.STOP): S.COMMITTING,
    (S.LISTENING, T.TOGGLE): S.COMMITTING,
    (S.LISTENING, T.CANCEL): S.IDLE,
    (S.LISTENING, T.CONNECTION_LOST): S.RECONNECTING,
    (S.LISTENING, T.FAILED): S.ERROR,

    (S.COMMITTING, T.COMMITTED): S.IDLE,
    (S.COMMITTING, T.CANCEL): S.IDLE,
    (S.COMMITTING, T.FAILED): S.ERROR,

    (S.RECONNECTING, T.RECONNECTED): S.LISTENING,
    # giving up on a dead connection: the unsent audio cannot be transcribed any more
    (S.RECONNECTING, T.STOP): S.IDLE,
    (S.RECONNECTING, T.TOGGLE): S.IDLE,
    (S.RECONNECTING, T.CANCEL): S.IDLE,
    (S.RECONNECTING, T.FAILED): S.ERROR,

    (S.ERROR, T.RESET): S.IDLE,
    (S.ERROR, T.CANCEL): S.IDLE,
    (S.ERROR, T.STOP): S.IDLE,
    (S.ERROR, T.START): S.CONNECTING,
    (S.ERROR, T.TOGGLE): S.CONNECTING,
})

del S, T


def next_state(state: DictationState, trigger: Trigger) -> DictationState | None:
    """The state `trigger` leads to from `state`, or None when the trigger is ignored there."""
    return TRANSITIONS.get((state, trigger))


class Lifecycle:
    """The current state plus `fire()`; the table above is the only source of transitions."""

    def __init__(self, state: DictationState = DictationState.IDLE) -> None:
        self.state = state

    def fire(self, trigger: Trigger) -> DictationState | None:
        """Apply `trigger`; returns the new state, or None (state unchanged) if ignored."""
        new = next_state(self.state, trigger)
        if new is not None:
            self.state = new
        return new
