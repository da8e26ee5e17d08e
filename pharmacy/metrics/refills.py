"""Refill conversion: refills submitted over prompts (in-chat offers and reminders sent)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pharmacy.metrics.buckets import day_number, within
from pharmacy.refills.models import RefillEvent, RefillEventKind


@dataclass(frozen=True)
class RefillFigures:
    offers: int
    reminders: int
    submitted: int

    @property
    def prompts(self) -> int:
        return self.offers + self.reminders

    def __add__(self, other: RefillFigures) -> RefillFigures:
        return RefillFigures(
            self.offers + other.offers,
            self.reminders + other.reminders,
            self.submitted + other.submitted,
        )


def refill_figures_by_day(session: Session, bounds: Sequence[datetime]) -> list[RefillFigures]:
    kinds: list[Counter] = [Counter() for _ in bounds[:-1]]
    day = day_number(RefillEvent.created_at, bounds).label("day")
    for n, kind, count in session.execute(
        select(day, RefillEvent.kind, func.count())
        .where(*within(RefillEvent.created_at, bounds))
        .group_by(day, RefillEvent.kind)
    ):
        kinds[n][kind] = count
    return [
        RefillFigures(
            k[RefillEventKind.OFFERED],
            k[RefillEventKind.REMINDER_SENT],
            k[RefillEventKind.SUBMITTED],
        )
        for k in kinds
    ]


def refill_figures(session: Session, since: datetime, until: datetime) -> RefillFigures:
    return refill_figures_by_day(session, [since, until])[0]
