"""Push-to-talk end to end on real X11: xdotool holds the chord while the virtual microphone
speaks; the real worker, the real local server, pynput and paste insertion put the committed
text into a Tk field in another process."""

from __future__ import annotations

import asyncio
import subprocess
from typing import Any

import pytest

from scribe_desktop.core.lifecycle import DictationState
from tests.inject.ptt_harness import CHORD, keys, make_stack
from tests.inject.x11_rig import TargetApp, X11Desktop
from tests.rig.pulse import PulseRig
from tests.speech import SENTENCES, synth, wer, words

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


async def play_and_wait(proc: subprocess.Popen[bytes]) -> None:
    await asyncio.to_thread(proc.wait, 30)


async def test_hold_to_talk_pastes_the_committed_text(pulse_rig: PulseRig, sd: Any,
                                                      local_server: Any, desktop: X11Desktop,
                                                      target: TargetApp) -> None:
    """Holding the chord dictates into the focused field; the first word, spoken 200 ms
    before the press, is kept and the previous clipboard is restored."""
    desktop.set_clipboard("previous clipboard")
    stack = await make_stack(sd, local_server)
    # Its first word must not be one the engine confuses ("turn" is often heard as "third"),
    # or the first-word check would judge the recogniser instead of the pre-roll.
    sentence = SENTENCES[1]
    wav = synth(sentence, lead_silence_s=0.3, tail_silence_s=0.6)
    try:
        await asyncio.sleep(1.0)  # not an event wait: lets the pre-roll fill with silence
        player = pulse_rig.play_async(wav)
        await asyncio.sleep(0.5)  # the first word starts ~0.3 s in: press 0.2 s after it
        await keys(desktop, "keydown", *CHORD)
        await stack.wait(lambda: stack.worker.state == DictationState.LISTENING, 20,
                         "listening")
        await play_and_wait(player)
        await keys(desktop, "keyup", *reversed(CHORD))
        text = await asyncio.to_thread(target.wait_text, bool, 30, "inserted text")
        await stack.wait(stack.idle, 15, "push-to-talk idle")
    finally:
        await stack.close()
    assert wer(sentence, text) <= 0.35, text
    assert words(sentence)[0] in words(text), f"first word lost: {text!r}"
    assert desktop.clipboard() == "previous clipboard"
    assert not [n for n in stack.ptt.notices if "not" in n.lower()], stack.ptt.notices


async def test_cancel_inserts_nothing(pulse_rig: PulseRig, sd: Any, local_server: Any,
                                      desktop: X11Desktop, target: TargetApp) -> None:
    """Esc while holding the chord abandons the dictation and inserts nothing."""
    stack = await make_stack(sd, local_server)
    wav = synth(SENTENCES[1], lead_silence_s=0.2, tail_silence_s=0.3)
    try:
        await keys(desktop, "keydown", *CHORD)
        await stack.wait(lambda: stack.worker.state == DictationState.LISTENING, 20,
                         "listening")
        await play_and_wait(pulse_rig.play_async(wav))
        await keys(desktop, "key", "Escape")
        await keys(desktop, "keyup", *reversed(CHORD))
        await stack.wait(stack.idle, 15, "idle after cancel")
        # a wrongly inserted text would arrive within the commit time: give it that long
        await asyncio.sleep(1.0)
    finally:
        await stack.close()
    assert target.text == ""
    assert any("cancelled" in n for n in stack.ptt.notices)


async def test_stuck_key_stops_at_the_timeout(pulse_rig: PulseRig, sd: Any,
                                              local_server: Any, desktop: X11Desktop,
                                              target: TargetApp) -> None:
    """A chord whose release never comes stops at max_hold_s with a notice and inserts."""
    stack = await make_stack(sd, local_server, max_hold_s=4.0)
    sentence = SENTENCES[4]
    wav = synth(sentence, lead_silence_s=0.2, tail_silence_s=0.3)
    try:
        loop = asyncio.get_running_loop()
        await keys(desktop, "keydown", *CHORD)
        pressed = loop.time()
        await play_and_wait(pulse_rig.play_async(wav))
        await stack.wait(lambda: any("held" in n for n in stack.ptt.notices), 10,
                         "the stuck-key notice")
        stopped = loop.time()
        text = await asyncio.to_thread(target.wait_text, bool, 30, "inserted text")
        await stack.wait(stack.idle, 15, "idle")
    finally:
        await keys(desktop, "keyup", *reversed(CHORD))
        await stack.close()
    assert 3.9 <= stopped - pressed <= 6.0
    assert set(words(text)) & set(words(sentence)), text  # what was said got inserted
