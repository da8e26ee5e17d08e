"""What the identity check reads as a date of birth or a possession factor."""

from datetime import date

import pytest

from pharmacy.identity import PossessionFactor, parse_date_of_birth, parse_possession_factor

TODAY = date(2025, 6, 1)
MARCH_14_1958 = date(1958, 3, 14)


@pytest.mark.parametrize(
    "text",
    [
        "03/14/1958",
        "3/14/1958",
        "3-14-1958",
        "03.14.1958",
        "3/14/58",
        "1958-03-14",
        "1958-3-14",
        "March 14, 1958",
        "March 14,1958",
        "march 14th 1958",
        "Mar. 14 1958",
        "14th March 1958",
        "14 mar 1958",
        "  03/14/1958  ",
        "\uff10\uff13/\uff11\uff14/\uff11\uff19\uff15\uff18",
    ],
)
def test_a_date_of_birth_is_read_in_every_common_form(text):
    assert parse_date_of_birth(text, today=TODAY) == MARCH_14_1958


@pytest.mark.parametrize(
    "text",
    [
        "02/29/2400",
        "2/29/2400",
        "2400-02-29",
        "February 29 2400",
        "02/30/1958",
        "13/01/1958",
        "00/10/1958",
        "0000-01-01",
        "12/31/1899",
        "06/02/2025",
        "March 14",
        "1958",
        "my birthday is 03/14/1958",
        "",
        "03/14/1958" + " " * 50 + "x",
        "\u017fept 3 1958",
    ],
)
def test_impossible_future_or_partial_dates_are_not_dates_of_birth(text):
    assert parse_date_of_birth(text, today=TODAY) is None


def test_a_two_digit_year_is_the_latest_one_not_in_the_future():
    assert parse_date_of_birth("2/29/24", today=TODAY) == date(2024, 2, 29)
    assert parse_date_of_birth("2/29/28", today=TODAY) == date(1928, 2, 29)
    assert parse_date_of_birth("6/1/25", today=TODAY) == TODAY
    assert parse_date_of_birth("6/2/25", today=TODAY) == date(1925, 6, 2)


@pytest.mark.parametrize(
    "text",
    [
        "503/555/0101",
        "+1 (503) 555-0101",
        "5035550101",
        "503.555.0101",
        "my number is 503 555 0101 thanks",
        "+15035550101",
        "\uff15\uff10\uff13-555-0101",
    ],
)
def test_a_phone_number_is_read_in_every_common_form(text):
    assert parse_possession_factor(text) == PossessionFactor("phone", "5035550101")


@pytest.mark.parametrize(
    "text",
    [
        "503 555 01",
        "call me 503 5550 hmm 101",
        "5-0-3-5-5-5-0-1-0",
        "RP4000000007",
        "5035550101123456",
        "03/14/1958",
        "",
    ],
)
def test_scattered_or_short_digits_are_not_a_phone(text):
    assert parse_possession_factor(text) is None


def test_an_order_number_wins_over_an_rx_number_and_a_phone():
    assert parse_possession_factor("EP-100012 rx1000003 5035550101") == PossessionFactor(
        "order", "EP-100012"
    )
    assert parse_possession_factor("Rx-1000003, 5035550101") == PossessionFactor("rx", "RX1000003")
