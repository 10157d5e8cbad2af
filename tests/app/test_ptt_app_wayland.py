"""Push-to-talk in the real app process on Wayland (headless sway): the chord bound in sway
through its IPC, speech from the virtual microphone, the exact committed text in a
Wayland-native field of another process, the clipboard restored; undo refuses (Wayland does
not let the app see the user's typing); --start/--stop --insert work the same."""

from __future__ import annotations

import subprocess
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rig.pulse import PulseRig
from tests.rig.wayland import SwaySession, _poll
from tests.rig.wayland_fixtures import WlTarget
from tests.speech import SENTENCES, synth

from .ptt_app import Outcomes, WaylandApp, expected, wait_landed

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

CHORD = ["-M", "ctrl", "-M", "shift"]


@pytest.fixture(scope="module")
def app(sway: SwaySession, pulse_rig: PulseRig,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[WaylandApp]:
    real = WaylandApp(sway, pulse_rig, tmp_path_factory.mktemp("ptt-wayland"))
    try:
        real.config("set", "hotkey.mode", "hold")
        real.launch()
        real.wait_log(r"backend Local: ready", 60)
        real.wait_log(r"push-to-talk: Global hotkeys: sway IPC bindings; Text insertion: "
                      r"Wayland", 10)
        real.wait_log(r"hotkey chords reserved: dictate=ctrl\+shift\+space", 10)
        yield real
        assert real.quit() == 0
    finally:
        if real.proc is not None and real.proc.poll() is None:
            real.kill()


def duration_s(wav: Path) -> float:
    with wave.open(str(wav)) as w:
        return float(w.getnframes()) / float(w.getframerate())


def hold_and_speak(sway: SwaySession, rig: PulseRig, wav: Path) -> None:
    """Hold Ctrl+Shift+Space (one virtual keyboard, as a hand on a real one) while `wav`
    plays, and release it 0.3 s after the speech."""
    hold_ms = int((duration_s(wav) + 0.3) * 1000)
    keys = subprocess.Popen(["wtype", *CHORD, "-P", "space", "-s", str(hold_ms), "-p",
                             "space", "-m", "shift", "-m", "ctrl"], env=sway.client_env())
    try:
        rig.play(wav)
    finally:
        assert keys.wait(30) == 0


def speech(n: int) -> Path:
    return synth(SENTENCES[n], lead_silence_s=0.3, tail_silence_s=0.3)


def test_hold_to_talk_inserts_the_committed_text_and_restores_the_clipboard(
        app: WaylandApp, sway: SwaySession, pulse_rig: PulseRig, wl_target: WlTarget) -> None:
    """Chord held in sway -> speech -> exactly the committed text in the Wayland field;
    the previous clipboard is back; the chord never reached the field."""
    sway.set_clipboard("the user's clipboard")
    outcomes = Outcomes(app)
    hold_and_speak(sway, pulse_rig, speech(1))
    assert outcomes.wait() == ["inserted"], outcomes.notices()
    wait_landed(app, wl_target, lambda s: expected(None, s[-1]))
    assert sway.clipboard() == "the user's clipboard"
    assert not [k for k in wl_target.key_log() if k.startswith("32 ")]  # Qt.Key_Space


def test_undo_refuses_because_typing_cannot_be_seen(
        app: WaylandApp, sway: SwaySession, pulse_rig: PulseRig, wl_target: WlTarget) -> None:
    """After a dictation and the user's typing, undo on Wayland removes nothing."""
    outcomes = Outcomes(app)
    hold_and_speak(sway, pulse_rig, speech(3))
    assert outcomes.wait() == ["inserted"]
    text = wait_landed(app, wl_target, lambda s: expected(None, s[-1]))
    sway.wtype(" mine")
    wl_target.wait_text(lambda t: t == text + " mine", 10, "the user's typing")
    before = len(outcomes.notices())
    sway.wtype("-M", "ctrl", "-M", "alt", "-k", "z", "-m", "alt", "-m", "ctrl")
    _poll(lambda: len(outcomes.notices()) > before, 10, "the undo notice")
    assert "Undo is off on this desktop" in outcomes.notices()[before]
    assert wl_target.text == text + " mine"


def test_remote_start_and_stop_insert_like_the_hotkey(
        app: WaylandApp, pulse_rig: PulseRig, wl_target: WlTarget) -> None:
    """A desktop shortcut's --start --insert / --stop --insert is push-to-talk too."""
    outcomes = Outcomes(app)
    assert app.remote("start", "--insert") in ("connecting", "listening")
    pulse_rig.play(speech(4))
    app.remote("stop", "--insert")
    assert outcomes.wait() == ["inserted"]
    wait_landed(app, wl_target, lambda s: expected(None, s[-1]))


def test_the_cancel_key_cancels_and_stays_ours(
        app: WaylandApp, sway: SwaySession, pulse_rig: PulseRig, wl_target: WlTarget) -> None:
    """Esc while the chord is held cancels: nothing inserted, Esc never in the field."""
    outcomes = Outcomes(app)
    wav = speech(2)
    hold_ms = int((duration_s(wav) + 0.3) * 1000)
    keys = subprocess.Popen(["wtype", *CHORD, "-P", "space", "-s", str(hold_ms), "-k",
                             "Escape", "-s", "300", "-p", "space", "-m", "shift", "-m",
                             "ctrl"], env=sway.client_env())
    pulse_rig.play(wav)
    assert keys.wait(30) == 0
    assert outcomes.wait() == ["cancelled"]
    assert any("cancelled" in n for n in outcomes.notices())
    sway.wtype("x")
    wl_target.wait_text(lambda t: t == "x", 10, "a plain key")
    assert [k.split()[0] for k in wl_target.key_log()] == ["88"]  # only X (Qt.Key_X)
