"""No text makes an identity parser raise; what they return is well-formed (issue 13)."""

import re
from datetime import date

from hypothesis import given

from pharmacy.identity import parse_date_of_birth, parse_possession_factor
from tests.fuzz.strategies import any_text

FACTOR_VALUES = {
    "order": re.compile(r"EP-[0-9]{6}"),
    "rx": re.compile(r"RX[0-9]{7}"),
    "phone": re.compile(r"[0-9]{10}"),
}


@given(any_text)
def test_a_date_of_birth_is_a_past_date_or_none(text):
    parsed = parse_date_of_birth(text)
    assert parsed is None or date(1900, 1, 1) <= parsed <= date.today()


@given(any_text)
def test_a_possession_factor_is_a_known_kind_in_its_plain_form_or_none(text):
    factor = parse_possession_factor(text)
    assert factor is None or FACTOR_VALUES[factor.kind].fullmatch(factor.value), factor
