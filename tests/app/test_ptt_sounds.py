"""Push-to-talk's feedback sounds, played through PortAudio into the rig's speaker sink
(never the microphone) and recorded from its monitor: heard when on, silent at volume 0, and
a missing sound is skipped without failing anything."""

from __future__ import annotations

import array
import concurrent.futures
import logging
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scribe_desktop.qt.push_to_talk.seams import Cue
from scribe_desktop.qt.push_to_talk.sounds import SOUNDS_DIR, FeedbackSounds, load_cue, sound_sets
from tests.rig.pulse import PulseRig

pytestmark = pytest.mark.timeout(60)


def peak(proc: subprocess.Popen[bytes]) -> int:
    proc.terminate()
    data, _ = proc.communicate(timeout=10)
    samples = array.array("h", data[: len(data) // 2 * 2])
    return max((abs(s) for s in samples), default=0)


def play(sounds: FeedbackSounds, cue: Cue) -> bool | None:
    future = sounds.play(cue)
    return None if future is None else future.result(timeout=10)


def test_every_set_has_every_cue_short_and_in_range() -> None:
    """The bundled sets hold start, stop and error: 16-bit mono, under 0.3 s."""
    assert sound_sets() == ["clear", "soft"]
    for name in sound_sets():
        for cue in Cue:
            data, rate = load_cue(SOUNDS_DIR / name / f"{cue}.wav", 100)
            assert 0 < len(data) / 2 / rate < 0.3 and rate == 48000


def test_a_cue_is_heard_on_the_speaker_and_volume_scales_it(pulse_rig: PulseRig,
                                                            sd: Any) -> None:
    """A cue at 50 % reaches the speaker sink at about half the amplitude of 100 %; at 0 %
    nothing plays."""
    levels = {}
    for volume in (100, 50):
        sounds = FeedbackSounds(volume=volume, sd=sd)
        recorder = pulse_rig.record_speaker()
        try:
            assert play(sounds, Cue.START) is True
        finally:
            levels[volume] = peak(recorder)
            sounds.close()
    assert levels[100] > 8000 and 0.35 < levels[50] / levels[100] < 0.65, levels
    assert play(FeedbackSounds(volume=0, sd=sd), Cue.START) is None
    assert play(FeedbackSounds(enabled=False, sd=sd), Cue.STOP) is None


def test_a_missing_sound_is_skipped_and_logged_once(tmp_path: Path, sd: Any,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    """A set without files plays nothing, says so once in the log, and raises nothing."""
    sounds = FeedbackSounds(sound_set="gone", directory=tmp_path, sd=sd)
    with caplog.at_level(logging.WARNING):
        assert play(sounds, Cue.ERROR) is False
        assert play(sounds, Cue.ERROR) is False
    sounds.close()
    assert len([r for r in caplog.records if "not played" in r.getMessage()]) == 1


def test_playing_never_blocks_the_caller(sd: Any) -> None:
    """play() returns while its cue still plays (each lasts over 0.1 s), in order."""
    sounds = FeedbackSounds(sd=sd)
    futures = [sounds.play(cue) for cue in (Cue.START, Cue.STOP, Cue.ERROR)]
    assert all(isinstance(f, concurrent.futures.Future) and not f.done() for f in futures)
    assert [f.result(timeout=10) for f in futures if f is not None] == [True, True, True]
    assert sounds.played == [Cue.START, Cue.STOP, Cue.ERROR]
    sounds.close()
