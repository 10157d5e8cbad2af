"""The press/release interpreter of the three hotkey modes, on injected timestamps."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scribe_desktop.hotkey.chord import parse_chord
from scribe_desktop.hotkey.interpreter import (
    Action,
    Command,
    HotkeyConfig,
    HotkeyInterpreter,
    HotkeyMode,
)

A = Action
CHORD = ["ctrl", "alt", "space"]


def make(mode: HotkeyMode, **kw: float) -> HotkeyInterpreter:
    return HotkeyInterpreter(HotkeyConfig(
        chord=parse_chord("ctrl+alt+space"), mode=mode, cancel=parse_chord("esc"),
        undo=parse_chord("ctrl+alt+z"), paste_last=parse_chord("ctrl+alt+v"),
        tap_s=0.3, debounce_s=0.02, max_hold_s=10.0, **kw))


def press(i: HotkeyInterpreter, t: float, keys: list[str] = CHORD) -> list[Action]:
    out: list[Command] = []
    for k in keys:
        out += i.key_down(k, t)
    return [c.action for c in out]


def release(i: HotkeyInterpreter, t: float, keys: list[str] = CHORD) -> list[Action]:
    out: list[Command] = []
    for k in reversed(keys):
        out += i.key_up(k, t)
    return [c.action for c in out]


def test_hold_starts_on_press_and_stops_on_release() -> None:
    """Hold mode is push-to-talk."""
    i = make(HotkeyMode.HOLD)
    assert press(i, 0.0) == [A.START]
    assert release(i, 1.0) == [A.STOP]
    assert i.deadline() is None


def test_auto_repeat_presses_are_ignored() -> None:
    """Repeated presses of a held key do nothing until the release."""
    i = make(HotkeyMode.HOLD)
    assert press(i, 0.0) == [A.START]
    for n in range(20):
        assert i.key_down("space", 0.5 + n * 0.03) == []
    assert release(i, 1.5) == [A.STOP]


def test_toggle_press_starts_next_press_stops() -> None:
    """Toggle mode ignores releases."""
    i = make(HotkeyMode.TOGGLE)
    assert press(i, 0.0) == [A.START]
    assert release(i, 0.1) == []
    assert press(i, 2.0) == [A.STOP]
    assert release(i, 2.1) == []


def test_hybrid_tap_latches_and_long_hold_is_push_to_talk() -> None:
    """A short tap keeps dictating until the next press; a long hold stops on release."""
    i = make(HotkeyMode.HYBRID)
    assert press(i, 0.0) == [A.START]
    assert release(i, 0.1) == []  # tap: latched
    assert press(i, 3.0) == [A.STOP]
    assert release(i, 3.5) == []
    assert press(i, 5.0) == [A.START]
    assert release(i, 6.0) == [A.STOP]  # long hold


def test_bounce_release_is_debounced() -> None:
    """A release within the debounce window followed by a press is ignored."""
    i = make(HotkeyMode.HOLD)
    assert press(i, 0.0) == [A.START]
    assert i.key_up("space", 0.005) == []
    assert i.deadline() == 0.02
    assert i.key_down("space", 0.01) == []
    assert [c.action for c in i.tick(0.05)] == []
    assert release(i, 1.0) == [A.STOP]


def test_debounced_release_applies_at_tick_when_real() -> None:
    """A very quick real release still stops, at the deadline."""
    i = make(HotkeyMode.HOLD)
    assert press(i, 0.0) == [A.START]
    assert i.key_up("space", 0.001) == []
    deadline = i.deadline()
    assert deadline is not None
    assert i.tick(deadline - 0.001) == []
    assert [c.action for c in i.tick(deadline)] == [A.STOP]


def test_stuck_key_stops_at_timeout_with_notice() -> None:
    """A missed release stops at max_hold_s and says so; keys count as up again."""
    i = make(HotkeyMode.HOLD)
    assert press(i, 0.0) == [A.START]
    assert i.deadline() == 10.0
    assert i.tick(9.9) == []
    out = i.tick(10.0)
    assert [c.action for c in out] == [A.STOP] and out[0].notice and "10" in out[0].notice
    assert i.down == set() and i.deadline() is None
    assert release(i, 11.0) == []  # the late release does nothing
    assert press(i, 12.0) == [A.START]  # and the next press works


def test_cancel_only_while_active() -> None:
    """Esc cancels a running dictation and is ignored otherwise."""
    i = make(HotkeyMode.HOLD)
    assert press(i, 0.0, ["esc"]) == []
    release(i, 0.1, ["esc"])
    assert press(i, 1.0) == [A.START]
    assert press(i, 1.5, ["esc"]) == [A.CANCEL]
    assert release(i, 2.0) == []  # the chord's release after cancel does nothing


def test_undo_and_paste_last_only_when_idle() -> None:
    """Undo and paste-last chords fire when no dictation runs."""
    i = make(HotkeyMode.HOLD)
    assert press(i, 0.0, ["ctrl", "alt", "z"]) == [A.UNDO]
    release(i, 0.1, ["ctrl", "alt", "z"])
    assert press(i, 0.2, ["ctrl", "alt", "v"]) == [A.PASTE_LAST]
    release(i, 0.3, ["ctrl", "alt", "v"])
    i.set_active(True)
    assert press(i, 1.0, ["ctrl", "alt", "z"]) == []


def test_external_end_resets_hold() -> None:
    """A dictation ended elsewhere makes the release a no-op."""
    i = make(HotkeyMode.HOLD)
    assert press(i, 0.0) == [A.START]
    i.set_active(False)
    assert release(i, 1.0) == []


def test_another_key_soon_after_the_press_cancels_quietly() -> None:
    """A letter pressed while the chord is held, within the guard, cancels without notice."""
    for mode in (HotkeyMode.HOLD, HotkeyMode.HYBRID):
        i = make(mode)
        assert press(i, 0.0) == [A.START]
        out = i.key_down("t", 0.2)
        assert out == [Command(A.CANCEL, quiet=True)] and not i.active
        assert i.key_up("t", 0.25) == []
        assert release(i, 0.3) == []  # the chord's release does nothing now
        assert press(i, 1.0) == [A.START]  # and the next press dictates again
        assert release(i, 2.0) == [A.STOP]


def test_another_key_after_the_guard_or_in_toggle_mode_is_ignored() -> None:
    """Typing late in a hold, after a tap latch, or in toggle mode keeps dictating."""
    i = make(HotkeyMode.HOLD)
    assert press(i, 0.0) == [A.START]
    assert i.key_down("t", 0.6) == []  # after other_key_s (0.5)
    assert release(i, 1.0) == [A.STOP]
    i = make(HotkeyMode.HYBRID)
    assert press(i, 0.0) == [A.START]
    assert release(i, 0.1) == []  # a tap: latched, the chord is up
    assert i.key_down("t", 0.2) == [] and i.active
    i = make(HotkeyMode.TOGGLE)
    assert press(i, 0.0) == [A.START]
    assert i.key_down("t", 0.1) == [] and i.active


def test_another_key_guard_does_not_touch_a_dictation_started_elsewhere() -> None:
    """A press that did not start the dictation is never cancelled by the guard."""
    i = make(HotkeyMode.HOLD)
    i.set_active(True)  # started from the window
    assert press(i, 0.0) == []
    assert i.key_down("t", 0.1) == [] and i.active
    assert release(i, 1.0) == [A.STOP]


def test_the_guard_can_be_turned_off() -> None:
    """other_key_s = 0 disables the another-key guard."""
    i = make(HotkeyMode.HOLD, other_key_s=0.0)
    assert press(i, 0.0) == [A.START]
    assert i.key_down("t", 0.0) == []
    assert release(i, 1.0) == [A.STOP]


events = st.lists(st.tuples(st.sampled_from(["ctrl", "alt", "space", "esc", "x"]),
                            st.booleans(), st.floats(0.0, 0.5)), max_size=60)


@settings(max_examples=300)
@given(st.sampled_from(list(HotkeyMode)), events)
def test_commands_alternate_and_stuck_key_always_ends(mode: HotkeyMode,
                                                      evs: list[tuple[str, bool, float]]) -> None:
    """Start and stop/cancel alternate, and ticking far ahead never leaves a held dictation."""
    i = make(mode)
    t, active = 0.0, False
    for key, down, dt in evs:
        t += dt
        out = i.tick(t) + (i.key_down(key, t) if down else i.key_up(key, t))
        for c in out:
            if c.action == A.START:
                assert not active
                active = True
            elif c.action in (A.STOP, A.CANCEL):
                assert active
                active = False
        assert i.active == active
    for c in i.tick(t + 100) + i.tick(t + 200):
        active = active and c.action not in (A.STOP, A.CANCEL)
    # after the stuck-key timeout nothing is held and nothing stays pending
    assert not i.chord_down and i.deadline() is None
    if mode != HotkeyMode.TOGGLE:
        assert not active or not i.chord_down
