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
from typing import List, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from pharmacy import repositories
from pharmacy.access import lockout
from pharmacy.models import Customer

ORDER_NUMBER = re.compile(r"\bEP-?(\d{6})\b", re.IGNORECASE)
RX_NUMBER = re.compile(r"\bRX[\s-]?(\d{7})\b", re.IGNORECASE)  # "RX1000001", "rx 1000001", "Rx-1000001"
MIN_PHONE_DIGITS = 10

_DATE_FORMATS = ("%m/%d/%Y", "%m-%d-%Y", "%Y-%m-%d", "%m/%d/%y", "%B %d %Y", "%b %d %Y",
                 "%d %B %Y", "%d %b %Y", "%m.%d.%Y")


@dataclass(frozen=True)
class PossessionFactor:
    kind: str  # "order", "rx" or "phone"
    value: str


# --- anonymous verification -----------------------------------------------------------------

def parse_date_of_birth(text: str, today: Optional[date] = None) -> Optional[date]:
    """A date of birth typed in a common US or ISO form, or None if it is not one."""
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip(), flags=re.IGNORECASE)
    cleaned = re.sub(r"[,\s]+", " ", cleaned).strip()
    today = today or date.today()
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
        if parsed.year > today.year:  # "%y" maps 58 to 2058
            parsed = parsed.replace(year=parsed.year - 100)
        if date(1900, 1, 1) <= parsed <= today:
            return parsed
    return None


def parse_possession_factor(text: str) -> Optional[PossessionFactor]:
    order = ORDER_NUMBER.search(text)
    if order:
        return PossessionFactor("order", f"EP-{order.group(1)}")
    rx = RX_NUMBER.search(text)
    if rx:
        return PossessionFactor("rx", f"RX{rx.group(1)}")
    digits = re.sub(r"\D", "", text)
    if len(digits) >= MIN_PHONE_DIGITS and len(digits) <= 15:
        return PossessionFactor("phone", digits[-MIN_PHONE_DIGITS:])
    return None


def _phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-MIN_PHONE_DIGITS:]


def _candidate(session: Session, factor: PossessionFactor) -> Optional[Customer]:
    if factor.kind == "order":
        order = repositories.order_by_number(session, factor.value)
        return order.customer if order else None
    if factor.kind == "rx":
        prescription = repositories.prescription_by_rx_number(session, factor.value)
        return prescription.customer if prescription else None
    for customer in session.scalars(select(Customer).where(Customer.phone.like(f"%{factor.value[-4:]}"))):
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
    customer_reference: Optional[str] = None
    remaining: int = 0
    locked_until: Optional[datetime] = None
    just_locked: bool = False  # this failure set the lock: alert staff once


def _subjects(factor: PossessionFactor, customer: Optional[Customer], key: str) -> List[str]:
    names = [lockout.subject(factor.kind, factor.value, key)]
    if customer is not None:
        names.append(lockout.subject("customer", customer.reference, key))
    return names


def check_factors(session: Session, date_of_birth: date, factor: PossessionFactor, key: str,
                  now: datetime, policy: lockout.LockoutPolicy) -> FactorCheck:
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
        return FactorCheck(FactorOutcome.LOCKED, locked_until=failure.locked_until,
                           just_locked=failure.just_locked)
    return FactorCheck(FactorOutcome.MISMATCH, remaining=failure.remaining)


def mask(value: str, visible: int = 4) -> str:
    """For logs: 'EP-100234' -> '*****0234'."""
    return "*" * max(len(value) - visible, 0) + value[-visible:]
