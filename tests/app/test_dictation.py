"""The dictation lifecycle table: every transition, and every other trigger ignored."""

from __future__ import annotations

import itertools

import pytest

from scribe_desktop.core.lifecycle import (
    TRANSITIONS,
    DictationState,
    Lifecycle,
    Trigger,
    next_state,
)

S, T = DictationState, Trigger

EXPECTED = {
    (S.IDLE, T.START): S.CONNECTING, (S.IDLE, T.TOGGLE): S.CONNECTING,
    (S.CONNECTING, T.CONNECTED): S.LISTENING, (S.CONNECTING, T.STOP): S.COMMITTING,
    (S.CONNECTING, T.TOGGLE): S.COMMITTING, (S.CONNECTING, T.CANCEL): S.IDLE,
    (S.CONNECTING, T.FAILED): S.ERROR,
    (S.LISTENING, T.STOP): S.COMMITTING, (S.LISTENING, T.TOGGLE): S.COMMITTING,
    (S.LISTENING, T.CANCEL): S.IDLE, (S.LISTENING, T.CONNECTION_LOST): S.RECONNECTING,
    (S.LISTENING, T.FAILED): S.ERROR,
    (S.COMMITTING, T.COMMITTED): S.IDLE, (S.COMMITTING, T.CANCEL): S.IDLE,
    (S.COMMITTING, T.FAILED): S.ERROR,
    (S.RECONNECTING, T.RECONNECTED): S.LISTENING, (S.RECONNECTING, T.STOP): S.IDLE,
    (S.RECONNECTING, T.TOGGLE): S.IDLE, (S.RECONNECTING, T.CANCEL): S.IDLE,
    (S.RECONNECTING, T.FAILED): S.ERROR,
    (S.ERROR, T.RESET): S.IDLE, (S.ERROR, T.CANCEL): S.IDLE, (S.ERROR, T.STOP): S.IDLE,
    (S.ERROR, T.START): S.CONNECTING, (S.ERROR, T.TOGGLE): S.CONNECTING,
}


def test_the_table_is_exactly_the_documented_one() -> None:
    """The transition table holds exactly the documented transitions."""
    assert dict(TRANSITIONS) == EXPECTED


@pytest.mark.parametrize(("state", "trigger"), sorted(EXPECTED))
def test_each_transition_is_taken(state: DictationState, trigger: Trigger) -> None:
    """A trigger listed for a state moves the machine to the listed state."""
    machine = Lifecycle(state)
    assert machine.fire(trigger) == EXPECTED[(state, trigger)]
    assert machine.state == EXPECTED[(state, trigger)]


@pytest.mark.parametrize(("state", "trigger"),
                         [p for p in itertools.product(DictationState, Trigger)
                          if p not in EXPECTED])
def test_other_triggers_are_ignored(state: DictationState, trigger: Trigger) -> None:
    """A trigger not listed for a state is ignored and leaves the state unchanged."""
    machine = Lifecycle(state)
    assert next_state(state, trigger) is None
    assert machine.fire(trigger) is None
    assert machine.state == state


def test_a_whole_dictation_with_a_reconnect() -> None:
    """Start, connect, lose and regain the connection, stop and commit ends idle."""
    machine = Lifecycle()
    path = [T.TOGGLE, T.CONNECTED, T.CONNECTION_LOST, T.RECONNECTED, T.TOGGLE, T.COMMITTED]
    states = [machine.fire(t) for t in path]
    assert states == [S.CONNECTING, S.LISTENING, S.RECONNECTING, S.LISTENING, S.COMMITTING,
                      S.IDLE]


def test_every_state_is_reachable_and_can_return_to_idle() -> None:
    """Every state is reachable from IDLE and has a way back to IDLE."""
    reach = {S.IDLE}
    frontier = [S.IDLE]
    while frontier:
        state = frontier.pop()
        for trigger in Trigger:
            new = next_state(state, trigger)
            if new is not None and new not in reach:
                reach.add(new)
                frontier.append(new)
    assert reach == set(DictationState)
    for state in DictationState:
        assert state == S.IDLE or any(next_state(state, t) == S.IDLE for t in Trigger) or \
            next_state(state, T.FAILED) == S.ERROR


def test_active_states() -> None:
    """Only the connecting, listening, committing and reconnecting states are active."""
    assert {s for s in DictationState if s.active} == {S.CONNECTING, S.LISTENING,
                                                       S.COMMITTING, S.RECONNECTING}
