"""CSAT: the end-of-chat ratings (1-5), as a distribution and its mean."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pharmacy.handoff.models import SatisfactionRating

SCALE = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class CsatFigures:
    distribution: dict[int, int]  # every rating of the scale, zero when none

    @property
    def ratings(self) -> int:
        return sum(self.distribution.values())

    @property
    def mean(self) -> float | None:
        if not self.ratings:
            return None
        return sum(r * n for r, n in self.distribution.items()) / self.ratings


def csat_figures(session: Session, since: datetime, until: datetime) -> CsatFigures:
    counts = dict(
        session.execute(
            select(SatisfactionRating.rating, func.count())
            .where(SatisfactionRating.created_at >= since, SatisfactionRating.created_at < until)
            .group_by(SatisfactionRating.rating)
        ).all()
    )
    return CsatFigures({rating: counts.get(rating, 0) for rating in SCALE})
