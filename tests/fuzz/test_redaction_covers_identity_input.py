"""Whatever the identity check accepts as a date of birth or a phone is redacted (pharmacy rules
2): each generated date and phone is rendered in every accepted form, embedded in random text,
and must be both verified by the parser and gone from the redacted text."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from pharmacy.identity import PossessionFactor, parse_date_of_birth, parse_possession_factor
from pharmacy.privacy import redact

TODAY = date.today()
# A two-digit year means the latest such year not in the future, so those forms are tested on
# the dates they can express: the last hundred years.
LAST_CENTURY = st.dates(min_value=TODAY.replace(year=TODAY.year - 99), max_value=TODAY)
ANY_BIRTH_DATE = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _ordinal(day: int) -> str:
    return (
        f"{day}{'th' if 10 <= day % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"
    )


def _month(d: date) -> str:
    return [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ][d.month - 1]


FOUR_DIGIT_YEAR_FORMS = [
    lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}",
    lambda d: f"{d.month}/{d.day}/{d.year}",
    lambda d: f"{d.month:02d}-{d.day:02d}-{d.year}",
    lambda d: f"{d.month:02d}.{d.day:02d}.{d.year}",
    lambda d: f"{d.year}-{d.month:02d}-{d.day:02d}",
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{_month(d)} {d.day}, {d.year}",
    lambda d: f"{_month(d)} {d.day},{d.year}",
    lambda d: f"{_month(d)[:3]} {d.day} {d.year}",
    lambda d: f"{_month(d)[:3]}. {_ordinal(d.day)}, {d.year}",
    lambda d: f"{_month(d).upper()} {_ordinal(d.day)} {d.year}",
    lambda d: f"{_ordinal(d.day)} {_month(d)} {d.year}",
    lambda d: f"{d.day} {_month(d)[:3].lower()}, {d.year}",
    lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}".translate(FULL_WIDTH),
]
TWO_DIGIT_YEAR_FORMS = [
    lambda d: f"{d.month}/{d.day}/{d.year % 100:02d}",
    lambda d: f"{d.month:02d}-{d.day:02d}-{d.year % 100:02d}",
    lambda d: f"{d.month}.{d.day}.{d.year % 100:02d}",
]
PHONE_FORMS = [
    "{a}{e}{n}",
    "{a}-{e}-{n}",
    "{a}.{e}.{n}",
    "{a}/{e}/{n}",
    "{a} {e} {n}",
    "({a}) {e}-{n}",
    "({a}){e}-{n}",
    "+1 ({a}) {e}-{n}",
    "+1-{a}-{e}-{n}",
    "+1 {a} {e} {n}",
    "1-{a}-{e}-{n}",
    "+1{a}{e}{n}",
]

rendered_dates = (
    st.tuples(ANY_BIRTH_DATE, st.sampled_from(FOUR_DIGIT_YEAR_FORMS))
    | st.tuples(LAST_CENTURY, st.sampled_from(TWO_DIGIT_YEAR_FORMS))
).map(lambda pair: (pair[0], pair[1](pair[0])))
rendered_phones = st.builds(
    lambda a, e, n, form, full_width: (
        f"{a}{e}{n}",
        form.format(a=a, e=e, n=n).translate(FULL_WIDTH if full_width else {}),
    ),
    st.integers(200, 999).map(str),
    st.integers(200, 999).map(str),
    st.integers(0, 9999).map("{:04d}".format),
    st.sampled_from(PHONE_FORMS),
    st.booleans(),
)
# Anything but digits, so that the only digits in the text are the ones the parsers accept.
filler = st.text(st.characters(blacklist_categories=("Nd", "Cs")), max_size=40)
joiner = st.sampled_from([" ", ", ", ": ", "\n", " (", ") ", "; ", " - ", "\t"])


@given(
    rendered_dates,
    rendered_phones,
    st.lists(filler, min_size=3, max_size=3),
    joiner,
    joiner,
    st.booleans(),
)
def test_every_accepted_date_of_birth_and_phone_is_redacted(
    dob, phone, fillers, left, right, phone_first
):
    birthday, dob_text = dob
    phone_digits, phone_text = phone
    assert parse_date_of_birth(dob_text) == birthday, dob_text
    assert parse_possession_factor(phone_text) == PossessionFactor("phone", phone_digits)
    first, second = (phone_text, dob_text) if phone_first else (dob_text, phone_text)
    text = f"{fillers[0]}{left}{first}{right}{fillers[1]}{left}{second}{right}{fillers[2]}"

    redacted = redact(text)

    assert dob_text not in redacted and phone_text not in redacted
    assert not [char for char in redacted if char.isdecimal()], redacted
