"""Refill conversion: refills submitted over prompts (in-chat offers and reminders sent)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pharmacy.refills.models import RefillEvent, RefillEventKind


@dataclass(frozen=True)
class RefillFigures:
    offers: int
    reminders: int
    submitted: int

    @property
    def prompts(self) -> int:
        return self.offers + self.reminders


def refill_figures(session: Session, since: datetime, until: datetime) -> RefillFigures:
    kinds = Counter(
        dict(
            session.execute(
                select(RefillEvent.kind, func.count())
                .where(RefillEvent.created_at >= since, RefillEvent.created_at < until)
                .group_by(RefillEvent.kind)
            ).all()
        )
    )
    return RefillFigures(
        kinds[RefillEventKind.OFFERED],
        kinds[RefillEventKind.REMINDER_SENT],
        kinds[RefillEventKind.SUBMITTED],
    )
