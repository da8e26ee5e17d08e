"""The one clock: naive UTC for the database, today on the pharmacy's calendar."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from pharmacy import clock
from pharmacy.clock import Clock

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    "utc,pharmacy_day",
    [
        (datetime(2026, 12, 2, 4, 59), date(2026, 12, 1)),  # 23:59 in New York (EST, UTC-5)
        (datetime(2026, 12, 2, 5, 0), date(2026, 12, 2)),  # midnight in New York
        (datetime(2026, 7, 2, 3, 59), date(2026, 7, 1)),  # EDT, UTC-4
        (datetime(2026, 7, 2, 4, 0), date(2026, 7, 2)),
    ],
)
def test_today_is_the_pharmacys_date_across_the_utc_midnight(utc, pharmacy_day):
    fixed = Clock.fixed(utc, NEW_YORK)
    assert fixed.today() == pharmacy_day
    assert fixed.now() == utc and fixed.now().tzinfo is None  # as the DateTime columns hold it
    assert fixed.instant() == utc.replace(tzinfo=timezone.utc)


def test_the_zone_comes_from_the_settings(monkeypatch):
    monkeypatch.setenv("PHARMACY_TIME_ZONE", "Asia/Shanghai")
    assert Clock.fixed(datetime(2026, 12, 1, 16, 0)).today() == date(2026, 12, 2)
    monkeypatch.delenv("PHARMACY_TIME_ZONE")
    assert clock.pharmacy_zone() == NEW_YORK


def test_an_unknown_zone_names_the_setting(monkeypatch):
    monkeypatch.setenv("PHARMACY_TIME_ZONE", "Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="PHARMACY_TIME_ZONE"):
        clock.current()


def test_a_test_clock_replaces_the_system_one_for_a_block():
    fixed = Clock.fixed(datetime(2030, 1, 1, 12, 0), NEW_YORK)
    with clock.use(fixed):
        assert clock.current() is fixed
        assert clock.current().today() == date(2030, 1, 1)
    assert clock.current() is not fixed
    assert abs(clock.current().now() - datetime.utcnow()).total_seconds() < 5  # noqa: DTZ003
