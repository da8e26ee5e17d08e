"""Peak memory of each service during a level: the VmRSS of every process in the service's
process group (the stack starts each service in a session of its own), sampled in a thread.
Also the CPU time each group, this process (the load client) and the whole machine used, so a
report can say how much went to other work on the machine."""

from __future__ import annotations

import os
import threading
from pathlib import Path

PROC = Path("/proc")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The name in parentheses may hold spaces; the fields after it start with state, ppid, pgrp.
    return stat.rsplit(")", 1)[1].split()


def _process_group(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[2]) if fields else None


def _pids() -> list[int]:
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()]


def group_cpu_s(groups: dict[str, int]) -> dict[str, float]:
    """CPU seconds (user and system) used so far by the live processes of each group."""
    totals = dict.fromkeys(groups, 0.0)
    by_group = {group: name for name, group in groups.items()}
    for pid in _pids():
        fields = _stat_fields(pid)
        name = by_group.get(int(fields[2])) if fields else None
        if fields and name is not None:
            totals[name] += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return totals


def machine_busy_s() -> float:
    """CPU seconds all cores have spent on anything but idling since boot."""
    values = [int(v) for v in (PROC / "stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = values
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def own_cpu_s() -> float:
    times = os.times()
    return times.user + times.system


def _rss_kb(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0  # exited, or a kernel thread


def group_rss_mb(groups: dict[str, int]) -> dict[str, float]:
    """Current RSS in MB of each named process group (name -> process group id)."""
    totals = dict.fromkeys(groups, 0)
    by_group = {group: name for name, group in groups.items()}
    for pid in _pids():
        name = by_group.get(_process_group(pid) or -1)
        if name is not None:
            totals[name] += _rss_kb(pid)
    return {name: kb / 1024 for name, kb in totals.items()}


class PeakRss:
    """``with PeakRss(groups) as peak: ...`` then ``peak.peaks``: the highest RSS in MB of each
    group seen, sampled every ``interval`` seconds and once at the start and the end."""

    def __init__(self, groups: dict[str, int], interval: float = 0.5):
        self.groups = groups
        self.interval = interval
        self.peaks: dict[str, float] = dict.fromkeys(groups, 0.0)
        self.cpu_s: dict[str, float] = {}  # per group, then "load client", "other", "machine"
        self._cpu_start: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        for name, mb in group_rss_mb(self.groups).items():
            self.peaks[name] = max(self.peaks[name], mb)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def _cpu_now(self) -> dict[str, float]:
        return {
            **group_cpu_s(self.groups),
            "load client": own_cpu_s(),
            "machine": machine_busy_s(),
        }

    def __enter__(self) -> PeakRss:
        self._cpu_start = self._cpu_now()
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
        end = self._cpu_now()
        used = {name: max(0.0, end[name] - self._cpu_start[name]) for name in end}
        ours = sum(seconds for name, seconds in used.items() if name != "machine")
        # What the machine did besides the services and the client (other people's work).
        used["other"] = max(0.0, used["machine"] - ours)
        self.cpu_s = used
