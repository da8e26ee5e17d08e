"""Date ranges: the window a figure covers, and its split into days. A day runs from midnight
to midnight on the pharmacy's wall clock when a zone is given (UTC otherwise); the boundaries are
returned as naive UTC, the way every time is stored."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


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

    def bounds(self, zone: ZoneInfo | None = None) -> list[datetime]:
        """The local midnights that start each day, and the one that ends the range (a day of a
        daylight-saving change is 23 or 25 hours long)."""
        out = []
        day = self.first
        while day <= self.last + timedelta(days=1):
            midnight = datetime.combine(day, time(), tzinfo=zone or timezone.utc)
            out.append(midnight.astimezone(timezone.utc).replace(tzinfo=None))
            day += timedelta(days=1)
        return out

    def days(self) -> Iterator[DateRange]:
        day = self.first
        while day <= self.last:
            yield DateRange(day, day)
            day += timedelta(days=1)

    @classmethod
    def last_days(cls, today: date, days: int) -> DateRange:
        return cls(today - timedelta(days=days - 1), today)
