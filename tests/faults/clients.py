"""Each client path of the product, driven through a `FaultRig` the way a user drives it, to
the text the user ends up with:

* `transcribe`: `scribe-desktop transcribe FILE --server-url` (a subprocess): its stdout;
* `listen`: `scribe-desktop listen --json` on the virtual microphone (a subprocess), the
  script played into it, then Ctrl+C: its closing transcript;
* `window`: the window's `DictationWorker` on the virtual microphone: start, the script,
  stop: the segments it committed (what the committed pane shows);
* `push-to-talk`: the chord held on the X11 desktop while the script is played, released:
  the text that landed in another application's field.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.faults.scenarios import BASELINE, FaultRig, Outcome, fault_rig
from tests.faults.script import Script
from tests.rig.pulse import DEVICE_NAME, PulseRig

# generous: a scenario's client reconnects up to 5 times, with backoff, on a busy machine
RUN_TIMEOUT_S = 240.0


def run_transcribe(rig: FaultRig, wav: Path, *options: str) -> Outcome:
    proc = subprocess.run(
        [sys.executable, "-m", "scribe_desktop", "transcribe", str(wav), "--server-url",
         rig.base_url, "--no-history", "--no-progress", *options],
        capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
        env={**_env(), **rig.server.env})
    return rig.outcome(proc.stdout, proc.returncode, proc.stderr)


async def run_listen(rig: FaultRig, pulse_rig: PulseRig, wav: Path) -> Outcome:
    from tests.commands.json_lines import read_json_until

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "scribe_desktop", "listen", "--json", "--device", DEVICE_NAME,
        "--commit-strategy", "vad", "--server-url", rig.base_url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**pulse_rig.client_env(), **rig.server.env})
    assert proc.stdout is not None and proc.stderr is not None
    seen: list[dict[str, Any]] = []
    text = ""
    try:
        await read_json_until(proc.stdout, "listening", seen, 60)
        rig.play_started()
        await asyncio.to_thread(pulse_rig.play, wav)
        proc.send_signal(signal.SIGINT)  # Ctrl+C: commit what was said, print, exit
        final = await read_json_until(proc.stdout, "transcript", seen, RUN_TIMEOUT_S)
        text = str(final["text"])
        code = await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    stderr = (await proc.stderr.read()).decode(errors="replace")
    outcome = rig.outcome(text, code, stderr)
    outcome.notes = [e["text"] for e in seen if e.get("message_type") == "committed_transcript"]
    return outcome


async def run_window(rig: FaultRig, pulse_rig: PulseRig, sd: Any, wav: Path) -> Outcome:
    from scribe_desktop.audio.capture import Microphone
    from scribe_desktop.client import ApiKeyAuth, Endpoint
    from scribe_desktop.connect import ApiKeys, FixedBackend
    from scribe_desktop.connect.keyring_store import ApiKeyStore
    from scribe_desktop.core.lifecycle import DictationState
    from scribe_desktop.protocol.options import CommitStrategy
    from scribe_desktop.qt.settings import Settings
    from scribe_desktop.qt.worker.worker import DictationWorker
    from tests.app.fakes import MemoryKeyring
    from tests.app.recorder import Recorder

    settings = Settings(commit_strategy=CommitStrategy.VAD, device_name=DEVICE_NAME)
    backend = FixedBackend(Endpoint(base_url=rig.base_url), ApiKeyAuth(rig.secret))
    worker = DictationWorker(
        settings, backend_factory=lambda s: backend,
        microphone_factory=lambda s: Microphone(sd, device=s.device_name,
                                                chunk_s=s.chunk_ms / 1000,
                                                preroll_s=s.preroll_ms / 1000),
        api_keys=ApiKeys(ApiKeyStore(MemoryKeyring())))
    rec = Recorder(worker)
    try:
        await asyncio.wait_for(worker.open_microphone(), 15)
        worker.start()
        await rec.wait_state(DictationState.LISTENING, 30)
        rig.play_started()
        await asyncio.to_thread(pulse_rig.play, wav)
        task = worker.stop()
        assert task is not None
        await asyncio.wait_for(task, RUN_TIMEOUT_S)
    finally:
        await asyncio.wait_for(worker.shutdown(), 15)
    errors = "; ".join(e.message for e in rec.errors)
    return rig.outcome(" ".join(s.text for s in rec.segments), 1 if rec.errors else 0,
                       errors)


async def run_ptt(rig: FaultRig, pulse_rig: PulseRig, sd: Any, wav: Path,
                  desktop: Any) -> Outcome:
    """Push-to-talk as a user does it on X11: the chord held (xdotool) over a Tk field in
    another process while the script is spoken into the virtual microphone, released at its
    end; what the user got is the field's text (shaped: capitals and marks, which the tally
    ignores)."""
    from scribe_desktop.core.lifecycle import DictationState
    from scribe_desktop.hotkey.interpreter import HotkeyMode
    from scribe_desktop.protocol.options import CommitStrategy
    from scribe_desktop.qt.push_to_talk.seams import Outcome as PttOutcome
    from tests.inject.ptt_harness import CHORD, keys, make_stack
    from tests.inject.x11_rig import TargetApp

    target = await asyncio.to_thread(TargetApp, desktop, f"faults{id(rig)}")
    stack = await make_stack(sd, rig, mode=HotkeyMode.HOLD, strategy=CommitStrategy.VAD,
                             max_hold_s=RUN_TIMEOUT_S)
    try:
        await keys(desktop, "keydown", *CHORD)
        await stack.wait(lambda: stack.worker.state == DictationState.LISTENING, 30,
                         "listening")
        rig.play_started()
        await asyncio.to_thread(pulse_rig.play, wav)
        await keys(desktop, "keyup", *reversed(CHORD))
        await stack.wait(stack.idle, RUN_TIMEOUT_S, "push-to-talk idle")
        text = target.text
    finally:
        await stack.close()
        await asyncio.to_thread(target.close)
    failed = [f"{o.value}: {d}" for o, d in stack.outcomes if o is not PttOutcome.INSERTED]
    return rig.outcome(text, 1 if failed or not stack.outcomes else 0, "; ".join(failed))


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def as_json(outcome: Outcome) -> str:
    return json.dumps({"text": outcome.text, "exit": outcome.exit_code,
                       "faults": outcome.faults_done})


def transcribe_baseline(script: Script, wav: Path) -> tuple[Outcome, int]:
    """A fault-free `transcribe` run of `wav`: its outcome and the uplink bytes it took
    (where a fault's byte count is placed from)."""
    with fault_rig(script, BASELINE) as rig:
        outcome = run_transcribe(rig, wav)
        return outcome, rig.proxy.uplink_bytes
