"""Any reply at any step of the refill conversation is read without an exception, and what it
is read as names only the shopper's own prescriptions and addresses."""

import re

from hypothesis import given
from hypothesis import strategies as st

from pharmacy.models import Address, Prescription
from pharmacy.refills.conversation import (
    ANSWER_INTENTS,
    MEDICINE_QUESTION_INTENTS,
    PICKUP,
    FormAnswer,
    Reply,
    Step,
    interpret,
)
from tests.fuzz.strategies import any_text

PRESCRIPTIONS = [
    Prescription(rx_number="RX1000001", medicine_id="metformin", medicine_name="Metformin"),
    Prescription(rx_number="RX1000002", medicine_id="lisinopril", medicine_name="Lisinopril"),
]
ADDRESSES = [Address(id=1, label="Home"), Address(id=2, label="Work")]
RX_NUMBERS = {p.rx_number for p in PRESCRIPTIONS}
DELIVERIES = {PICKUP, "1", "2"}

intents = (
    st.none()
    | st.sampled_from(sorted(ANSWER_INTENTS | MEDICINE_QUESTION_INTENTS))
    | st.text(max_size=12)
)
replies_text = any_text | st.sampled_from(
    [
        "all of them",
        "metformin",
        "RX1000001",
        "rx 9999999",
        "ship it home",
        "pick up",
        "yes",
        "no, ship it to work instead",
        "change the delivery",
        "glucophage side effects?",
    ]
)
entity_values = (
    st.none()
    | st.text(max_size=12)
    | st.integers()
    | st.sampled_from(["RX1000001", "pickup", "1", "3", "delivery", "prescriptions", ""])
)
entities = st.none() | st.dictionaries(
    st.sampled_from(["rx_number", "delivery", "refill_field", "medicine"]), entity_values
)


@given(
    st.sampled_from(list(Step)),
    replies_text,
    intents,
    entities,
    st.lists(st.sampled_from(sorted(RX_NUMBERS)), max_size=2),
    st.none() | st.sampled_from(sorted(DELIVERIES)),
)
def test_a_reply_is_read_as_the_shoppers_own_choices(
    step, text, intent, found, current_rx, current_delivery
):
    answer = interpret(
        step,
        Reply(text, intent, found),
        PRESCRIPTIONS,
        ADDRESSES,
        current_rx=current_rx,
        current_delivery=current_delivery,
    )
    assert isinstance(answer, FormAnswer)
    assert set(answer.rx_numbers or ()) <= RX_NUMBERS
    assert answer.unknown_rx is None or re.fullmatch(r"RX\d{7}", answer.unknown_rx)
    assert answer.delivery is None or answer.delivery in DELIVERIES
    assert not (answer.confirmed and step is not Step.CONFIRMATION)
