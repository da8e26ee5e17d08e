"""The refill-reminder scheduler against a fake Rasa HTTP API, on a real database.

The seeded database is shared with other tests: every row a test adds (conversations, reminders,
events, its own customers) is deleted again after it, so the personas stay as seeded. Customers
whose consent a test changes are made by that test.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from sqlalchemy import select

from pharmacy import repositories
from pharmacy.database import session_scope
from pharmacy.demo_data import CATALOGUE
from pharmacy.models import (
    Address,
    Consent,
    ConsentKind,
    Customer,
    Order,
    OrderItem,
    OrderStatusEvent,
    Prescriber,
    Prescription,
    PrescriptionStatus,
)
from pharmacy.refills.models import (
    CustomerConversation,
    RefillEvent,
    RefillEventKind,
    ReminderSend,
    ReminderStatus,
    RenewalRequest,
)
from pharmacy.refills.reminders import (
    REMINDER_ACTION,
    main,
    open_reminders,
    reminder_due_date,
    send_due_reminders,
    set_reminder_consent,
    take_reminders_to_show,
)
from pharmacy.refills.service import RefillSettings, remember_conversation, submit_refill
from tests.conftest import DEMO_TODAY, in_transaction

NOW = datetime.combine(DEMO_TODAY, time(8, 0))
TOKEN = "test-rasa-jwt-secret-of-32-bytes!!"
MARIA, JAMES, AISHA = "C-1001", "C-1002", "C-1003"
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


class FakeRasa:
    """Rasa's execute endpoint on a free local port; records every call. Like the real reminder
    action, it takes the reminder it says from the database at the moment it is called."""

    def __init__(self, database_url: str) -> None:
        self.calls: list[dict[str, object]] = []
        self.fail_next = 0  # answer this many calls with HTTP 500
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                url = urlparse(self.path)
                conversation = url.path.split("/")[2]
                reminded = [
                    _rx_of_reminder(database_url, reminder_id)
                    for reminder_id in in_transaction(
                        database_url, take_reminders_to_show, conversation
                    )
                ]
                with fake._lock:
                    status = 500 if fake.fail_next > 0 else 200
                    fake.fail_next = max(fake.fail_next - 1, 0)
                    fake.calls.append(
                        {
                            "path": url.path,
                            "query": parse_qs(url.query),
                            "authorization": self.headers.get("Authorization", ""),
                            "raw": raw,
                            "json": json.loads(raw),
                            "status": status,
                            "reminded": reminded,
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def messages(self, conversation_id: str) -> list[list[str]]:
        """Per reminder message said in ``conversation_id``, the Rx numbers it was about."""
        return [
            call["reminded"]
            for call in self.calls
            if call["path"] == f"/conversations/{conversation_id}/execute"
            and call["status"] == 200
            and call["json"] == {"name": REMINDER_ACTION}
        ]

    def delivered(self, conversation_id: str) -> list[str]:
        """Rx numbers of the reminders said in ``conversation_id``, in order."""
        return [rx for message in self.messages(conversation_id) for rx in message]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _rx_of_reminder(url: str, reminder_id: int) -> str:
    with session_scope(url) as session:
        send = session.get(ReminderSend, reminder_id)
        return session.get(Prescription, send.prescription_id).rx_number


@pytest.fixture
def rasa(monkeypatch, seeded_database) -> Iterator[FakeRasa]:
    fake = FakeRasa(seeded_database)
    monkeypatch.setenv("RASA_URL", fake.url)
    monkeypatch.setenv("RASA_JWT_SECRET", TOKEN)
    monkeypatch.delenv("REFILL_REMINDER_LEAD_DAYS", raising=False)
    yield fake
    fake.stop()


def make_customer(url: str, *prescriptions: dict[str, object]) -> str:
    """A customer of this test only, with prescriptions such as
    {"medicine_id": "atorvastatin", "last_fill_days_ago": 23}. Returns the reference."""
    reference = f"T-{uuid.uuid4().hex[:10]}"
    with session_scope(url) as session:
        prescriber = session.scalar(select(Prescriber).order_by(Prescriber.id).limit(1))
        customer = Customer(
            reference=reference,
            first_name="Testy",
            last_name="Remindson",
            date_of_birth=DEMO_TODAY - timedelta(days=40 * 365),
            phone="+1-555-555-9999",
            email=f"{reference.lower()}@example.test",
            created_at=NOW,
        )
        session.add(customer)
        for spec in prescriptions:
            entry = CATALOGUE[spec["medicine_id"]]
            session.add(
                Prescription(
                    rx_number=f"RX9{uuid.uuid4().int % 10**6:06d}",
                    customer=customer,
                    prescriber=prescriber,
                    medicine_id=entry.medicine_id,
                    medicine_name=entry.name,
                    strength=entry.strength,
                    directions=entry.directions,
                    quantity=entry.quantity,
                    days_supply=entry.days_supply,
                    refills_authorized=spec.get("authorized", 5),
                    refills_used=spec.get("used", 1),
                    date_written=DEMO_TODAY - timedelta(days=spec.get("written_days_ago", 60)),
                    dea_schedule=entry.dea_schedule,
                    last_fill_date=DEMO_TODAY - timedelta(days=spec["last_fill_days_ago"]),
                    is_maintenance=entry.maintenance,
                    is_specialty=entry.specialty,
                )
            )
    return reference


def rx_numbers_of(url: str, reference: str) -> dict[str, str]:
    with session_scope(url) as session:
        customer = repositories.customer_by_reference(session, reference)
        return {rx.medicine_id: rx.rx_number for rx in customer.prescriptions}


def reminder_rows(url: str, reference: str) -> list[ReminderSend]:
    with session_scope(url) as session:
        customer = repositories.customer_by_reference(session, reference)
        return list(
            session.scalars(
                select(ReminderSend)
                .where(ReminderSend.customer_id == customer.id)
                .order_by(ReminderSend.id)
            )
        )


def run(url: str, settings: RefillSettings | None = None):
    return send_due_reminders(url, today=DEMO_TODAY, now=NOW, settings=settings)


# ----------------------------------------------------------------------------- Maria


def test_maria_gets_each_due_reminder_once(seeded_database, rasa):
    in_transaction(seeded_database, remember_conversation, MARIA, "maria-chat", NOW)
    maria = rx_numbers_of(seeded_database, MARIA)

    first = run(seeded_database)
    second = run(seeded_database)

    # Atorvastatin is due today, metformin tomorrow (inside the 3-day lead), lisinopril (90 days,
    # filled 70 days ago) since two days ago.
    due = {maria["atorvastatin"], maria["metformin"], maria["lisinopril"]}
    assert sorted(rasa.delivered("maria-chat")) == sorted(due)
    assert (first.found, first.sent, first.skipped_already_sent, first.failed) == (3, 3, 0, 0)
    assert (second.found, second.sent, second.skipped_already_sent, second.failed) == (3, 0, 3, 0)
    assert len(rasa.calls) == 1  # one message for the three: no burst of identical pings
    assert len(rasa.messages("maria-chat")) == 1
    assert [row.status for row in reminder_rows(seeded_database, MARIA)] == [
        ReminderStatus.SENT
    ] * 3
    with session_scope(seeded_database) as session:
        events = list(
            session.scalars(
                select(RefillEvent.kind).where(RefillEvent.conversation_id == "maria-chat")
            )
        )
    assert events == [RefillEventKind.REMINDER_SENT] * 3


def test_the_reminder_call_names_no_medicine_person_or_rx_number(seeded_database, rasa):
    in_transaction(seeded_database, remember_conversation, MARIA, "maria-chat", NOW)
    run(seeded_database)
    names = {
        word for entry in CATALOGUE.values() for word in (entry.medicine_id, entry.name.split()[0])
    }
    for call in rasa.calls:
        assert call["query"] == {"output_channel": ["latest"]}  # no secret in the URL
        claims = jwt.decode(
            call["authorization"].removeprefix("Bearer "), TOKEN, algorithms=["HS256"]
        )
        assert claims["user"] == {"username": "reminders", "role": "admin"}
        assert call["json"] == {"name": REMINDER_ACTION}
        assert call["reminded"] and not [
            rx for rx in call["reminded"] if rx in call["raw"] + call["path"]
        ]
        assert not [name for name in names if name.lower() in call["raw"].lower()]
        assert "maria" not in call["raw"].lower()


def test_refill_now_opens_only_the_verified_customers_reminders_and_counts_them_once(
    seeded_database, rasa
):
    in_transaction(seeded_database, remember_conversation, MARIA, "maria-chat", NOW)
    run(seeded_database)
    rows = reminder_rows(seeded_database, MARIA)
    assert all(row.shown_at is not None for row in rows)
    assert (
        in_transaction(seeded_database, take_reminders_to_show, "maria-chat") == []
    )  # each said once
    button = ",".join(str(row.id) for row in rows)  # what the "Refill now" payload carries

    said = rasa.delivered("maria-chat")
    assert in_transaction(seeded_database, open_reminders, button, MARIA, "maria-chat", NOW) == said
    assert (
        in_transaction(seeded_database, open_reminders, button, MARIA, "maria-chat", NOW) == said
    )  # twice
    assert (
        in_transaction(seeded_database, open_reminders, str(rows[-1].id), MARIA, "maria-chat", NOW)
        == (said[-1:])
    )
    # Someone else verified in the same chat, a made-up id, or garbage: nothing is revealed.
    for ids, reference in (
        (button, JAMES),
        (str(rows[-1].id + 1000), MARIA),
        ("x1", MARIA),
        (None, MARIA),
        ("1;DROP", MARIA),
    ):
        assert (
            in_transaction(seeded_database, open_reminders, ids, reference, "maria-chat", NOW) == []
        )
    with session_scope(seeded_database) as session:
        opened = session.scalars(
            select(RefillEvent.prescription_id).where(
                RefillEvent.kind == RefillEventKind.REMINDER_OPENED
            )
        ).all()
        assert sorted(opened) == sorted(row.prescription_id for row in rows)
        session.get(Prescription, rows[-1].prescription_id).status = PrescriptionStatus.CANCELLED
    try:  # a prescription cancelled since the reminder: the button no longer refills it
        assert (
            in_transaction(seeded_database, open_reminders, button, MARIA, "maria-chat", NOW)
            == said[:-1]
        )
    finally:
        with session_scope(seeded_database) as session:
            session.get(Prescription, rows[-1].prescription_id).status = PrescriptionStatus.ACTIVE


def test_logs_name_no_medicine_and_mask_rx_numbers(seeded_database, rasa, caplog):
    in_transaction(seeded_database, remember_conversation, MARIA, "maria-chat", NOW)
    with caplog.at_level(logging.INFO, logger="pharmacy.refills.reminders"):
        run(seeded_database)
    text = caplog.text.lower()
    assert "sent 3" in text
    for secret in [
        "atorvastatin",
        "metformin",
        "lisinopril",
        "maria",
        "garcia",
        "1958",
        *(rx.lower() for rx in rx_numbers_of(seeded_database, MARIA).values()),
    ]:
        assert secret not in text
    assert "*****" in text


def test_a_refill_already_ordered_gets_no_reminder(seeded_database, rasa):
    in_transaction(seeded_database, remember_conversation, MARIA, "maria-chat", NOW)
    maria = rx_numbers_of(seeded_database, MARIA)
    assert submit_refill(
        MARIA, maria["atorvastatin"], "pickup", DEMO_TODAY, NOW, database_url=seeded_database
    ).created
    run(seeded_database)
    assert sorted(rasa.delivered("maria-chat")) == sorted([maria["metformin"], maria["lisinopril"]])


def test_the_lead_window_decides_how_early_to_remind(seeded_database, rasa):
    in_transaction(seeded_database, remember_conversation, MARIA, "maria-chat", NOW)
    maria = rx_numbers_of(seeded_database, MARIA)
    run(seeded_database, RefillSettings(reminder_lead_days=0))
    assert maria["metformin"] not in rasa.delivered("maria-chat")  # due tomorrow
    assert maria["atorvastatin"] in rasa.delivered("maria-chat")


def test_no_chat_to_deliver_to_means_no_reminder(seeded_database, rasa):
    summary = run(seeded_database)
    assert (summary.found, summary.sent, rasa.calls) == (0, 0, [])


def test_dry_run_counts_and_changes_nothing(seeded_database, rasa, monkeypatch, capsys):
    in_transaction(seeded_database, remember_conversation, MARIA, "maria-chat", NOW)
    monkeypatch.setenv("DATABASE_URL", seeded_database)
    assert main(["--today", DEMO_TODAY.isoformat(), "--dry-run"]) == 0
    assert "dry run: found 3, would send 3, already sent 0" in capsys.readouterr().out
    assert rasa.calls == [] and reminder_rows(seeded_database, MARIA) == []

    run(seeded_database)
    assert main(["--today", DEMO_TODAY.isoformat(), "--dry-run"]) == 0
    assert "would send 0, already sent 3" in capsys.readouterr().out


# ----------------------------------------------------------------------------- consent, failures


def test_revoking_consent_stops_reminders_and_opting_in_again_restarts_them(seeded_database, rasa):
    reference = make_customer(
        seeded_database, {"medicine_id": "atorvastatin", "last_fill_days_ago": 23}
    )
    in_transaction(seeded_database, remember_conversation, reference, "consent-chat", NOW)
    run(seeded_database)
    assert rasa.delivered("consent-chat") == []  # never consented

    assert in_transaction(seeded_database, set_reminder_consent, reference, True, NOW) is True
    assert in_transaction(seeded_database, set_reminder_consent, reference, True, NOW) is False
    assert in_transaction(seeded_database, set_reminder_consent, reference, False, NOW) is True
    run(seeded_database)
    assert rasa.delivered("consent-chat") == []  # revoked

    later = NOW + timedelta(hours=1)
    assert (
        in_transaction(seeded_database, set_reminder_consent, reference, True, later, source="web")
        is True
    )
    run(seeded_database)
    assert rasa.delivered("consent-chat") == list(
        rx_numbers_of(seeded_database, reference).values()
    )
    with session_scope(seeded_database) as session:
        customer = repositories.customer_by_reference(session, reference)
        consents = list(
            session.execute(
                select(Consent.kind, Consent.granted_at, Consent.revoked_at, Consent.source).where(
                    Consent.customer_id == customer.id
                )
            )
        )
    assert consents == [(ConsentKind.REFILL_REMINDERS, later, None, "web")]


def test_a_failed_push_is_marked_and_retried_once_by_the_next_run(seeded_database, rasa):
    reference = make_customer(
        seeded_database, {"medicine_id": "metformin", "last_fill_days_ago": 23}
    )
    in_transaction(seeded_database, set_reminder_consent, reference, True, NOW)
    in_transaction(seeded_database, remember_conversation, reference, "flaky-chat", NOW)
    rasa.fail_next = 1

    failed = run(seeded_database)
    [row] = reminder_rows(seeded_database, reference)
    assert (failed.sent, failed.failed, row.status) == (0, 1, ReminderStatus.FAILED)

    retried = run(seeded_database)
    [row] = reminder_rows(seeded_database, reference)
    assert (retried.sent, retried.failed, row.status) == (1, 0, ReminderStatus.SENT)

    finished = run(seeded_database)
    assert (finished.sent, finished.skipped_already_sent) == (0, 1)
    path = "/conversations/flaky-chat/execute"
    assert [call["status"] for call in rasa.calls if call["path"] == path] == [500, 200]


def test_a_retried_reminder_joins_a_new_one_in_the_next_runs_message(seeded_database, rasa):
    reference = make_customer(
        seeded_database,
        {"medicine_id": "metformin", "last_fill_days_ago": 15},  # due +8
        {"medicine_id": "lisinopril", "last_fill_days_ago": 68},
    )  # due now
    in_transaction(seeded_database, set_reminder_consent, reference, True, NOW)
    in_transaction(seeded_database, remember_conversation, reference, "two-chat", NOW)
    rx = rx_numbers_of(seeded_database, reference)
    rasa.fail_next = 1
    assert run(seeded_database).failed == 1  # lisinopril's push fails

    later = timedelta(days=5)  # metformin is now due too: it joins the retry in one message
    summary = send_due_reminders(seeded_database, today=DEMO_TODAY + later, now=NOW + later)
    assert (summary.sent, summary.failed) == (2, 0)
    assert rasa.messages("two-chat") == [[rx["lisinopril"], rx["metformin"]]]


def test_a_chat_shared_by_two_customers_gets_one_message_for_each(seeded_database, rasa):
    first = make_customer(seeded_database, {"medicine_id": "metformin", "last_fill_days_ago": 23})
    second = make_customer(seeded_database, {"medicine_id": "lisinopril", "last_fill_days_ago": 68})
    for reference in (first, second):
        in_transaction(seeded_database, set_reminder_consent, reference, True, NOW)
        in_transaction(seeded_database, remember_conversation, reference, "household-chat", NOW)
    assert run(seeded_database).sent == 2
    assert rasa.messages("household-chat") == [
        list(rx_numbers_of(seeded_database, first).values()),
        list(rx_numbers_of(seeded_database, second).values()),
    ]


def test_a_typed_refill_now_payload_with_odd_ids_is_read_safely(seeded_database, rasa):
    in_transaction(seeded_database, remember_conversation, MARIA, "maria-chat", NOW)
    run(seeded_database)
    row = reminder_rows(seeded_database, MARIA)[0]
    rx = _rx_of_reminder(seeded_database, row.id)
    for ids in (f"x,{row.id}", f" {row.id} ,{row.id}", f"{row.id},²,-1"):
        assert in_transaction(seeded_database, open_reminders, ids, MARIA, "maria-chat", NOW) == [
            rx
        ]
    for ids in ("²", "9" * 20, ",".join(["9" * 9] * 10_000)):
        assert in_transaction(seeded_database, open_reminders, ids, MARIA, "maria-chat", NOW) == []


def test_an_unreachable_rasa_counts_as_failed(seeded_database, rasa, monkeypatch):
    in_transaction(seeded_database, remember_conversation, MARIA, "maria-chat", NOW)
    rasa.stop()
    monkeypatch.setenv("RASA_URL", rasa.url)  # nothing listens there any more
    summary = run(seeded_database)
    assert (summary.sent, summary.failed) == (0, 3)
    assert {row.status for row in reminder_rows(seeded_database, MARIA)} == {ReminderStatus.FAILED}


def test_controlled_substances_never_get_reminders(seeded_database, rasa):
    # Refillable today by every other rule: Schedule IV (alprazolam, zolpidem), V (pregabalin).
    reference = make_customer(
        seeded_database,
        {"medicine_id": "alprazolam", "last_fill_days_ago": 29},
        {"medicine_id": "zolpidem", "last_fill_days_ago": 29},
        {"medicine_id": "pregabalin", "last_fill_days_ago": 29},
        {"medicine_id": "oxycodone", "last_fill_days_ago": 29, "authorized": 0, "used": 0},
    )
    in_transaction(seeded_database, set_reminder_consent, reference, True, NOW)
    in_transaction(seeded_database, remember_conversation, reference, "controlled-chat", NOW)
    in_transaction(
        seeded_database, set_reminder_consent, JAMES, True, NOW
    )  # James's controlled prescriptions
    in_transaction(seeded_database, remember_conversation, JAMES, "james-chat", NOW)

    summary = run(seeded_database)
    assert (summary.found, rasa.calls) == (0, [])


def test_prescriptions_needing_renewal_get_no_reminder(seeded_database):
    with session_scope(seeded_database) as session:
        aisha = repositories.customer_by_reference(session, AISHA)
        by_medicine = {rx.medicine_id: rx for rx in aisha.prescriptions}
        sertraline_due = reminder_due_date(by_medicine["sertraline"], DEMO_TODAY, 3)  # expired
        amoxicillin_due = reminder_due_date(by_medicine["amoxicillin"], DEMO_TODAY, 3)  # none left
        levothyroxine_due = reminder_due_date(by_medicine["levothyroxine"], DEMO_TODAY, 3)
    assert (sertraline_due, amoxicillin_due) == (None, None)
    assert levothyroxine_due == DEMO_TODAY - timedelta(days=6)  # 30 days, filled 29 days ago


def _at_once(count: int, call) -> list:
    """``call()`` in ``count`` threads released together; every result, errors re-raised."""
    barrier = threading.Barrier(count)
    results: list = []
    errors: list[Exception] = []

    def run_one() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(call())
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=run_one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return results


def test_simultaneous_first_opt_ins_make_one_consent(seeded_database):
    reference = make_customer(
        seeded_database, {"medicine_id": "metformin", "last_fill_days_ago": 23}
    )
    opt_in = lambda: in_transaction(seeded_database, set_reminder_consent, reference, True, NOW)  # noqa: E731
    assert sorted(_at_once(10, opt_in)) == [False] * 9 + [True]
    with session_scope(seeded_database) as session:
        customer = repositories.customer_by_reference(session, reference)
        rows = session.scalars(select(Consent).where(Consent.customer_id == customer.id)).all()
    assert [(row.kind, row.revoked_at) for row in rows] == [(ConsentKind.REFILL_REMINDERS, None)]


def test_simultaneous_verifications_keep_one_reachable_chat(seeded_database):
    reference = make_customer(
        seeded_database, {"medicine_id": "metformin", "last_fill_days_ago": 23}
    )
    chats = iter(f"chat-{n}" for n in range(10))
    lock = threading.Lock()

    def remember() -> str:
        with lock:
            chat = next(chats)
        in_transaction(seeded_database, remember_conversation, reference, chat, NOW)
        return chat

    remembered = _at_once(10, remember)
    with session_scope(seeded_database) as session:
        customer = repositories.customer_by_reference(session, reference)
        rows = session.scalars(
            select(CustomerConversation).where(CustomerConversation.customer_id == customer.id)
        ).all()
    assert len(rows) == 1 and rows[0].conversation_id in remembered
