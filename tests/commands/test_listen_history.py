"""`scribe-desktop listen` records its session in the history as it happens."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from scribe_desktop.export import SessionSource, SessionStatus
from scribe_desktop.history import HistoryStore
from tests.rig.pulse import DEVICE_NAME, PulseRig
from tests.speech import SENTENCES, synth, wer

from .json_lines import read_json_until


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_listen_records_a_completed_listen_session(pulse_rig: PulseRig,
                                                         tmp_path: Path) -> None:
    """After Ctrl+C, the history holds the listen session, completed, with what was said."""
    sentence = SENTENCES[0]
    wav = synth(sentence, lead_silence_s=0.3, tail_silence_s=0.5)
    history = tmp_path / "history.sqlite3"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "scribe_desktop", "listen", "--json", "--device", DEVICE_NAME,
        "--commit-strategy", "manual", "--history-path", str(history),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=pulse_rig.client_env())
    assert proc.stdout is not None and proc.stderr is not None
    seen: list[dict[str, Any]] = []
    try:
        await read_json_until(proc.stdout, "listening", seen, 60)
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
    with HistoryStore.open(history) as store:
        [summary] = store.list_sessions()
        session = store.load(summary.id)
    assert session.meta.source == SessionSource.LISTEN
    assert session.status == SessionStatus.COMPLETED
    assert session.text == final["text"]
    assert wer(sentence, session.text) <= 0.35, session.text
