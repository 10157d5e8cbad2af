"""How many sessions the server can transcribe in real time: the cores it may run on, divided
by the CPU one real-time session of its engine needs.

Without this limit every session is admitted and, past the cores, every session falls behind
together: 16 pocketsphinx sessions on 2 cores saw partials 4 s late (p95) and growing. With
it, the session that would overload the server is refused at once with `resource_exhausted`
(§6.10: "Server resources are at capacity. Please try again later") and the admitted ones
stay real time.

The cost of a session is measured (bench/server_latency.py, docs/benchmarks.md: CPU seconds
of the server and its engine workers per second of audio, one session streaming read speech
with the partials it normally gets), on a 2-core x86 server CPU:

* pocketsphinx (en-us): 0.27-0.30 cores;
* whisper tiny.en (int8): 0.35 cores. Other Whisper models are not installed here, so their
  cost is scaled from tiny.en's by the size of model.bin (proportional to the parameters,
  which set the cost of both the encoder and the decoder): an estimate, said as such in the
  log. A faster CPU needs less: `--session-cores` replaces the estimate.

Whisper's partials are elastic (they thin out under load, decode_gate.py), so its cost is
that of one session alone, the most a session asks for. `HEADROOM` keeps part of the cores for
the server's own loop, the operating system and the desktop app beside it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from .engines.base import EngineInfo

HEADROOM = 0.85  # the share of the cores sessions may use
POCKETSPHINX_SESSION_CORES = 0.30
WHISPER_TINY_SESSION_CORES = 0.35
WHISPER_TINY_MODEL_BYTES = 75_537_502  # model.bin of tiny.en (float16), the measured model
UNMEASURED_SESSIONS = 8  # the limit for an engine whose cost was never measured


def usable_cores() -> int:
    """The CPUs this process may run on (its affinity: taskset, cgroup cpusets), else all."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows have no sched_getaffinity
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class SessionCost:
    cores: float  # CPU cores one real-time session needs
    basis: str  # where the number comes from, for the log and the ready line


def session_cost(info: EngineInfo, model_dir: str | os.PathLike[str] | None = None
                 ) -> SessionCost:
    """The CPU one real-time session of the engine needs (module docstring)."""
    if info.name == "pocketsphinx":
        return SessionCost(POCKETSPHINX_SESSION_CORES, "measured")
    if info.name == "whisper":
        size = _model_bytes(model_dir)
        if size is None:
            return SessionCost(WHISPER_TINY_SESSION_CORES, "tiny.en's (model size unknown)")
        cores = WHISPER_TINY_SESSION_CORES * size / WHISPER_TINY_MODEL_BYTES
        measured = abs(size - WHISPER_TINY_MODEL_BYTES) < WHISPER_TINY_MODEL_BYTES // 20
        return SessionCost(round(cores, 3), "measured" if measured else
                           "estimated from the model size")
    return SessionCost(0.0, f"not measured: {UNMEASURED_SESSIONS} sessions")


def _model_bytes(model_dir: str | os.PathLike[str] | None) -> int | None:
    if model_dir is None:
        return None
    try:
        return (Path(model_dir) / "model.bin").stat().st_size
    except OSError:
        return None


@dataclass(frozen=True, slots=True)
class Capacity:
    """The session limit: what the cores serve in real time, capped by `--max-sessions`."""

    cores: int
    cost: SessionCost
    engine: str
    max_sessions: int | None = None  # the explicit cap, if one was given

    @classmethod
    def for_engine(cls, info: EngineInfo, *, model_dir: str | os.PathLike[str] | None = None,
                   session_cores: float | None = None, max_sessions: int | None = None,
                   cores: int | None = None) -> Capacity:
        cost = session_cost(info, model_dir) if session_cores is None \
            else SessionCost(session_cores, "given (--session-cores)")
        return cls(cores or usable_cores(), cost, info.name, max_sessions)

    @property
    def real_time(self) -> int:
        """Sessions the cores transcribe in real time; at least one (a server that admits no
        one is no use, and a lone session on a slow machine still gets its text, late)."""
        if self.cost.cores <= 0:
            return UNMEASURED_SESSIONS
        return max(1, math.floor(self.cores * HEADROOM / self.cost.cores + 1e-9))

    @property
    def sessions(self) -> int:
        """The limit in force."""
        if self.max_sessions is None:
            return self.real_time
        return min(self.real_time, self.max_sessions)

    def refusal(self) -> str:
        """The `resource_exhausted` text for the session beyond the limit."""
        if self.max_sessions is not None and self.max_sessions <= self.real_time:
            return (f"The local server is at capacity ({self.sessions} concurrent sessions, "
                    "its --max-sessions). Close a session or try again later.")
        if self.cost.cores <= 0:
            return (f"The local server is at capacity ({self.sessions} concurrent sessions). "
                    "Close a session or try again later.")
        cores = f"{self.cores} CPU core{'s' if self.cores != 1 else ''}"
        return (f"The local server is at capacity: {self.sessions} concurrent "
                f"session{'s' if self.sessions != 1 else ''} is what its {cores} can "
                f"transcribe in real time with {self.engine} (about {self.cost.cores:g} "
                "cores each), and more would make every session fall behind. Close a session "
                "or try again later.")

    def behind_refusal(self, behind: int, sessions: int) -> str:
        """The `resource_exhausted` text while admitted sessions fall behind real time
        (pace.py): the cores are busier than the capacity assumes (other programs)."""
        which = "its only session is" if sessions == 1 else \
            f"{behind} of its {sessions} sessions {'is' if behind == 1 else 'are'}"
        return (f"The local server is at capacity: {which} already falling behind real "
                "time (other programs are using its CPU), and another session would fall "
                "behind too. Close a session or try again later.")

    def ready_fields(self) -> dict[str, object]:
        """What the server's ready line says about its capacity."""
        return {"capacity": {"sessions": self.sessions, "cores": self.cores,
                             "session_cores": self.cost.cores, "basis": self.cost.basis,
                             "max_sessions": self.max_sessions}}
