"""The fault scenarios and the rig that plays one: the grammar server (auto-committing like
the cloud, rule C5) behind a `FaultProxy`, faults placed mid-sentence in the client's audio.

A fault's place is a position in the speech (inside a sentence, never in a pause). For a
client on the microphone it becomes a time after the playback starts (`FaultRig.play_started`
arms them). For a client streaming a file (faster than real time) it becomes a count of
uplink bytes: the fraction of the bytes a fault-free run of the same file sent
(`uplink_total`), since the WebSocket compresses (permessage-deflate) silence far more than
speech and bytes are not proportional to seconds. Replayed audio counts again, so later
faults land a little earlier in the file than planned; they still land inside the session.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.faults.proxy import FaultProxy
from tests.faults.script import RATE_HZ, Script, Tally
from tests.faults.servers import GrammarServer

# from the playback's start to the audio reaching the client's uplink: capture blocks,
# PulseAudio's buffering
CAPTURE_LATENCY_S = 0.15
# the cloud commits on its own (documented every 90 s, observed at 36 s): much more often
# here, so every scenario has commits the client did not ask for in flight
AUTO_COMMIT_S = 6.0


@dataclass(frozen=True)
class Scenario:
    name: str
    cuts: int = 0
    delay_s: float = 0.0
    kill: bool = False

    @property
    def faults(self) -> int:
        return self.cuts + int(self.kill)


BASELINE = Scenario("no fault")
SCENARIOS = (
    Scenario("1 cut", cuts=1),
    Scenario("3 cuts", cuts=3),
    Scenario("5 cuts", cuts=5),
    Scenario("3 cuts, downlink +0.3 s", cuts=3, delay_s=0.3),
    Scenario("3 cuts, downlink +1 s", cuts=3, delay_s=1.0),
    Scenario("server SIGKILL", kill=True),
)
BY_NAME = {s.name: s for s in SCENARIOS}


def fault_positions(script: Script, count: int, seed: int) -> list[float]:
    """`count` seconds inside sentences, spread over the script (none in the last
    sentence's second half, so the session is still speaking after the last fault)."""
    spans = script.spans()
    rng = random.Random(seed)
    positions = []
    for i in range(count):
        start, end = spans[min(int((i + 0.5) * len(spans) / count), len(spans) - 1)]
        positions.append(start + (end - start) * rng.uniform(0.2, 0.7))
    return sorted(positions)


@dataclass
class Outcome:
    """What one client run produced, and what the rig saw."""

    text: str
    exit_code: int = 0
    detail: str = ""
    faults_done: int = 0
    server_starts: int = 1
    notes: list[str] = field(default_factory=list)

    def tally(self, script: Script) -> Tally:
        return Tally.of(script, self.text)


@dataclass
class FaultRig:
    script: Script
    scenario: Scenario
    server: GrammarServer
    proxy: FaultProxy

    @property
    def base_url(self) -> str:
        """Where the client connects: the proxy."""
        return self.proxy.base_url

    @property
    def secret(self) -> str:
        return self.server.secret

    positions: list[float] = field(default_factory=list)

    @property
    def faults_done(self) -> int:
        return self.proxy.log.count("trigger")

    def play_started(self) -> None:
        """The script starts playing into the microphone now: time the faults from here."""
        if self.positions:
            self.proxy.arm([CAPTURE_LATENCY_S + p for p in self.positions])

    def outcome(self, text: str, exit_code: int = 0, detail: str = "") -> Outcome:
        return Outcome(text, exit_code, detail, self.faults_done, self.server.starts)


@contextmanager
def fault_rig(script: Script, scenario: Scenario, seed: int = 0,
              uplink_total: int | None = None) -> Iterator[FaultRig]:
    """`uplink_total`: the bytes a fault-free run sent, to place the faults by bytes (a
    file); None: by time, from `play_started()` (a microphone)."""
    server = GrammarServer(auto_commit_s=AUTO_COMMIT_S).start()
    positions = fault_positions(script, scenario.faults, seed)
    duration_s = len(script.audio()) / 2 / RATE_HZ
    triggers = [round(uplink_total * p / duration_s) for p in positions] \
        if uplink_total else []
    restarts: list[threading.Thread] = []

    def crash(_proxy: FaultProxy) -> None:
        # SIGKILL now (the proxy sees its upstream reset and cuts the client), the restart
        # (model loading: seconds) in a thread of its own, as a service manager would
        server.kill()
        thread = threading.Thread(target=server.start, daemon=True, name="server-restart")
        thread.start()
        restarts.append(thread)

    proxy = FaultProxy(("127.0.0.1", server.port), downlink_delay_s=scenario.delay_s,
                       triggers=triggers, action=crash if scenario.kill else None)
    try:
        with proxy:
            yield FaultRig(script, scenario, server, proxy,
                           positions=[] if uplink_total else positions)
    finally:
        for thread in restarts:
            thread.join(60)
        server.stop()
