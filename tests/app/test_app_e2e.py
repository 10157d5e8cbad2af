"""The real app, end to end, as a user runs it: the `scribe-desktop` process on an X11 desktop
(Xvfb + openbox), its own local server child, the virtual microphone of the PulseAudio rig
(espeak-ng speech played into it), driven by `scribe-desktop --start/--stop` and its keyboard
shortcuts, and read back from what the window shows (Edit → Copy all, see real_app.py).

The README screenshots come from this run: idle after start, dictating (a live partial under
the committed text), and a real error (the microphone unplugged mid-dictation). They go to a
temporary directory, or to $SCRIBE_SCREENSHOTS_DIR (e.g. docs/screenshots) to refresh the
README's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.inject.x11_rig import X11Desktop, wait_until
from tests.rig.pulse import PulseRig
from tests.speech import SENTENCES, synth, wer, words

from .real_app import RealApp
from .ui_screenshots import ScreenGrabber, picture_problems

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

WINDOW_POSITION = (60, 40)  # clear of the live-partial overlay at the bottom of the screen
SCREENSHOTS = ("main-idle.png", "main-dictating.png", "main-error.png")


@pytest.fixture
def app(desktop: X11Desktop, pulse_rig: PulseRig, tmp_path: Path) -> Iterator[RealApp]:
    real = RealApp(desktop, pulse_rig, tmp_path / "app")
    try:
        yield real
    finally:
        if real.proc is not None and real.proc.poll() is None:
            real.kill()  # the test failed before quitting it
        pulse_rig.restore_microphone()  # idempotent: plugged in for the next test


@pytest.fixture
def grabber(desktop: X11Desktop) -> Iterator[ScreenGrabber]:
    grab = ScreenGrabber(desktop.display)
    yield grab
    grab.close()


def test_dictating_in_the_real_app_shows_the_spoken_text(
        app: RealApp, pulse_rig: PulseRig, grabber: ScreenGrabber, tmp_path: Path) -> None:
    """Speech into the microphone ends up in the window's transcript, and the app quits
    with its server child."""
    shots = Path(os.environ.get("SCRIBE_SCREENSHOTS_DIR") or tmp_path / "screenshots")
    first, second = SENTENCES[0], SENTENCES[2]
    # the silence after the first sentence is longer than the VAD's 1.5 s: it commits. The
    # second one's lead silence outlasts the 3 s "copied" note of the last Copy all.
    first_wav = synth(first, lead_silence_s=0.3, tail_silence_s=2.5)
    second_wav = synth(second, lead_silence_s=1.5, tail_silence_s=0.0)

    app.launch()
    app.wait_log(r"backend Local: ready", 60)
    app.move(*WINDOW_POSITION)
    app.activate()
    grabber.grab(app.frame(), shots / "main-idle.png")
    assert app.copy_all() == ""  # a fresh app: nothing from the real user's history

    mark = app.log_mark()
    app.key("ctrl+space")  # the window's shortcut: start
    app.wait_log(r"--> listening", 20, mark)
    pulse_rig.play(first_wav)
    app.wait_committed(lambda text: len(set(words(text)) & set(words(first))) >= 4, 20,
                       "the first sentence, committed")
    # right after the second sentence's last word: committed text above, its live partial
    # below (the VAD commits it only after 1.5 s of silence)
    pulse_rig.play(second_wav)
    grabber.grab(app.frame(), shots / "main-dictating.png")
    app.wait_committed(lambda text: len(set(words(text)) & set(words(second))) >= 4, 20,
                       "the second sentence, committed")

    mark = app.log_mark()
    assert app.remote("stop") in ("committing", "idle")
    app.wait_log(r"--> idle", 20, mark)
    text = app.copy_all()
    assert wer(f"{first} {second}", text) <= 0.35, text

    # a real error: the microphone is unplugged while dictating
    mark = app.log_mark()
    assert app.remote("start") in ("connecting", "listening")
    app.wait_log(r"--> listening", 20, mark)
    pulse_rig.remove_microphone()
    dialog = app.find_window("Microphone lost")
    grabber.grab(app.frame().united(app.frame(dialog)), shots / "main-error.png")
    pulse_rig.restore_microphone()

    assert app.quit() == 0
    assert "Traceback" not in app.log_text(), app.tail()
    problems = [p for name in SCREENSHOTS for p in picture_problems(shots / name)]
    assert not problems, problems
    pictures = [(shots / name).read_bytes() for name in SCREENSHOTS]
    assert len(set(pictures)) == 3


def test_the_first_start_opens_the_welcome_once(desktop: X11Desktop, pulse_rig: PulseRig,
                                                grabber: ScreenGrabber, tmp_path: Path) -> None:
    """A user's first start opens the welcome beside the window; skipped, it stays closed at
    the next start (the settings remember it)."""
    shots = Path(os.environ.get("SCRIBE_SCREENSHOTS_DIR") or tmp_path / "screenshots")
    root = tmp_path / "first"
    app = RealApp(desktop, pulse_rig, root, first_run=True)
    try:
        app.launch()
        app.wait_log(r"backend Local: ready", 60)
        welcome = app.find_window("Welcome to scribe-desktop")
        app.window = app.find_window("scribe-desktop")
        desktop.xdotool("windowmove", "--sync", str(welcome), "200", "120")
        grabber.grab(app.frame(welcome), shots / "welcome.png")
        desktop.xdotool("windowactivate", "--sync", str(welcome))
        desktop.xdotool("key", "--clearmodifiers", "Escape")  # skip
        conf = root / "config" / "scribe-desktop" / "scribe-desktop.conf"
        wait_until(lambda: conf.exists() and "welcome_done=true" in conf.read_text(), 10,
                   "the settings to remember the welcome")
        assert app.quit() == 0
    finally:
        if app.proc is not None and app.proc.poll() is None:
            app.kill()
    again = RealApp(desktop, pulse_rig, root, first_run=True)
    try:
        again.launch()  # the ready line comes after the welcome would have been opened
        found = desktop.run("xdotool", "search", "--all", "--onlyvisible", "--pid",
                            str(again.proc.pid if again.proc else 0), "--name",
                            "^Welcome to scribe-desktop$")  # --all: pid AND name
        assert found.stdout.strip() == b"", again.tail()
        assert again.quit() == 0
    finally:
        if again.proc is not None and again.proc.poll() is None:
            again.kill()
    assert not picture_problems(shots / "welcome.png", (500, 380))
