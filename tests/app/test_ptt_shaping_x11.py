"""Spoken commands through push-to-talk on real X11: espeak-ng speech with pauses played
into the virtual microphone while the chord is held, the real worker and local server, the
Tk field in another process. "new line" and "scratch that" are the commands the offline
engine decodes reliably (tests/shaping/test_real_speech.py); the engine's first commit has
no word timings, so the pauses are known only from the timed commit that follows (rule C4),
and an insertion made before it is revised through the ledger."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import numpy
import pytest
import soundfile

from scribe_desktop.core.lifecycle import DictationState
from tests.inject.ptt_harness import CHORD, PttStack, keys, make_stack
from tests.inject.x11_rig import TargetApp, X11Desktop
from tests.rig.pulse import PulseRig
from tests.speech import pcm16, synth, wer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

PAUSE_S = 1.0
FIRST, SECOND = "turn off the music in the living room", "please call me back tomorrow morning"


def speech(path: Path, *parts: str) -> Path:
    """A WAV of the parts spoken one after the other, with a pause around each."""
    silence = bytes(int(PAUSE_S * 16000) * 2)
    pcm = silence + silence.join(pcm16(synth(p)) for p in parts) + silence
    soundfile.write(str(path), numpy.frombuffer(pcm, dtype=numpy.int16), 16000,
                    subtype="PCM_16")
    return path


async def dictate(stack: PttStack, desktop: X11Desktop, pulse_rig: PulseRig,
                  wav: Path) -> None:
    """Hold the chord, play `wav`, release, and wait until push-to-talk is idle."""
    await keys(desktop, "keydown", *CHORD)
    try:
        await stack.wait(lambda: stack.worker.state == DictationState.LISTENING, 20,
                         "listening")
        proc = pulse_rig.play_async(wav)
        await asyncio.to_thread(proc.wait, 30)
    finally:
        await keys(desktop, "keyup", *reversed(CHORD))
    await stack.wait(stack.idle, 40, "push-to-talk idle")


async def test_new_line_and_scratch_that_spoken_while_holding_the_chord(
        pulse_rig: PulseRig, sd: Any, local_server: Any, desktop: X11Desktop,
        target: TargetApp, tmp_path: Path) -> None:
    """"new line" between two sentences breaks the line in the field, and "scratch that"
    in the next hold removes that dictation's text through the ledger."""
    stack = await make_stack(sd, local_server, language="en")
    try:
        await dictate(stack, desktop, pulse_rig,
                      speech(tmp_path / "lines.wav", FIRST, "new line", SECOND))
        assert stack.segments and "new line" in stack.segments[-1].lower(), \
            f"the engine did not hear the command: {stack.segments}"
        text = await asyncio.to_thread(target.wait_text, lambda t: "\n" in t, 20,
                                       "a line break in the field")
        first, second = text.split("\n")
        assert first[:1].isupper() and second[:1].isupper(), text
        assert "new line" not in text.lower(), text
        assert wer(FIRST, first) <= 0.35 and wer(SECOND, second) <= 0.35, text

        await dictate(stack, desktop, pulse_rig, speech(tmp_path / "scratch.wav",
                                                        "scratch that"))
        assert stack.segments[-1].lower().strip(" .!") == "scratch that", stack.segments
        assert await asyncio.to_thread(target.wait_text, lambda t: t == "", 20,
                                       "the scratched dictation removed") == ""
        assert not any("nothing was" in n.lower() for n in stack.notices), stack.notices
    finally:
        await stack.close()
