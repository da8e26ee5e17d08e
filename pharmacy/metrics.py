"""Service metrics of the pharmacy rules (section 7), computed from the database.

Conversations and turns come from Rasa's SQL tracker store (table ``events``, the same database),
handoffs and ratings from the handoff tables, refill prompts and submissions from
``refill_events``. ``python -m pharmacy.metrics --days 30`` prints them.

Not computed: "resolved containment" needs a goal marker per conversation that the tracker store
does not hold yet.
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, inspect, select
from sqlalchemy.orm import Session

from pharmacy.database import get_engine, session_scope
from pharmacy.handoff.models import HandoffReason, HandoffTicket, SatisfactionRating
from pharmacy.refills.models import RefillEvent, RefillEventKind

FALLBACK_ACTION = "action_default_fallback"
# The columns of Rasa's SQLTrackerStore table that are read here (Rasa owns and creates it).
TRACKER_EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("action_name", String(255)),
)


@dataclass
class ServiceMetrics:
    since: datetime
    until: datetime
    conversations: int | None = None  # None: no tracker store table in this database
    user_turns: int = 0
    fallback_turns: int = 0
    handoffs_by_reason: dict[str, int] = field(default_factory=dict)
    contained: int | None = None
    handoff_wait_minutes: float | None = None  # median, handoff to first human reply
    refill_prompts: int = 0
    refills_submitted: int = 0
    ratings: int = 0
    csat: float | None = None

    @property
    def containment(self) -> float | None:
        emergencies = self.handoffs_by_reason.get(HandoffReason.EMERGENCY.value, 0)
        if self.conversations is None or self.contained is None:
            return None
        base = self.conversations - emergencies
        return self.contained / base if base > 0 else None

    @property
    def fallback_rate(self) -> float | None:
        return self.fallback_turns / self.user_turns if self.user_turns else None

    @property
    def refill_conversion(self) -> float | None:
        return self.refills_submitted / self.refill_prompts if self.refill_prompts else None

    def handoff_rate(self, reason: str) -> float | None:
        if not self.conversations:
            return None
        return self.handoffs_by_reason.get(reason, 0) / self.conversations


def compute(session: Session, since: datetime, until: datetime) -> ServiceMetrics:
    """Metrics over [since, until) (naive UTC, like every stored time)."""
    metrics = ServiceMetrics(since, until)
    tickets = session.scalars(
        select(HandoffTicket).where(
            HandoffTicket.created_at >= since, HandoffTicket.created_at < until
        )
    ).all()
    metrics.handoffs_by_reason = dict(Counter(t.reason.value for t in tickets))
    waits = [
        (t.first_reply_at - t.created_at).total_seconds() / 60
        for t in tickets
        if t.first_reply_at is not None
    ]
    metrics.handoff_wait_minutes = statistics.median(waits) if waits else None

    kinds = Counter(
        session.scalars(
            select(RefillEvent.kind).where(
                RefillEvent.created_at >= since, RefillEvent.created_at < until
            )
        ).all()
    )
    metrics.refill_prompts = kinds[RefillEventKind.OFFERED] + kinds[RefillEventKind.REMINDER_SENT]
    metrics.refills_submitted = kinds[RefillEventKind.SUBMITTED]

    ratings = session.scalars(
        select(SatisfactionRating.rating).where(
            SatisfactionRating.created_at >= since, SatisfactionRating.created_at < until
        )
    ).all()
    metrics.ratings = len(ratings)
    metrics.csat = statistics.mean(ratings) if ratings else None

    if inspect(session.get_bind()).has_table(TRACKER_EVENTS.name):
        _add_conversation_figures(session, metrics, {t.conversation_id for t in tickets})
    return metrics


def _add_conversation_figures(session: Session, metrics: ServiceMetrics, handed_off: set) -> None:
    start, end = metrics.since.timestamp(), metrics.until.timestamp()
    rows = session.execute(
        select(
            TRACKER_EVENTS.c.sender_id,
            TRACKER_EVENTS.c.type_name,
            TRACKER_EVENTS.c.action_name,
        ).where(
            TRACKER_EVENTS.c.timestamp >= start,
            TRACKER_EVENTS.c.timestamp < end,
            TRACKER_EVENTS.c.type_name.in_(("user", "action")),
        )
    ).all()
    talked = {sender for sender, kind, _ in rows if kind == "user"}
    metrics.conversations = len(talked)
    metrics.user_turns = sum(1 for _, kind, _ in rows if kind == "user")
    metrics.fallback_turns = sum(
        1 for _, kind, action in rows if kind == "action" and action == FALLBACK_ACTION
    )
    metrics.contained = len(talked - handed_off)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def report(metrics: ServiceMetrics) -> str:
    lines = [
        f"Service metrics from {metrics.since:%Y-%m-%d %H:%M} to {metrics.until:%Y-%m-%d %H:%M} UTC",
        f"  conversations         {metrics.conversations if metrics.conversations is not None else 'n/a'}",
        f"  containment           {_percent(metrics.containment)}",
        f"  fallback rate         {_percent(metrics.fallback_rate)}"
        f" ({metrics.fallback_turns} of {metrics.user_turns} user turns)",
        "  handoff wait (median) "
        + (
            "n/a"
            if metrics.handoff_wait_minutes is None
            else f"{metrics.handoff_wait_minutes:.1f} min"
        ),
        f"  refill conversion     {_percent(metrics.refill_conversion)}"
        f" ({metrics.refills_submitted} submitted / {metrics.refill_prompts} prompts)",
        "  CSAT                  "
        + (
            "n/a"
            if metrics.csat is None
            else f"{metrics.csat:.2f} of 5 ({metrics.ratings} ratings)"
        ),
        "  handoffs by reason:",
    ]
    for reason in HandoffReason:
        count = metrics.handoffs_by_reason.get(reason.value, 0)
        lines.append(
            f"    {reason.value:<18} {count:>5}  rate {_percent(metrics.handoff_rate(reason.value))}"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Print the service metrics (pharmacy rules, section 7)."
    )
    parser.add_argument("--days", type=int, default=30, help="the last N days (default 30)")
    args = parser.parse_args(argv)
    until = datetime.utcnow()
    get_engine()  # fails early, with the database URL's problem, if the database is unreachable
    with session_scope() as session:
        print(report(compute(session, until - timedelta(days=args.days), until)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
