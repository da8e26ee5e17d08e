"""CSAT: the end-of-chat ratings (1-5), as a distribution and its mean."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pharmacy.handoff.models import SatisfactionRating
from pharmacy.metrics.buckets import day_number, within

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

    def __add__(self, other: CsatFigures) -> CsatFigures:
        return CsatFigures({r: self.distribution[r] + other.distribution[r] for r in SCALE})


def csat_figures_by_day(session: Session, bounds: Sequence[datetime]) -> list[CsatFigures]:
    days = [dict.fromkeys(SCALE, 0) for _ in bounds[:-1]]
    day = day_number(SatisfactionRating.created_at, bounds).label("day")
    for n, rating, count in session.execute(
        select(day, SatisfactionRating.rating, func.count())
        .where(*within(SatisfactionRating.created_at, bounds))
        .group_by(day, SatisfactionRating.rating)
    ):
        if rating in days[n]:
            days[n][rating] = count
    return [CsatFigures(d) for d in days]


def csat_figures(session: Session, since: datetime, until: datetime) -> CsatFigures:
    return csat_figures_by_day(session, [since, until])[0]
