"""The terminal report of ``python -m pharmacy.metrics``."""

from __future__ import annotations

from pharmacy.handoff.models import HandoffReason
from pharmacy.metrics.service import ServiceMetrics


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _minutes(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} min"


def report(metrics: ServiceMetrics) -> str:
    conversations = metrics.conversations if metrics.conversations is not None else "n/a"
    csat = "n/a" if metrics.csat is None else f"{metrics.csat:.2f} of 5 ({metrics.ratings} ratings)"
    lines = [
        f"Service metrics from {metrics.since:%Y-%m-%d %H:%M} to {metrics.until:%Y-%m-%d %H:%M} UTC",
        f"  conversations         {conversations}",
        f"  emergencies           {metrics.emergencies}",
        f"  containment           {_percent(metrics.containment)}",
        f"  resolved containment  {_percent(metrics.resolved_containment)}",
        f"  fallback rate         {_percent(metrics.fallback_rate)}"
        f" ({metrics.fallback_turns} of {metrics.user_turns} user turns)",
        f"  handoff wait (median) {_minutes(metrics.handoff_wait_minutes)}",
        f"  handoff wait (p90)    {_minutes(metrics.handoff_wait_p90_minutes)}",
        f"  handoffs unanswered   {metrics.handoffs_unanswered}",
        f"  refill conversion     {_percent(metrics.refill_conversion)}"
        f" ({metrics.refills_submitted} submitted / {metrics.refill_prompts} prompts)",
        f"  CSAT                  {csat}",
        "  CSAT distribution     "
        + "  ".join(f"{r}: {n}" for r, n in metrics.csat_figures.distribution.items()),
        "  conversations per skill "
        + "  ".join(f"{skill}: {n}" for skill, n in metrics.skills.items()),
        "  handoffs by reason:",
    ]
    for reason in HandoffReason:
        count = metrics.handoffs_by_reason.get(reason.value, 0)
        lines.append(
            f"    {reason.value:<18} {count:>5}  rate {_percent(metrics.handoff_rate(reason.value))}"
        )
    return "\n".join(lines)
