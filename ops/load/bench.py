"""The load part of `make bench`: the same closed-loop load, level by level, against our stack
and then against Rasa's starter, one after the other (never both at once: the figures would
share the cores); then the comparison, the ratios and the JSON file."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from ops.load.driver import Target, TurnResult, run_conversation, run_level
from ops.load.rss import PeakRss
from ops.load.scripts import Script, our_scripts, starter_scripts
from ops.load.starter import Starter
from ops.load.stats import (
    comparison_table,
    cpu_ms_per_message,
    json_safe,
    level_table,
    ratios,
    summarize,
)
from ops.stack import Stack
from pharmacy.settings import PROJECT_ROOT


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="load duration per level (default 60)"
    )
    parser.add_argument(
        "--levels", default="1,8,32", help="concurrent conversations, comma-separated"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="per turn, in seconds")
    parser.add_argument("--json", type=Path, help="results file (default results/bench/...)")
    parser.add_argument("--no-starter", action="store_true", help="skip Rasa's starter")


class LoadBench:
    def __init__(self, args: argparse.Namespace):
        self.seconds: float = args.seconds
        self.levels = [int(level) for level in str(args.levels).split(",") if level.strip()]
        self.timeout: float = args.timeout
        self.with_starter = not args.no_starter
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.json_path: Path = (
            args.json or PROJECT_ROOT / "results" / "bench" / f"bench-{stamp}.json"
        )
        self.record: dict[str, Any] = {
            "started_at": datetime.now().isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "settings": {"seconds": self.seconds, "levels": self.levels, "timeout_s": self.timeout},
            "assistants": {},
        }
        self.our_scripts: list[Script] = []
        self.failed = False

    def measure_ours(self, stack: Stack, customer: str, order_in_transit: str) -> None:
        self.our_scripts = our_scripts(customer, order_in_transit)
        target = Target("ours", stack.config.rasa_url, stack.chat_key, stack.login_token)
        groups = {s.name: s.process.pid for s in stack.services if s.process is not None}
        self.record["assistants"]["ours"] = {
            "scripts": _describe(self.our_scripts),
            "levels": self._levels(target, self.our_scripts, groups),
        }

    def measure_starter(self, work: Path) -> None:
        if not self.with_starter:
            return
        starter = Starter(work)
        print("Rasa's starter: rasa init --no-prompt (trains it, 1-3 minutes)...", flush=True)
        try:
            created = starter.create()
        except subprocess.CalledProcessError as failure:
            self._starter_failed(f"rasa init failed ({failure.returncode})", work)
            return
        try:
            ready = starter.start()
            print(f"starter trained in {created:.0f} s, ready in {ready:.1f} s", flush=True)
            assert starter.process is not None
            scripts = starter_scripts(self.our_scripts)
            target = Target("starter", starter.url)
            self.record["assistants"]["starter"] = {
                "trained_s": created,
                "ready_s": ready,
                "scripts": _describe(scripts),
                "levels": self._levels(target, scripts, {"rasa": starter.process.pid}),
            }
        except (RuntimeError, TimeoutError) as failure:
            self._starter_failed(str(failure), work)
        finally:
            starter.stop()

    def _starter_failed(self, reason: str, work: Path) -> None:
        """Our figures still get printed and written; the run exits non-zero. The logs' ends
        are printed: their folder goes with the run's temporary folder."""
        print(f"the starter could not be measured: {reason}", flush=True)
        for log in sorted(work.glob("starter-*.log")):
            tail = log.read_text(errors="replace").splitlines()[-15:]
            print(f"--- end of {log.name}:", *tail, sep="\n  ", flush=True)
        self.record["starter_error"] = reason
        self.failed = True

    def _levels(
        self, target: Target, scripts: list[Script], groups: dict[str, int]
    ) -> list[dict[str, Any]]:
        _warm_up(target, scripts, self.timeout)
        results = []
        for concurrency in self.levels:
            load_before = os.getloadavg()
            started_at = datetime.now().isoformat(timespec="seconds")
            print(
                f"{target.name}: {concurrency} concurrent for {self.seconds:.0f} s "
                f"(load average before {load_before[0]:.2f})...",
                flush=True,
            )
            with PeakRss(groups) as rss:
                run = run_level(target, scripts, concurrency, self.seconds, self.timeout)
            level = summarize(run, rss.peaks)
            level["started_at"] = started_at
            level["cpu_s"] = rss.cpu_s
            level["cpu_ms_per_answered_turn"] = cpu_ms_per_message(rss.cpu_s, level["answered"])
            level["load_average_before"] = load_before
            level["load_average_after"] = os.getloadavg()
            print(level_table(target.name, level), flush=True)
            results.append(level)
        return results

    def finish(self, extra: dict[str, Any] | None = None) -> Path:
        """Print the comparison and write the JSON file; its path."""
        assistants = self.record["assistants"]
        ours = assistants.get("ours", {}).get("levels", [])
        starter = assistants.get("starter", {}).get("levels", [])
        if ours:
            print("\nours vs Rasa's starter, same load shape, one after the other:")
            print(comparison_table(ours, starter))
        self.record["ratios"] = ratios(ours, starter)
        self.record.update(extra or {})
        self.record["finished_at"] = datetime.now().isoformat(timespec="seconds")
        self.json_path.parent.mkdir(parents=True, exist_ok=True)
        self.json_path.write_text(json.dumps(json_safe(self.record), indent=2) + "\n")
        print(f"results: {self.json_path}", flush=True)
        return self.json_path


def _describe(scripts: list[Script]) -> list[dict[str, Any]]:
    return [
        {"skill": s.skill, "turns": len(s.turns), "weight": s.weight, "login": bool(s.login)}
        for s in scripts
    ]


def _warm_up(target: Target, scripts: list[Script], timeout: float) -> None:
    """Each script once, unmeasured (first-call costs), saying which ones fail."""
    with requests.Session() as http:
        for script in scripts:
            turns: list[TurnResult] = []
            run_conversation(target, script, http, time.monotonic() + 600, timeout, turns.append)
            failed = [t for t in turns if t.error]
            if failed:
                print(
                    f"  warning: {target.name} {script.skill} script "
                    f"{[t.text or t.button for t in script.turns]}: turn {len(turns)} {failed[0].error}",
                    flush=True,
                )
