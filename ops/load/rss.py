"""Peak memory of each service during a level: the VmRSS of every process in the service's
process group (the stack starts each service in a session of its own), sampled in a thread."""

from __future__ import annotations

import os
import threading
from pathlib import Path

PROC = Path("/proc")


def _process_group(pid: int) -> int | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The name in parentheses may hold spaces; the fields after it are: state, ppid, pgrp.
    return int(stat.rsplit(")", 1)[1].split()[2])


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
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
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
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        for name, mb in group_rss_mb(self.groups).items():
            self.peaks[name] = max(self.peaks[name], mb)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> PeakRss:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def own_group() -> int:
    return os.getpgid(0)
