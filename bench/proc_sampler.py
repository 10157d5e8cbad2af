"""CPU time and wake-ups of processes and their threads, from /proc (Linux).

A thread's wake-ups are counted as its context switches (voluntary: it slept and was woken;
involuntary: it was preempted while running): every return from a sleep is one switch, so the
voluntary count over a window is the number of times the thread was woken. CPU time is utime +
stime of each thread (clock ticks).

    before = snapshot(pids)
    ...                                  # the measurement window
    usage = Usage.between(before, snapshot(pids))
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

TICK_S = 1 / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ThreadStat:
    pid: int
    tid: int
    name: str
    cpu_s: float
    voluntary: int
    involuntary: int


@dataclass(frozen=True)
class Snapshot:
    at: float
    threads: dict[tuple[int, int], ThreadStat]


def _thread(pid: int, tid: int) -> ThreadStat | None:
    base = Path(f"/proc/{pid}/task/{tid}")
    try:
        stat = (base / "stat").read_text()
        status = (base / "status").read_text()
        name = (base / "comm").read_text().strip()
    except OSError:
        return None
    try:
        cpu = int((base / "schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        fields = stat.rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) * TICK_S  # utime, stime
    switches = {k: int(v) for k, v in (line.split(":\t", 1) for line in status.splitlines()
                                       if line.endswith(tuple("0123456789"))
                                       and "ctxt_switches" in line)}
    return ThreadStat(pid, tid, name, cpu, switches.get("voluntary_ctxt_switches", 0),
                      switches.get("nonvoluntary_ctxt_switches", 0))


def snapshot(pids: list[int]) -> Snapshot:
    threads: dict[tuple[int, int], ThreadStat] = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            for entry in Path(f"/proc/{pid}/task").iterdir():
                stat = _thread(pid, int(entry.name))
                if stat is not None:
                    threads[(pid, stat.tid)] = stat
    return Snapshot(time.perf_counter(), threads)


@dataclass
class Usage:
    """What the processes did between two snapshots."""

    wall_s: float
    cpu_s: float = 0.0
    wakeups: int = 0  # voluntary context switches
    preempted: int = 0  # involuntary ones
    by_thread: dict[str, list[float]] = field(default_factory=dict)  # label -> [cpu, wakeups]

    @property
    def cpu_percent(self) -> float:
        return 100 * self.cpu_s / self.wall_s

    @property
    def wakeups_per_s(self) -> float:
        return self.wakeups / self.wall_s

    @classmethod
    def between(cls, before: Snapshot, after: Snapshot,
                label: dict[int, str] | None = None) -> Usage:
        """Threads that began inside the window count from zero; threads that ended in it are
        lost (their time is then missing, not invented). `label` names threads by tid."""
        usage = cls(after.at - before.at)
        grouped: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for key, end in after.threads.items():
            start = before.threads.get(key)
            cpu = end.cpu_s - (start.cpu_s if start else 0.0)
            vol = end.voluntary - (start.voluntary if start else 0)
            inv = end.involuntary - (start.involuntary if start else 0)
            usage.cpu_s += cpu
            usage.wakeups += vol
            usage.preempted += inv
            name = (label or {}).get(end.tid) or ("main" if end.tid == end.pid else end.name)
            grouped[name][0] += cpu
            grouped[name][1] += vol
        usage.by_thread = {k: [v[0] / usage.wall_s * 100, v[1] / usage.wall_s]
                           for k, v in sorted(grouped.items(), key=lambda kv: -kv[1][1])}
        return usage


def children(pid: int) -> list[int]:
    """`pid`'s descendants now (not `pid` itself)."""
    parents: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            parents[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry.name))
    found, todo = [], list(parents.get(pid, ()))
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, ()))
    return found


def tree_rss_mib(pid: int) -> float:
    """Resident memory of `pid` and its descendants (a server's engine workers), MiB."""
    total_kib = 0
    for each in (pid, *children(pid)):
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
    return round(total_kib / 1024, 1)
