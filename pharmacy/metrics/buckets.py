"""Per-day figures in one query per family: a CASE expression numbers the day a row falls in
(boundaries from ``DateRange.bounds``), and the query groups by it."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, case, cast, func
from sqlalchemy.sql.elements import ColumnElement


def as_stamps(bounds: Sequence[datetime]) -> list[float]:
    """Naive-UTC boundaries as the tracker store's float timestamps."""
    from datetime import timezone

    return [b.replace(tzinfo=timezone.utc).timestamp() for b in bounds]


def within(column: Any, bounds: Sequence[Any]) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return column >= bounds[0], column < bounds[-1]


def day_number(column: Any, bounds: Sequence[Any]) -> ColumnElement[int]:
    """0 for the first day, 1 for the next...; only meaningful for rows ``within`` the bounds."""
    inner = bounds[1:-1] or bounds[-1:]  # one day: still an expression (GROUP BY 0 is a position)
    return case(*[(column < b, i) for i, b in enumerate(inner)], else_=len(inner))


QUARTER = 900  # seconds: every zone's midnight falls on a quarter hour of UTC


def quarter_number(stamp: Any, stamps: Sequence[float], dialect: str) -> ColumnElement[int]:
    """The quarter hour since the range's start of a float timestamp: plain arithmetic, cheaper
    per row than ``day_number``'s CASE on the big tracker table; ``Days.of`` maps it to a day."""
    quarters = (stamp - stamps[0]) / QUARTER
    if dialect == "sqlite":  # its CAST truncates, and the value is never negative here
        return cast(quarters, Integer)
    return cast(func.floor(quarters), Integer)  # PostgreSQL's CAST rounds


class Days:
    """Maps ``quarter_number`` values to day numbers."""

    def __init__(self, stamps: Sequence[float]) -> None:
        self.starts = [round((s - stamps[0]) / QUARTER) for s in stamps]

    def of(self, quarter: int) -> int:
        return bisect_right(self.starts, quarter) - 1


def day_of(moment: Any, bounds: Sequence[Any]) -> int:
    """The day number of a value already read (the same numbering as ``day_number``)."""
    return bisect_right(bounds, moment) - 1
