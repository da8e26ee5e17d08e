"""Handoff figures: tickets per reason, the wait for a person (median and p90, answered tickets
only), and tickets nobody answered."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pharmacy.handoff.models import HandoffReason, HandoffTicket
from pharmacy.metrics.buckets import day_of, within

# conversation, reason, created, first reply
TicketRow = tuple[str, HandoffReason, datetime, datetime | None]


@dataclass(frozen=True)
class HandoffFigures:
    by_reason: dict[str, int]
    conversations: frozenset[str]  # every conversation with at least one ticket
    emergency_conversations: frozenset[str]
    wait_median_minutes: float | None
    wait_p90_minutes: float | None
    unanswered: int


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least ``fraction`` of them at or
    below it (so p90 of ten waits is the ninth)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def figures_of(rows: Sequence[TicketRow]) -> HandoffFigures:
    waits = [
        (reply - created).total_seconds() / 60 for _, _, created, reply in rows if reply is not None
    ]
    return HandoffFigures(
        by_reason=dict(Counter(reason.value for _, reason, _, _ in rows)),
        conversations=frozenset(c for c, _, _, _ in rows),
        emergency_conversations=frozenset(
            c for c, reason, _, _ in rows if reason is HandoffReason.EMERGENCY
        ),
        wait_median_minutes=statistics.median(waits) if waits else None,
        wait_p90_minutes=percentile(waits, 0.9),
        unanswered=sum(1 for *_, reply in rows if reply is None),
    )


def ticket_rows_by_day(session: Session, bounds: Sequence[datetime]) -> list[list[TicketRow]]:
    """The tickets of each day (one query: the waits need every ticket anyway)."""
    days: list[list[TicketRow]] = [[] for _ in bounds[:-1]]
    for row in session.execute(
        select(
            HandoffTicket.conversation_id,
            HandoffTicket.reason,
            HandoffTicket.created_at,
            HandoffTicket.first_reply_at,
        ).where(*within(HandoffTicket.created_at, bounds))
    ):
        days[day_of(row.created_at, bounds)].append(tuple(row))
    return days


def handoff_figures(session: Session, since: datetime, until: datetime) -> HandoffFigures:
    return figures_of(ticket_rows_by_day(session, [since, until])[0])
