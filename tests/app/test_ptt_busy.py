"""Push-to-talk while the machine is busy: every CPU loaded by stress-ng, a second app
instance dictating on another display, another local server running. The real app holds the
chord over a Tk field for 8 s of speech, 20 times in a row: every time the committed text
lands, whole and in order (a miss would leave its trace in the log to explain it)."""

from __future__ import annotations

import contextlib
import functools
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.inject.x11_rig import TargetApp, X11Desktop, x11_desktop
from tests.rig.pulse import PulseRig
from tests.speech import SENTENCES, synth

from .ptt_app import Outcomes, expected, hold_and_speak, wait_landed
from .real_app import RealApp

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

RUNS = 20
CHORD = ["Control_L", "Shift_L", "space"]


@contextlib.contextmanager
def busy_machine(pulse_rig: PulseRig, tmp_path: Path,
                 start_server: Callable[..., object]) -> Iterator[None]:
    """stress-ng on every CPU, another app instance on another display, another server."""
    assert shutil.which("stress-ng"), "stress-ng is missing: run scripts/test"
    stress = subprocess.Popen(["stress-ng", "--cpu", "0", "--timeout", "1400s"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        start_server()
        with x11_desktop() as other_desktop:
            other = RealApp(other_desktop, pulse_rig, tmp_path / "other")
            try:
                other.launch()
                other.remote("start")  # dictating from the same microphone all along
                yield
            finally:
                if other.proc is not None and other.proc.poll() is None:
                    other.kill()
    finally:
        stress.terminate()
        stress.wait(10)


def after(before: str, sessions: list[list[str]]) -> str:
    """The field's text once the last session's segments joined `before`."""
    return before + expected(before or None, sessions[-1])


def test_twenty_dictations_in_a_row_on_a_busy_machine_all_land(
        desktop: X11Desktop, pulse_rig: PulseRig, tmp_path: Path, target: TargetApp,
        start_server: Callable[..., object]) -> None:
    """20 hold-to-talk dictations of 8 s under full load: 20 insertions, each exactly the
    committed text, joined to the one before."""
    wav = synth(" ".join(SENTENCES[:3]), lead_silence_s=0.3, tail_silence_s=0.4)
    app = RealApp(desktop, pulse_rig, tmp_path / "app")
    try:
        app.config("set", "hotkey.mode", "hold")
        app.launch()
        app.wait_log(r"backend Local: ready", 60)
        with busy_machine(pulse_rig, tmp_path, start_server):
            desktop.xdotool("windowactivate", "--sync", str(target.window))
            outcomes = Outcomes(app)
            text = ""
            for run in range(RUNS):
                hold_and_speak(desktop, pulse_rig, wav, CHORD)
                got = outcomes.wait(run + 1, timeout_s=90)
                assert got[run] == "inserted", (run, got, outcomes.notices())
                text = wait_landed(app, target, functools.partial(after, text), 30)
        assert app.quit() == 0
    finally:
        if app.proc is not None and app.proc.poll() is None:
            app.kill()
