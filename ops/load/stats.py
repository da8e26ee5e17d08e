"""Figures from the turns of a level (msg/s, percentiles overall and per skill, errors, peak
RSS), the printed tables and ratios, and the JSON record."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from ops.load.driver import LevelRun


def percentile(samples: list[float], share: float) -> float:
    """Nearest rank: the smallest sample with at least ``share`` of the samples at or below it."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def latency(samples: list[float]) -> dict[str, Any]:
    return {
        "n": len(samples),
        "p50_ms": percentile(samples, 0.50),
        "p95_ms": percentile(samples, 0.95),
        "p99_ms": percentile(samples, 0.99),
    }


def summarize(run: LevelRun, peak_rss_mb: dict[str, float]) -> dict[str, Any]:
    """A level's figures; latency is over the answered turns, errors are counted apart."""
    answered = [t for t in run.turns if t.error is None]
    errors = Counter(t.error for t in run.turns if t.error is not None)
    errors_by_skill = Counter(t.skill for t in run.turns if t.error is not None)
    per_skill = {
        skill: {
            **latency([t.ms for t in answered if t.skill == skill]),
            "errors": errors_by_skill.get(skill, 0),
        }
        for skill in sorted({t.skill for t in run.turns})
    }
    return {
        "concurrency": run.concurrency,
        "elapsed_s": run.elapsed_s,
        "conversations": run.conversations,
        "turns": len(run.turns),
        "answered": len(answered),
        "msg_per_s": len(answered) / run.elapsed_s if run.elapsed_s > 0 else math.nan,
        **latency([t.ms for t in answered]),
        "per_skill": per_skill,
        "errors": sum(errors.values()),
        "errors_by_kind": dict(errors),
        "peak_rss_mb": dict(peak_rss_mb),
    }


def cpu_ms_per_message(cpu_s: dict[str, float], answered: int) -> dict[str, float]:
    """CPU milliseconds per answered turn of each service (the client and the rest left out)."""
    if not answered:
        return {}
    return {
        name: seconds * 1000 / answered
        for name, seconds in cpu_s.items()
        if name not in ("load client", "other", "machine")
    }


def ratios(ours: list[dict[str, Any]], starter: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ours over the starter's, per concurrency level both ran."""
    theirs = {level["concurrency"]: level for level in starter}
    out = []
    for level in ours:
        other = theirs.get(level["concurrency"])
        if other is None:
            continue
        out.append(
            {
                "concurrency": level["concurrency"],
                "throughput": _ratio(level["msg_per_s"], other["msg_per_s"]),
                "p50": _ratio(level["p50_ms"], other["p50_ms"]),
                "p95": _ratio(level["p95_ms"], other["p95_ms"]),
            }
        )
    return out


def _ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(a) and not math.isnan(b) else math.nan


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.0f}"


def level_table(name: str, level: dict[str, Any]) -> str:
    """A level of one assistant: the overall line, one line per skill, the peak RSS."""
    head = (
        f"{name}, {level['concurrency']} concurrent: {level['msg_per_s']:.1f} msg/s, "
        f"{level['answered']} turns answered in {level['elapsed_s']:.0f} s, "
        f"{level['conversations']} conversations, errors {level['errors']}"
    )
    if level["errors_by_kind"]:
        head += " (" + ", ".join(f"{k} {v}" for k, v in level["errors_by_kind"].items()) + ")"
    lines = [head, f"  {'skill':<14}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"]
    rows = [("all", level)] + list(level["per_skill"].items())
    for skill, row in rows:
        errors = level["errors"] if skill == "all" else row["errors"]
        lines.append(
            f"  {skill:<14}{row['n']:>6}{_ms(row['p50_ms']):>9}{_ms(row['p95_ms']):>9}"
            f"{_ms(row['p99_ms']):>9}{errors:>8}"
        )
    rss = ", ".join(f"{k} {v:,.0f}" for k, v in level["peak_rss_mb"].items())
    lines.append(f"  peak RSS MB: {rss}")
    cpu = level.get("cpu_s")
    if cpu:
        spent = ", ".join(f"{k} {v:,.0f}" for k, v in cpu.items() if k != "machine")
        lines.append(
            f"  CPU s: {spent} (machine {cpu['machine']:,.0f} in {level['elapsed_s']:.0f} s)"
        )
        per_message = cpu_ms_per_message(cpu, level["answered"])
        if per_message:
            costs = ", ".join(f"{k} {v:,.0f}" for k, v in per_message.items() if v >= 0.5)
            lines.append(f"  CPU ms per answered turn: {costs}")
    return "\n".join(lines)


def comparison_table(ours: list[dict[str, Any]], starter: list[dict[str, Any]]) -> str:
    """One line per level: both assistants side by side and the ratios ours/starter."""
    theirs = {level["concurrency"]: level for level in starter}
    lines = [
        f"{'conc':>4} | {'ours msg/s':>10} {'p50':>6} {'p95':>6} {'p99':>6} {'err':>4} | "
        f"{'starter msg/s':>13} {'p50':>6} {'p95':>6} {'p99':>6} {'err':>4} | "
        f"{'msg/s ratio':>11} {'p95 ratio':>9}"
    ]
    for level in ours:
        other = theirs.get(level["concurrency"])
        row = (
            f"{level['concurrency']:>4} | {level['msg_per_s']:>10.1f} {_ms(level['p50_ms']):>6} "
            f"{_ms(level['p95_ms']):>6} {_ms(level['p99_ms']):>6} {level['errors']:>4} | "
        )
        if other is None:
            row += f"{'-':>13} {'':>6} {'':>6} {'':>6} {'':>4} | {'-':>11} {'-':>9}"
        else:
            throughput = _ratio(level["msg_per_s"], other["msg_per_s"])
            p95 = _ratio(level["p95_ms"], other["p95_ms"])
            row += (
                f"{other['msg_per_s']:>13.1f} {_ms(other['p50_ms']):>6} {_ms(other['p95_ms']):>6} "
                f"{_ms(other['p99_ms']):>6} {other['errors']:>4} | {throughput:>10.2f}x {p95:>8.2f}x"
            )
        lines.append(row)
    lines.append(
        "(latency in ms; ratios are ours / starter: msg/s above 1 and p95 below 1 favour ours)"
    )
    return "\n".join(lines)


def json_safe(value: Any) -> Any:
    """NaN (a level with no answered turn) becomes null: strict JSON has no NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value
