"""Per-day figures in one query per family: a CASE expression numbers the day a row falls in
(boundaries from ``DateRange.bounds``), and the query groups by it."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import case
from sqlalchemy.sql.elements import ColumnElement


def as_stamp(moment: datetime) -> float:
    """A naive-UTC time as the tracker store's float timestamp."""
    return moment.replace(tzinfo=timezone.utc).timestamp()


def as_stamps(bounds: Sequence[datetime]) -> list[float]:
    return [as_stamp(b) for b in bounds]


def within(column: Any, bounds: Sequence[Any]) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return column >= bounds[0], column < bounds[-1]


def day_number(column: Any, bounds: Sequence[Any]) -> ColumnElement[int]:
    """0 for the first day, 1 for the next...; only meaningful for rows ``within`` the bounds."""
    inner = bounds[1:-1] or bounds[-1:]  # one day: still an expression (GROUP BY 0 is a position)
    return case(*[(column < b, i) for i, b in enumerate(inner)], else_=len(inner))


QUARTER = 900  # seconds: every zone's midnight falls on a quarter hour of UTC


def quarters_of(bounds: Sequence[datetime]) -> list[int]:
    """Boundaries as numbers of quarter hours since the epoch (``digest``'s rows); a boundary
    off a quarter hour has no such number."""
    stamps = as_stamps(bounds)
    if any(stamp % QUARTER for stamp in stamps):
        raise ValueError("the range must start and end on a quarter hour (say, a midnight)")
    return [int(stamp // QUARTER) for stamp in stamps]


def day_of(moment: Any, bounds: Sequence[Any]) -> int:
    """The day number of a value already read (the same numbering as ``day_number``)."""
    return bisect_right(bounds, moment) - 1
