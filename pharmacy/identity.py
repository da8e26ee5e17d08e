"""The one place that decides whether a chat is talking to a known customer.

Two ways in (pharmacy rules, section 2):
- a login token (a JWT) from a logged-in web or app session, redeemed by the chat channel
  (``pharmacy.access.login_tokens``);
- for anonymous chat, date of birth plus one possession factor: an order number, an Rx number or
  the phone number on file, checked here. Failures count per customer and per factor in the
  database (``pharmacy.access.lockout``), so a new chat does not start again at zero.
Every failure looks the same from outside, so a guess never learns which part was wrong or whether
an order exists. Dates of birth, phones and addresses are never logged.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pharmacy import phi_grammar, repositories
from pharmacy.access import lockout
from pharmacy.models import Customer

ORDER_NUMBER = re.compile(r"\bEP-?(\d{6})\b", re.IGNORECASE)
RX_NUMBER = re.compile(
    r"\bRX[\s-]?(\d{7})\b", re.IGNORECASE
)  # "RX1000001", "rx 1000001", "Rx-1000001"
MIN_PHONE_DIGITS = phi_grammar.PHONE_DIGITS[0]

MAX_DATE_CHARS = 40


@dataclass(frozen=True)
class PossessionFactor:
    kind: str  # "order", "rx" or "phone"
    value: str


# --- anonymous verification -----------------------------------------------------------------


def parse_date_of_birth(text: str, today: date | None = None) -> date | None:
    """A date of birth typed in a form of ``phi_grammar.DATE``, or None; never raises."""
    stripped = text.strip()
    if len(stripped) > MAX_DATE_CHARS:  # no accepted form is longer; keeps the cost bounded
        return None
    match = phi_grammar.DATE.fullmatch(stripped)
    typed = phi_grammar.date_parts(match) if match else None
    if typed is None:
        return None
    today = today or date.today()
    # "3/14/58": the latest such date that is not in the future.
    years = [typed.year] if typed.century else [2000 + typed.year, 1900 + typed.year]
    for year in years:
        try:
            parsed = date(year, typed.month, typed.day)
        except ValueError:  # "02/30/1958", month 13, year 0, Feb 29 of a common year
            continue
        if date(1900, 1, 1) <= parsed <= today:
            return parsed
    return None


def parse_possession_factor(text: str) -> PossessionFactor | None:
    """An order number, an Rx number or a phone number typed in ``text``, or None; never raises."""
    order = ORDER_NUMBER.search(text)
    if order:
        return PossessionFactor("order", f"EP-{phi_grammar.ascii_digits(order.group(1))}")
    rx = RX_NUMBER.search(text)
    if rx:
        return PossessionFactor("rx", f"RX{phi_grammar.ascii_digits(rx.group(1))}")
    phone = phi_grammar.PHONE_IN_TEXT.search(text)
    if phone:
        return PossessionFactor(
            "phone", phi_grammar.ascii_digits(phone.group())[-MIN_PHONE_DIGITS:]
        )
    return None


def _phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-MIN_PHONE_DIGITS:]


def _candidate(session: Session, factor: PossessionFactor) -> Customer | None:
    if factor.kind == "order":
        order = repositories.order_by_number(session, factor.value)
        return order.customer if order else None
    if factor.kind == "rx":
        prescription = repositories.prescription_by_rx_number(session, factor.value)
        return prescription.customer if prescription else None
    for customer in session.scalars(
        select(Customer).where(Customer.phone.like(f"%{factor.value[-4:]}"))
    ):
        if _phone_digits(customer.phone) == factor.value:
            return customer
    return None


# --- checking the two factors ---------------------------------------------------------------


class FactorOutcome(str, enum.Enum):
    VERIFIED = "verified"
    MISMATCH = "mismatch"
    LOCKED = "locked"


@dataclass(frozen=True)
class FactorCheck:
    outcome: FactorOutcome
    customer_reference: str | None = None
    remaining: int = 0
    locked_until: datetime | None = None
    just_locked: bool = False  # this failure set the lock: alert staff once


def _subjects(factor: PossessionFactor, customer: Customer | None, key: str) -> list[str]:
    names = [lockout.subject(factor.kind, factor.value, key)]
    if customer is not None:
        names.append(lockout.subject("customer", customer.reference, key))
    return names


def check_factors(
    session: Session,
    date_of_birth: date,
    factor: PossessionFactor,
    key: str,
    now: datetime,
    policy: lockout.LockoutPolicy,
) -> FactorCheck:
    """Compare the two factors unless the factor or its customer is locked; count a failure.

    While locked nothing is compared, so guessing during a lock learns nothing."""
    customer = _candidate(session, factor)
    subjects = _subjects(factor, customer, key)
    until = lockout.locked_until(session, subjects, now)
    if until is not None:
        return FactorCheck(FactorOutcome.LOCKED, locked_until=until)
    if customer is not None and customer.date_of_birth == date_of_birth:
        lockout.clear(session, subjects)
        return FactorCheck(FactorOutcome.VERIFIED, customer.reference)
    failure = lockout.record_failure(session, subjects, now, policy)
    if failure.locked_until is not None:
        return FactorCheck(
            FactorOutcome.LOCKED, locked_until=failure.locked_until, just_locked=failure.just_locked
        )
    return FactorCheck(FactorOutcome.MISMATCH, remaining=failure.remaining)


def mask(value: str, visible: int = 4) -> str:
    """For logs: 'EP-100234' -> '*****0234'."""
    return "*" * max(len(value) - visible, 0) + value[-visible:]
