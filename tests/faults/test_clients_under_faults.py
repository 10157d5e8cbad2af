"""Every client path keeps every word through network faults and a crashed server.

The real server (its engine held to the script's vocabulary, so each word is recognised and
can be counted) commits on its own like the cloud (C5), behind a proxy that cuts both sides
mid-sentence and delays what the server says; or the server is SIGKILLed mid-sentence and
comes back on the same port. Each path is driven as a user drives it: `transcribe FILE`,
`listen` on the virtual microphone then Ctrl+C, the window's dictation on the microphone,
push-to-talk held over a text field of another process on X11.
The whole matrix for every path is `python -m bench --only faults` (docs/benchmarks.md).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from tests.faults.clients import (
    run_listen,
    run_ptt,
    run_transcribe,
    run_window,
    transcribe_baseline,
)
from tests.faults.scenarios import BASELINE, BY_NAME, SCENARIOS, Outcome, Scenario, fault_rig
from tests.faults.script import Script
from tests.inject.x11_rig import X11Desktop
from tests.rig.pulse import PulseRig

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

# a new script and new fault positions on every run, said in every failure message
SEED = random.Random().randrange(10_000)
LIVE = [BY_NAME["3 cuts, downlink +0.3 s"], BY_NAME["server SIGKILL"]]


@pytest.fixture(scope="module")
def script() -> Script:
    return Script.shuffled(SEED)


@pytest.fixture(scope="module")
def wav(script: Script, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return script.write_wav(tmp_path_factory.mktemp("faults") / "script.wav")


@pytest.fixture(scope="module")
def uplink_total(script: Script, wav: Path) -> int:
    """The bytes a fault-free `transcribe` sends (faults are placed by bytes for a file),
    after checking that without faults every word comes out once, with no reconnect (the
    server's own commits never throttle the client's padded ones)."""
    outcome, total = transcribe_baseline(script, wav)
    check(script, BASELINE, outcome)
    assert "reconnecting" not in outcome.detail, outcome.detail[-2000:]
    return total


def check(script: Script, scenario: Scenario, outcome: Outcome) -> None:
    tally = outcome.tally(script)
    where = f"seed {SEED}, {scenario.name}: {outcome.text!r}\n{outcome.detail[-2000:]}"
    assert outcome.faults_done == scenario.faults, where
    assert outcome.exit_code == 0, where
    assert not tally.lost and not tally.duplicated and not tally.unexpected, \
        f"lost {tally.lost}, duplicated {tally.duplicated}, unexpected {tally.unexpected}; " \
        + where


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_transcribe_keeps_every_word(scenario: Scenario, script: Script, wav: Path,
                                     uplink_total: int) -> None:
    """`transcribe` prints every word of the file once, exit 0, whatever the fault."""
    with fault_rig(script, scenario, SEED, uplink_total=uplink_total) as rig:
        outcome = run_transcribe(rig, wav)
    check(script, scenario, outcome)


def test_transcribe_keeps_what_was_committed_when_the_server_never_returns(
        script: Script, wav: Path, uplink_total: int) -> None:
    """A server that dies for good ends `transcribe` with exit 1, the words committed before
    printed, and a message that the transcript is incomplete."""
    # at real-time pace the server's commits keep up with the audio; the fault (placed for
    # the middle sentence) lands at about four fifths of the file
    with fault_rig(script, BY_NAME["1 cut"], SEED, uplink_total=uplink_total * 8 // 5) as rig:
        rig.proxy.set_action(lambda _proxy: rig.server.kill())  # and no restart
        outcome = run_transcribe(rig, wav, "--realtime")
    tally = outcome.tally(script)
    assert outcome.exit_code == 1, outcome.detail
    assert "incomplete" in outcome.detail
    said = [w for w in script.words if w not in tally.lost]
    assert said and said == script.words[:len(said)], (said, outcome.text)  # a prefix
    assert not tally.duplicated and not tally.unexpected


@pytest.mark.parametrize("scenario", LIVE, ids=[s.name for s in LIVE])
async def test_listen_keeps_every_word(scenario: Scenario, script: Script, wav: Path,
                                       pulse_rig: PulseRig) -> None:
    """`listen` prints every word said into the microphone once, then exits 0 on Ctrl+C."""
    with fault_rig(script, scenario, SEED) as rig:
        outcome = await run_listen(rig, pulse_rig, wav)
    check(script, scenario, outcome)


@pytest.mark.parametrize("scenario", LIVE, ids=[s.name for s in LIVE])
async def test_the_window_keeps_every_word(scenario: Scenario, script: Script, wav: Path,
                                           pulse_rig: PulseRig, sd: Any) -> None:
    """A dictation in the window commits every word said once, with no error shown."""
    with fault_rig(script, scenario, SEED) as rig:
        outcome = await run_window(rig, pulse_rig, sd, wav)
    check(script, scenario, outcome)


@pytest.mark.parametrize("scenario", LIVE, ids=[s.name for s in LIVE])
async def test_push_to_talk_keeps_every_word(scenario: Scenario, script: Script, wav: Path,
                                             pulse_rig: PulseRig, sd: Any,
                                             desktop: X11Desktop) -> None:
    """Holding the chord through the faults types every word said once into the field."""
    with fault_rig(script, scenario, SEED) as rig:
        outcome = await run_ptt(rig, pulse_rig, sd, wav, desktop)
    check(script, scenario, outcome)
