from datetime import datetime, timezone

import pytest

from pharmacy.handoff.hours import OpeningHours, describe_next_opening

NY = "Mon-Sat 08:00-20:00 America/New_York"


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_open_within_hours_in_the_desk_time_zone():
    hours = OpeningHours.parse(NY)
    assert hours.is_open(utc(2026, 11, 23, 13, 0))  # Monday 08:00 in New York
    assert not hours.is_open(utc(2026, 11, 23, 12, 59))
    assert not hours.is_open(utc(2026, 11, 24, 1, 0))  # Monday 20:00 in New York: closed


def test_sunday_is_closed_and_the_next_opening_is_monday():
    hours = OpeningHours.parse(NY)
    sunday_noon = utc(2026, 11, 29, 17, 0)
    assert not hours.is_open(sunday_noon)
    assert describe_next_opening(hours, sunday_noon) == "tomorrow at 8:00 (New York time)"


def test_all_day_every_day():
    hours = OpeningHours.parse("Mon-Sun 00:00-24:00 UTC")
    assert hours.is_open(utc(2026, 11, 29, 23, 59))


@pytest.mark.parametrize("spec", ["always", "Mon-Fri 8-20 UTC", "Xyz-Sat 08:00-20:00 UTC"])
def test_malformed_hours_are_refused_with_the_expected_form(spec):
    with pytest.raises(ValueError, match="HANDOFF_HOURS"):
        OpeningHours.parse(spec)
