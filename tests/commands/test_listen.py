"""`scribe-desktop listen --json` dictates from the virtual microphone in a subprocess."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

import pytest

from tests.commands.json_lines import read_json_until
from tests.rig.pulse import DEVICE_NAME, PulseRig
from tests.speech import SENTENCES, synth, wer


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_listen_json_prints_what_was_said(pulse_rig: PulseRig) -> None:
    """Ctrl+C after speech makes `listen --json` commit it, print it and exit 0."""
    sentence = SENTENCES[0]
    wav = synth(sentence, lead_silence_s=0.3, tail_silence_s=0.5)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "scribe_desktop", "listen", "--json", "--device", DEVICE_NAME,
        "--commit-strategy", "manual", stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=pulse_rig.client_env())
    assert proc.stdout is not None and proc.stderr is not None
    seen: list[dict[str, Any]] = []
    try:
        listening = await read_json_until(proc.stdout, "listening", seen, 60)
        assert DEVICE_NAME in listening["device"]
        await asyncio.to_thread(pulse_rig.play, wav)
        proc.send_signal(signal.SIGINT)
        final = await read_json_until(proc.stdout, "transcript", seen, 40)
        code = await asyncio.wait_for(proc.wait(), 20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    stderr = (await proc.stderr.read()).decode(errors="replace")
    assert code == 0, stderr
    committed = [e["text"] for e in seen if e["message_type"] == "committed_transcript"]
    assert committed, seen
    assert wer(sentence, " ".join(committed)) <= 0.35, committed
    assert wer(sentence, final["text"]) <= 0.35
    assert any(e["message_type"] == "device_opened" and e["device"] == DEVICE_NAME
               for e in seen)
