"""The one clock: the moment now, and today's date in the pharmacy's time zone.

Core functions take ``now``/``today`` as parameters; adapters (actions, scripts) read them from
``current()``. Tests swap the clock with ``use(Clock.fixed(...))``.

``now()`` is naive UTC because every DateTime column holds naive UTC; ``today()`` is the date on
the pharmacy's wall calendar (PHARMACY_TIME_ZONE), which differs from the UTC date for hours each
night: a refill due "today" in New York is not due at 9 pm just because London is past midnight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pharmacy.settings import load_settings


def _system_instant() -> datetime:
    return datetime.now(timezone.utc)


def pharmacy_zone() -> ZoneInfo:
    name = load_settings().pharmacy_time_zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"PHARMACY_TIME_ZONE must be an IANA zone name, got {name!r}") from error


@dataclass(frozen=True)
class Clock:
    zone: ZoneInfo
    source: Callable[[], datetime] = _system_instant  # timezone-aware

    @classmethod
    def system(cls) -> Clock:
        return cls(pharmacy_zone())

    @classmethod
    def fixed(cls, instant: datetime, zone: ZoneInfo | str | None = None) -> Clock:
        """A clock stopped at ``instant`` (naive means UTC)."""
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=timezone.utc)
        if isinstance(zone, str):
            zone = ZoneInfo(zone)
        return cls(zone or pharmacy_zone(), lambda: instant)

    def instant(self) -> datetime:
        """Now, timezone-aware UTC (for opening hours and tokens)."""
        return self.source().astimezone(timezone.utc)

    def now(self) -> datetime:
        """Now as the database stores it: naive UTC."""
        return self.instant().replace(tzinfo=None)

    def today(self) -> date:
        """Today's date in the pharmacy's time zone."""
        return self.instant().astimezone(self.zone).date()


_override: Clock | None = None


def current() -> Clock:
    """The clock adapters use: the test's if one is set, else the system clock (the zone is read
    from the settings each time, as tests change the environment)."""
    return _override or Clock.system()


@contextmanager
def use(clock: Clock) -> Iterator[Clock]:
    """Make ``clock`` the current one for the block (tests)."""
    global _override
    previous, _override = _override, clock
    try:
        yield clock
    finally:
        _override = previous
