"""Refill reminders, pushed into the customer's latest verified chat. A command for cron:

    python -m pharmacy.refills.reminders [--today YYYY-MM-DD] [--dry-run]

A prescription gets a reminder when its customer has an active refill-reminder consent (given
separately, PIPL art. 29) and a remembered chat, it is not a controlled substance, and the policy
says it is refillable now or will be within REFILL_REMINDER_LEAD_DAYS. Prescriptions that need a
renewal or a new prescription, or whose refill was already ordered, get none.

Once per due date: the ``reminder_sends`` row is inserted before Rasa is called, and its unique
(prescription, due date) decides, so two overlapping runs never both send. The price is at most
once: a run that dies between the insert and the call leaves a reminder recorded but unsent.
A failed call marks the row "failed" and the next run sends it again.

The reminder names no medicine (notification previews, rules section 2): Rasa is only asked to
run ``action_refill_reminder`` in the conversation. That action takes the reminder claimed here
from the database (``take_reminders_to_show``), so nothing depends on slots a new chat session
would reset. One message per chat, customer and run, however many prescriptions are due; its
"Refill now" button carries the reminders' ids, never an Rx number (one of the identity
factors). ``open_reminders`` turns the ids back into prescriptions only for the verified
customer they were sent to. Logs carry counts and masked Rx numbers, never names, dates of birth or medicines.

Functions take the caller's ``Session`` and never commit (README, "How it fits together"), except
``send_due_reminders``, which owns short transactions around each call to Rasa: the claim must
be committed before the call (the action reads it), and no transaction stays open over the network.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import requests
from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pharmacy import clock, repositories
from pharmacy.database import insert_unless_present, session_scope
from pharmacy.logs import configure_logging
from pharmacy.models import (
    Consent,
    ConsentKind,
    Customer,
    Order,
    OrderStatus,
    Prescription,
    PrescriptionStatus,
)
from pharmacy.rasa_api import RasaApi, jwt_secret
from pharmacy.refills.models import (
    CustomerConversation,
    RefillEvent,
    RefillEventKind,
    ReminderSend,
    ReminderStatus,
)
from pharmacy.refills.policy import RefillOutcome, RefillPolicyConfig, dea_schedule, decide_refill
from pharmacy.refills.service import (
    RefillRequestError,
    RefillSettings,
    add_refill_event,
    refill_idempotency_key,
)
from pharmacy.settings import start_settings

log = logging.getLogger(__name__)

REMINDER_ACTION = "action_refill_reminder"  # says the reminder (actions/refills.py)
TIMEOUT_SECONDS = 10
MAX_IDS_PER_TAP = 50
_ID = re.compile(r"[0-9]{1,9}")
_IN_CHUNK = 500  # bound parameters per IN (...): old SQLite builds allow 999


@dataclass(frozen=True)
class DueReminder:
    prescription_id: int
    customer_id: int
    rx_number: str
    due_date: date
    conversation_id: str


@dataclass
class ReminderSummary:
    found: int = 0
    sent: int = 0
    skipped_already_sent: int = 0
    failed: int = 0
    dry_run: bool = False

    def line(self) -> str:
        if self.dry_run:
            return (
                f"dry run: found {self.found}, would send "
                f"{self.found - self.skipped_already_sent}, already sent "
                f"{self.skipped_already_sent}"
            )
        return (
            f"found {self.found}, sent {self.sent}, skipped (already sent) "
            f"{self.skipped_already_sent}, failed {self.failed}"
        )


def mask_rx_number(rx_number: str) -> str:
    """ "RX1000001" -> "*****0001": enough for support to match, not to look it up."""
    text = str(rx_number)
    return "*" * max(len(text) - 4, 0) + text[-4:]


# ----------------------------------------------------------------------------- finding


def reminder_due_date(
    prescription: Prescription,
    today: date,
    lead_days: int,
    config: RefillPolicyConfig | None = None,
) -> date | None:
    """The due date to remind about, or None when this prescription gets no reminder today."""
    if dea_schedule(prescription) is not None:  # controlled: refills are never prompted
        return None
    decision = decide_refill(prescription, today, config)
    if decision.earliest_date is None:  # never filled: a first fill, not a refill
        return None
    if decision.outcome is RefillOutcome.ALLOWED:
        return decision.earliest_date
    if decision.outcome is RefillOutcome.TOO_SOON and decision.earliest_date <= today + timedelta(
        days=lead_days
    ):
        return decision.earliest_date
    return None  # renewal, new prescription, inactive, or not due yet


def find_due_reminders(
    session: Session, today: date, settings: RefillSettings | None = None
) -> list[DueReminder]:
    """Every reminder due today, sent or not (sending decides that)."""
    settings = settings or RefillSettings.from_env()
    rows = session.execute(
        select(Prescription, CustomerConversation.conversation_id)
        .join(
            Consent,
            and_(
                Consent.customer_id == Prescription.customer_id,
                Consent.kind == ConsentKind.REFILL_REMINDERS,
                Consent.revoked_at.is_(None),
            ),
        )
        .join(CustomerConversation, CustomerConversation.customer_id == Prescription.customer_id)
        .where(
            Prescription.status == PrescriptionStatus.ACTIVE, Prescription.dea_schedule.is_(None)
        )
        .order_by(Prescription.id)
    ).all()
    due = {}
    for rx, conversation_id in rows:
        try:
            due_date = reminder_due_date(rx, today, settings.reminder_lead_days, settings.policy)
        except ValueError:  # one unreadable row must not stop everyone's reminders
            log.warning(
                "reminders: skipped %s, unreadable prescription", mask_rx_number(rx.rx_number)
            )
            continue
        if due_date is not None:
            due[refill_idempotency_key(rx)] = DueReminder(
                rx.id, rx.customer_id, rx.rx_number, due_date, conversation_id
            )
    ordered = _already_ordered(session, due)
    return [reminder for key, reminder in due.items() if key not in ordered]


def _already_ordered(session: Session, keys: Iterable[str]) -> set[str]:
    """Keys of refills already submitted (and not cancelled): no reminder for those."""
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), _IN_CHUNK):
        found.update(
            session.scalars(
                select(Order.idempotency_key).where(
                    Order.idempotency_key.in_(keys[start : start + _IN_CHUNK]),
                    Order.status != OrderStatus.CANCELLED,
                )
            )
        )
    return found


# ----------------------------------------------------------------------------- in the chat


def take_reminders_to_show(
    session: Session, conversation_id: str, now: datetime | None = None
) -> list[int]:
    """The ids of one customer's reminders claimed for this conversation and not yet said (the
    customer of the oldest such row), now marked as said: each push says what it claimed, and a
    retried push says its reminders again."""
    waiting = session.scalars(
        select(ReminderSend)
        .where(
            ReminderSend.conversation_id == conversation_id,
            ReminderSend.status == ReminderStatus.SENT,
            ReminderSend.shown_at.is_(None),
        )
        .order_by(ReminderSend.id)
    ).all()
    waiting = [row for row in waiting if row.customer_id == waiting[0].customer_id]
    for reminder in waiting:
        reminder.shown_at = now or datetime.utcnow()
    return [reminder.id for reminder in waiting]


def open_reminders(
    session: Session,
    reminder_ids: Any,
    customer_reference: str,
    conversation_id: str,
    now: datetime | None = None,
) -> list[str]:
    """The Rx numbers a tapped "Refill now" was about ("12,13": the ids in its button), keeping
    only reminders sent to this verified customer for prescriptions still active: a stale
    button, someone else's, or garbage gives nothing. Counted once per conversation and
    prescription for refill conversion."""
    # Typed payloads reach here too: ASCII digits only, no repeats, and never more than a
    # reminder could hold.
    parts = [part.strip() for part in str(reminder_ids or "").split(",")[:MAX_IDS_PER_TAP]]
    ids = list(dict.fromkeys(int(part) for part in parts if _ID.fullmatch(part)))
    if not ids:
        return []
    found = session.execute(
        select(ReminderSend.customer_id, Prescription)
        .join(Prescription, Prescription.id == ReminderSend.prescription_id)
        .join(Customer, Customer.id == ReminderSend.customer_id)
        .where(
            ReminderSend.id.in_(ids),
            Customer.reference == customer_reference,
            Prescription.status == PrescriptionStatus.ACTIVE,
        )
        .order_by(ReminderSend.id)
    ).all()
    opened = set(
        session.scalars(
            select(RefillEvent.prescription_id).where(
                RefillEvent.kind == RefillEventKind.REMINDER_OPENED,
                RefillEvent.conversation_id == conversation_id,
            )
        )
    )
    rx_numbers: list[str] = []
    for customer_id, rx in found:
        if rx.id not in opened:
            add_refill_event(
                session,
                RefillEventKind.REMINDER_OPENED,
                customer_id,
                rx.id,
                conversation_id,
                now or datetime.utcnow(),
            )
            opened.add(rx.id)
        if rx.rx_number not in rx_numbers:
            rx_numbers.append(rx.rx_number)
    return rx_numbers


# ----------------------------------------------------------------------------- sending


def send_due_reminders(
    database_url: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    settings: RefillSettings | None = None,
    rasa: RasaApi | None = None,
) -> ReminderSummary:
    """Send today's reminders; with ``dry_run`` only count them (no writes, no calls).

    Owns its transactions (``database_url``: None for the configured database), see above."""
    settings = settings or RefillSettings.from_env()
    today = today or clock.current().today()
    now = now or clock.current().now()
    with session_scope(database_url) as session:
        due = find_due_reminders(session, today, settings)
        if dry_run:
            summary = ReminderSummary(found=len(due), dry_run=True)
            summary.skipped_already_sent = _count_sent(session, due)
            log.info("reminders: %s", summary.line())
            return summary

    rasa = rasa or RasaApi.from_settings("reminders")
    summary = ReminderSummary(found=len(due))
    by_chat: dict[tuple[str, int], list[DueReminder]] = {}
    for reminder in due:
        by_chat.setdefault((reminder.conversation_id, reminder.customer_id), []).append(reminder)
    for (conversation_id, _), reminders in by_chat.items():
        # One message per chat and customer, however many prescriptions are due: no burst of
        # identical pings (a chat shared by two customers gets one each).
        claimed = [reminder for reminder in reminders if _claim(database_url, reminder, now)]
        summary.skipped_already_sent += len(reminders) - len(claimed)
        if not claimed:
            continue
        if _push(rasa, conversation_id, claimed):
            _record_sent(database_url, claimed, now)
            summary.sent += len(claimed)
        else:
            _mark_failed(database_url, claimed)
            summary.failed += len(claimed)
    log.info("reminders: %s", summary.line())
    return summary


def _claim(database_url: str | None, reminder: DueReminder, now: datetime) -> bool:
    """True if this run owns the send: a new row, or a failed one taken over for a retry."""
    try:
        with session_scope(database_url) as session:
            session.add(
                ReminderSend(
                    prescription_id=reminder.prescription_id,
                    customer_id=reminder.customer_id,
                    due_date=reminder.due_date,
                    conversation_id=reminder.conversation_id,
                    sent_at=now,
                    status=ReminderStatus.SENT,
                )
            )
        return True
    except IntegrityError:
        pass
    # A conditional update, so that of two runs retrying the same row only one wins.
    with session_scope(database_url) as session:
        result = session.execute(
            update(ReminderSend)
            .where(
                ReminderSend.prescription_id == reminder.prescription_id,
                ReminderSend.due_date == reminder.due_date,
                ReminderSend.status == ReminderStatus.FAILED,
            )
            .values(
                status=ReminderStatus.SENT,
                sent_at=now,
                shown_at=None,
                conversation_id=reminder.conversation_id,
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def _push(rasa: RasaApi, conversation_id: str, reminders: list[DueReminder]) -> bool:
    """Rasa's HTTP API runs the reminder action in the customer's latest channel; the action reads
    which reminders it says from the rows ``_claim`` committed (``take_reminders_to_show``)."""
    masked = ", ".join(mask_rx_number(reminder.rx_number) for reminder in reminders)
    try:
        response = rasa.execute(conversation_id, REMINDER_ACTION, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:
        log.warning("reminders: push for %s failed (%s)", masked, type(error).__name__)
        return False
    if response.status_code >= 300:
        log.warning("reminders: push for %s refused with HTTP %s", masked, response.status_code)
        return False
    log.info("reminders: sent for %s", masked)
    return True


def _record_sent(database_url: str | None, reminders: list[DueReminder], now: datetime) -> None:
    with session_scope(database_url) as session:
        for reminder in reminders:
            add_refill_event(
                session,
                RefillEventKind.REMINDER_SENT,
                reminder.customer_id,
                reminder.prescription_id,
                reminder.conversation_id,
                now,
            )


def _mark_failed(database_url: str | None, reminders: list[DueReminder]) -> None:
    with session_scope(database_url) as session:
        for reminder in reminders:
            session.execute(
                update(ReminderSend)
                .where(
                    ReminderSend.prescription_id == reminder.prescription_id,
                    ReminderSend.due_date == reminder.due_date,
                )
                .values(status=ReminderStatus.FAILED)
                .execution_options(synchronize_session=False)
            )


def _count_sent(session: Session, due: list[DueReminder]) -> int:
    sent = {
        (row.prescription_id, row.due_date)
        for row in session.execute(
            select(ReminderSend.prescription_id, ReminderSend.due_date).where(
                ReminderSend.status == ReminderStatus.SENT
            )
        )
    }
    return sum((reminder.prescription_id, reminder.due_date) in sent for reminder in due)


# ----------------------------------------------------------------------------- consent


def set_reminder_consent(
    session: Session,
    customer_reference: str,
    granted: bool,
    now: datetime,
    source: str = "chat",
) -> bool:
    """Opt in ("remind me") or out ("stop reminders"); True if the consent changed.

    The refill-reminder consent is its own row, apart from any other consent; opting out keeps
    the row with ``revoked_at`` set, and opting in again re-activates it.
    """
    customer = repositories.customer_by_reference(session, customer_reference)
    if customer is None:
        raise RefillRequestError("unknown customer reference")
    # The first opt-in creates the row; of two concurrent ones the unique key keeps one.
    if granted and insert_unless_present(
        session,
        Consent,
        {
            "customer_id": customer.id,
            "kind": ConsentKind.REFILL_REMINDERS,
            "granted_at": now,
            "source": source,
        },
        unique=["customer_id", "kind"],
    ):
        return True
    consent = session.scalar(
        select(Consent).where(
            Consent.customer_id == customer.id, Consent.kind == ConsentKind.REFILL_REMINDERS
        )
    )
    if not granted:
        if consent is None or consent.revoked_at is not None:
            return False
        consent.revoked_at = now
        return True
    if consent is None or consent.revoked_at is None:
        return False
    consent.revoked_at, consent.granted_at, consent.source = None, now, source
    return True


# ----------------------------------------------------------------------------- command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pharmacy.refills.reminders",
        description="Send the refill reminders due today into the customers' chats.",
    )
    parser.add_argument(
        "--today", type=date.fromisoformat, help="the day to compute reminders for (default: today)"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="count the reminders due, send nothing and write nothing",
    )
    args = parser.parse_args(argv)
    start_settings("reminders", check=jwt_secret)
    configure_logging("reminders")
    settings = RefillSettings.from_env()
    summary = send_due_reminders(today=args.today, dry_run=args.dry_run, settings=settings)
    print(summary.line())
    return 1 if summary.failed else 0  # cron mails the operator; the next run retries


if __name__ == "__main__":
    sys.exit(main())
