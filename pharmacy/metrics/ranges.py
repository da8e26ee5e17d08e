"""Date ranges: the window a figure covers, and its split into days (UTC, as stored)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True)
class DateRange:
    """Whole days from ``first`` to ``last``, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("the range ends before it starts")

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time())

    @property
    def until(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time())

    def days(self) -> Iterator[DateRange]:
        day = self.first
        while day <= self.last:
            yield DateRange(day, day)
            day += timedelta(days=1)

    @classmethod
    def last_days(cls, today: date, days: int) -> DateRange:
        return cls(today - timedelta(days=days - 1), today)
