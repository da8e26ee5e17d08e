"""Refill operations on a real database (SQLite, or PostgreSQL in CI), on the demo personas.

The seeded database is shared with other tests: every row a test adds (orders, events, renewal
requests) is deleted again after it, so the personas stay as seeded.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import delete, select

from pharmacy import repositories
from pharmacy.database import session_scope
from pharmacy.models import (
    Address,
    Consent,
    Customer,
    DeliveryMethod,
    MedicinePrice,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusEvent,
    Prescription,
)
from pharmacy.refills.conversation import assess, summary_lines
from pharmacy.refills.models import (
    CustomerConversation,
    RefillEvent,
    RefillEventKind,
    ReminderSend,
    RenewalRequest,
)
from pharmacy.refills.policy import RefillOutcome, format_day
from pharmacy.refills.service import (
    RefillRequestError,
    RefillSettings,
    estimated_arrival,
    match_prescription,
    record_offer,
    refill_idempotency_key,
    refillable_prescriptions,
    remember_conversation,
    request_renewal,
    submit_refill,
    summary_line,
)
from tests.conftest import DEMO_TODAY, in_transaction

NOW = datetime.combine(DEMO_TODAY, time(15, 30))
MARIA, JAMES, AISHA = "C-1001", "C-1002", "C-1003"
# Child tables first, so that deleting what a test added never breaks a foreign key.
TABLES_TESTS_ADD_TO = [
    RefillEvent,
    ReminderSend,
    RenewalRequest,
    CustomerConversation,
    OrderStatusEvent,
    OrderItem,
    Order,
    Consent,
    Prescription,
    Address,
    Customer,
]


def prescriptions_of(url: str, reference: str) -> dict[str, Prescription]:
    with session_scope(url) as session:
        customer = repositories.customer_by_reference(session, reference)
        active = repositories.active_prescriptions(session, customer.id)
        return {rx.medicine_id: rx for rx in active}


def address_ids_of(url: str, reference: str) -> list[int]:
    with session_scope(url) as session:
        customer = repositories.customer_by_reference(session, reference)
        return [address.id for address in customer.addresses]


def orders_with_key(url: str, key: str) -> list[Order]:
    with session_scope(url) as session:
        orders = list(session.scalars(select(Order).where(Order.idempotency_key == key)))
        for order in orders:  # loaded while the session is open
            list(order.items), list(order.history)
        return orders


# ----------------------------------------------------------------------------- listing, matching


def test_maria_can_refill_atorvastatin_today_but_metformin_only_tomorrow(seeded_database):
    with session_scope(seeded_database) as session:
        decisions = {
            rx.medicine_id: decision
            for rx, decision in refillable_prescriptions(session, MARIA, DEMO_TODAY)
        }
        unknown = refillable_prescriptions(session, "C-0000", DEMO_TODAY)
    assert decisions["atorvastatin"].outcome is RefillOutcome.ALLOWED
    assert decisions["metformin"].outcome is RefillOutcome.TOO_SOON
    assert decisions["metformin"].earliest_date == DEMO_TODAY + timedelta(days=1)
    assert decisions["lisinopril"].outcome is RefillOutcome.ALLOWED  # 90 days, filled 70 ago
    assert unknown == []


def test_a_prescription_is_matched_by_rx_number_in_any_spelling(seeded_database):
    maria = prescriptions_of(seeded_database, MARIA)
    mine = list(maria.values())
    number = maria["atorvastatin"].rx_number
    digits = number[2:]
    for text in (number, f"refill {number.lower()} please", f"Rx-{digits}", f"rx {digits}?"):
        assert match_prescription(mine, text) is maria["atorvastatin"], text
    james_rx = next(iter(prescriptions_of(seeded_database, JAMES).values())).rx_number
    # Someone else's number matches nothing, even with a medicine name next to it.
    assert match_prescription(mine, f"{james_rx} atorvastatin") is None


def test_a_prescription_is_matched_by_medicine_name_brand_or_misspelling(seeded_database):
    maria = prescriptions_of(seeded_database, MARIA)
    mine = list(maria.values())
    assert match_prescription(mine, "my ATORVASTATIN please") is maria["atorvastatin"]
    assert match_prescription(mine, "metformin") is maria["metformin"]
    assert match_prescription(mine, "the lipitor one") is maria["atorvastatin"]  # brand
    assert match_prescription(mine, "atorvastatn") is maria["atorvastatin"]  # misspelt
    assert match_prescription(mine, "metformin and lisinopril") is None  # which one?
    assert match_prescription(mine, "sertraline") is None  # not hers
    assert match_prescription(mine, "") is None


# ----------------------------------------------------------------------------- submitting


def test_submitting_a_refill_creates_one_received_order(seeded_database):
    atorvastatin = prescriptions_of(seeded_database, MARIA)["atorvastatin"]
    home = address_ids_of(seeded_database, MARIA)[0]

    first = submit_refill(
        MARIA,
        atorvastatin.rx_number,
        home,
        DEMO_TODAY,
        NOW,
        conversation_id="refill-test-1",
        database_url=seeded_database,
    )
    again = submit_refill(
        MARIA,
        atorvastatin.rx_number.lower(),
        "pickup",
        DEMO_TODAY,
        NOW,
        conversation_id="refill-test-1",
        database_url=seeded_database,
    )

    assert first.created and first.decision.outcome is RefillOutcome.ALLOWED
    assert first.order_number.startswith("EP-2")
    assert (again.created, again.order_number) == (False, first.order_number)
    key = f"refill:{atorvastatin.id}:3:{DEMO_TODAY - timedelta(days=23)}"
    assert refill_idempotency_key(atorvastatin) == key
    [order] = orders_with_key(seeded_database, key)
    assert order.order_number == first.order_number
    assert (order.status, order.delivery_method, order.address_id) == (
        OrderStatus.RECEIVED,
        DeliveryMethod.SHIP,
        home,
    )
    assert order.placed_at == NOW and order.total_cents == 1200
    [item] = order.items
    assert (item.prescription_id, item.description, item.quantity, item.price_cents) == (
        atorvastatin.id,
        "Atorvastatin 20 mg tablet",
        30,
        1200,
    )
    assert [(event.status, event.occurred_at) for event in order.history] == [
        (OrderStatus.RECEIVED, NOW)
    ]
    with session_scope(seeded_database) as session:
        kinds = list(
            session.scalars(
                select(RefillEvent.kind).where(RefillEvent.conversation_id == "refill-test-1")
            )
        )
    assert kinds == [RefillEventKind.SUBMITTED]  # the repeat is not a second submission


@pytest.fixture
def atorvastatin_price(seeded_database):
    """Sets Atorvastatin's price row (None: removes it) for one test, then restores $12.00."""

    def set_price(cents: int | None) -> None:
        with session_scope(seeded_database) as session:
            session.execute(
                delete(MedicinePrice).where(MedicinePrice.medicine_id == "atorvastatin")
            )
            if cents is not None:
                session.add(MedicinePrice(medicine_id="atorvastatin", price_cents=cents))

    yield set_price
    set_price(1200)


@pytest.mark.parametrize("cents, cost", [(1575, ", $15.75 before insurance"), (None, "")])
def test_refill_prices_are_read_from_the_database(seeded_database, atorvastatin_price, cents, cost):
    atorvastatin_price(cents)
    rx = prescriptions_of(seeded_database, MARIA)["atorvastatin"]
    with session_scope(seeded_database) as session:
        [line] = summary_lines(session, MARIA, [rx.rx_number], "pickup", DEMO_TODAY)
    assert line.startswith(
        f"Refill of Atorvastatin 20 mg tablet ({rx.rx_number}), quantity 30{cost}, "
    )
    assert submit_refill(
        MARIA, rx.rx_number, "pickup", DEMO_TODAY, NOW, database_url=seeded_database
    ).created
    [order] = orders_with_key(seeded_database, refill_idempotency_key(rx))
    assert order.total_cents == cents and order.items[0].price_cents == cents


def test_pickup_refill_has_no_address(seeded_database):
    lisinopril = prescriptions_of(seeded_database, MARIA)["lisinopril"]
    result = submit_refill(
        MARIA, lisinopril.rx_number, "Pickup", DEMO_TODAY, NOW, database_url=seeded_database
    )
    [order] = orders_with_key(seeded_database, refill_idempotency_key(lisinopril))
    assert result.created
    assert (order.delivery_method, order.address_id) == (DeliveryMethod.PICKUP, None)


@pytest.mark.parametrize(
    "reference, medicine_id, outcome",
    [
        (MARIA, "metformin", RefillOutcome.TOO_SOON),
        (JAMES, "oxycodone", RefillOutcome.NEEDS_NEW_PRESCRIPTION),  # Schedule II
        (JAMES, "alprazolam", RefillOutcome.NEEDS_RENEWAL),  # Schedule IV, 5 of 5 refills used
        (AISHA, "sertraline", RefillOutcome.NEEDS_RENEWAL),  # written 366 days ago
    ],
)
def test_the_policy_is_checked_again_at_submit_time(
    seeded_database, reference, medicine_id, outcome
):
    rx = prescriptions_of(seeded_database, reference)[medicine_id]
    result = submit_refill(
        reference, rx.rx_number, "pickup", DEMO_TODAY, NOW, database_url=seeded_database
    )
    assert (result.order_number, result.created, result.decision.outcome) == (None, False, outcome)
    assert orders_with_key(seeded_database, refill_idempotency_key(rx)) == []


def test_another_customers_address_or_prescription_is_refused(seeded_database):
    maria = prescriptions_of(seeded_database, MARIA)
    james_address = address_ids_of(seeded_database, JAMES)[0]
    james_rx = prescriptions_of(seeded_database, JAMES)["oxycodone"].rx_number
    with pytest.raises(RefillRequestError):
        submit_refill(
            MARIA,
            maria["atorvastatin"].rx_number,
            james_address,
            DEMO_TODAY,
            NOW,
            database_url=seeded_database,
        )
    with pytest.raises(RefillRequestError):
        submit_refill(MARIA, james_rx, "pickup", DEMO_TODAY, NOW, database_url=seeded_database)
    with pytest.raises(RefillRequestError):
        submit_refill(
            MARIA,
            maria["atorvastatin"].rx_number,
            "drone",
            DEMO_TODAY,
            NOW,
            database_url=seeded_database,
        )
    assert orders_with_key(seeded_database, refill_idempotency_key(maria["atorvastatin"])) == []


def test_a_cancelled_refill_order_can_be_ordered_again_once(seeded_database):
    atorvastatin = prescriptions_of(seeded_database, MARIA)["atorvastatin"]
    key = refill_idempotency_key(atorvastatin)
    first = submit_refill(
        MARIA, atorvastatin.rx_number, "pickup", DEMO_TODAY, NOW, database_url=seeded_database
    )
    with session_scope(seeded_database) as session:
        assert assess(session, MARIA, [atorvastatin.rx_number], DEMO_TODAY)[0].already_ordered == (
            first.order_number
        )
        session.scalar(
            select(Order).where(Order.order_number == first.order_number)
        ).status = OrderStatus.CANCELLED  # cancelled by the pharmacy or the customer
    with session_scope(seeded_database) as session:
        assert (
            assess(session, MARIA, [atorvastatin.rx_number], DEMO_TODAY)[0].already_ordered is None
        )

    again = submit_refill(
        MARIA, atorvastatin.rx_number, "pickup", DEMO_TODAY, NOW, database_url=seeded_database
    )
    repeat = submit_refill(
        MARIA, atorvastatin.rx_number, "pickup", DEMO_TODAY, NOW, database_url=seeded_database
    )
    assert again.created and again.order_number != first.order_number
    assert (repeat.created, repeat.order_number) == (False, again.order_number)
    assert sorted(order.status for order in orders_with_key(seeded_database, key)) == sorted(
        [OrderStatus.CANCELLED, OrderStatus.RECEIVED]
    )


def test_twenty_simultaneous_submissions_create_exactly_one_order(seeded_database):
    atorvastatin = prescriptions_of(seeded_database, MARIA)["atorvastatin"]
    home = address_ids_of(seeded_database, MARIA)[0]
    threads_count = 20
    barrier = threading.Barrier(threads_count)
    results, errors = [], []

    def submit() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(
                submit_refill(
                    MARIA,
                    atorvastatin.rx_number,
                    home,
                    DEMO_TODAY,
                    NOW,
                    database_url=seeded_database,
                )
            )
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(results) == threads_count
    assert sum(result.created for result in results) == 1
    assert len({result.order_number for result in results}) == 1
    assert len(orders_with_key(seeded_database, refill_idempotency_key(atorvastatin))) == 1


# ----------------------------------------------------------------------------- renewals, events


def test_simultaneous_renewal_requests_record_one(seeded_database):
    sertraline = prescriptions_of(seeded_database, AISHA)["sertraline"]
    count = 10
    barrier = threading.Barrier(count)
    results, errors = [], []

    def renew() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(
                in_transaction(
                    seeded_database, request_renewal, AISHA, sertraline.rx_number, "expired", NOW
                )
            )
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=renew) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(results) == [False] * (count - 1) + [True]
    with session_scope(seeded_database) as session:
        rows = session.scalars(
            select(RenewalRequest).where(RenewalRequest.prescription_id == sertraline.id)
        ).all()
    assert len(rows) == 1


def test_a_renewal_request_is_recorded_once(seeded_database):
    aisha = prescriptions_of(seeded_database, AISHA)
    sertraline = aisha["sertraline"]
    assert (
        in_transaction(
            seeded_database,
            request_renewal,
            AISHA,
            sertraline.rx_number,
            "expired",
            NOW,
            conversation_id="renewal-test",
        )
        is True
    )
    assert (
        in_transaction(
            seeded_database, request_renewal, AISHA, sertraline.rx_number, "expired", NOW
        )
        is False
    )
    assert (
        in_transaction(
            seeded_database,
            request_renewal,
            AISHA,
            aisha["amoxicillin"].rx_number,
            "no_refills_left",
            NOW,
        )
        is True
    )
    with session_scope(seeded_database) as session:
        rows = list(
            session.scalars(
                select(RenewalRequest).where(RenewalRequest.prescription_id == sertraline.id)
            )
        )
    assert [(row.reason_code, row.conversation_id, row.dedupe_key) for row in rows] == [
        ("expired", "renewal-test", f"renewal:{sertraline.id}:10:{sertraline.date_written}")
    ]


def test_no_renewal_for_a_refillable_or_schedule_ii_prescription(seeded_database):
    atorvastatin = prescriptions_of(seeded_database, MARIA)["atorvastatin"]
    oxycodone = prescriptions_of(seeded_database, JAMES)["oxycodone"]
    with pytest.raises(RefillRequestError):
        in_transaction(
            seeded_database, request_renewal, MARIA, atorvastatin.rx_number, "expired", NOW
        )
    with pytest.raises(RefillRequestError):
        in_transaction(
            seeded_database, request_renewal, JAMES, oxycodone.rx_number, "schedule_ii", NOW
        )


def test_offers_and_the_latest_conversation_are_recorded(seeded_database):
    atorvastatin = prescriptions_of(seeded_database, MARIA)["atorvastatin"]
    in_transaction(
        seeded_database, record_offer, "offer-test", MARIA, atorvastatin.rx_number, now=NOW
    )
    in_transaction(seeded_database, remember_conversation, MARIA, "chat-old", NOW)
    in_transaction(
        seeded_database, remember_conversation, MARIA, "chat-new", NOW + timedelta(minutes=5)
    )
    with session_scope(seeded_database) as session:
        maria_id = repositories.customer_by_reference(session, MARIA).id
        offers = list(
            session.execute(
                select(RefillEvent.kind, RefillEvent.prescription_id).where(
                    RefillEvent.conversation_id == "offer-test"
                )
            )
        )
        chats = list(
            session.execute(
                select(CustomerConversation.conversation_id, CustomerConversation.updated_at).where(
                    CustomerConversation.customer_id == maria_id
                )
            )
        )
    assert offers == [(RefillEventKind.OFFERED, atorvastatin.id)]
    assert chats == [("chat-new", NOW + timedelta(minutes=5))]
    with pytest.raises(RefillRequestError):
        in_transaction(seeded_database, remember_conversation, "C-0000", "chat-x", NOW)


# ----------------------------------------------------------------------------- wording, settings


def test_arrival_counts_business_days():
    monday, friday = date(2026, 11, 23), date(2026, 11, 27)
    assert estimated_arrival(monday, "pickup") == date(2026, 11, 24)
    assert estimated_arrival(monday, 7) == date(2026, 11, 26)
    assert estimated_arrival(friday, DeliveryMethod.PICKUP) == date(2026, 11, 30)
    assert estimated_arrival(friday, DeliveryMethod.SHIP) == date(2026, 12, 2)


def test_summary_line_is_plain_and_shows_no_address(seeded_database):
    atorvastatin = prescriptions_of(seeded_database, MARIA)["atorvastatin"]
    shipped = summary_line(atorvastatin, 1200, "Home", DEMO_TODAY)
    picked_up = summary_line(atorvastatin, 1200, "pickup", DEMO_TODAY)
    ship_day = format_day(estimated_arrival(DEMO_TODAY, DeliveryMethod.SHIP))
    pickup_day = format_day(estimated_arrival(DEMO_TODAY, DeliveryMethod.PICKUP))
    item = (
        f"Refill of Atorvastatin 20 mg tablet ({atorvastatin.rx_number}), quantity 30, "
        f"$12.00 before insurance"
    )
    assert shipped == f"{item}, delivered to your home address by {ship_day}."
    assert picked_up == f"{item}, ready for pickup from {pickup_day}."


def test_reminder_lead_days_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("REFILL_REMINDER_LEAD_DAYS", raising=False)
    assert RefillSettings.from_env().reminder_lead_days == 3
    monkeypatch.setenv("REFILL_REMINDER_LEAD_DAYS", " 5 ")
    assert RefillSettings.from_env().reminder_lead_days == 5
    for bad in ("three", "-1", "31", "2.5"):
        monkeypatch.setenv("REFILL_REMINDER_LEAD_DAYS", bad)
        with pytest.raises(ValueError, match="REFILL_REMINDER_LEAD_DAYS must be"):
            RefillSettings.from_env()
