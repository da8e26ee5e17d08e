"""The one place that decides whether a chat is talking to a known customer.

Two ways in (pharmacy rules, section 2):
- a signed token from a logged-in web or app session (HMAC-SHA256 over customer reference and
  expiry, secret IDENTITY_TOKEN_SECRET);
- for anonymous chat, date of birth plus one possession factor: an order number, an Rx number or
  the phone number on file.
Every failure looks the same from outside, so a guess never learns which part was wrong or whether
an order exists. Dates of birth, phones and addresses are never logged.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from datetime import date
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from pharmacy import phi_grammar, repositories
from pharmacy.models import Customer
from pharmacy.settings import load_settings

ORDER_NUMBER = re.compile(r"\bEP-?(\d{6})\b", re.IGNORECASE)
RX_NUMBER = re.compile(r"\bRX[\s-]?(\d{7})\b", re.IGNORECASE)  # "RX1000001", "rx 1000001", "Rx-1000001"
MIN_PHONE_DIGITS = phi_grammar.PHONE_DIGITS[0]

MAX_DATE_CHARS = 40


class InvalidToken(ValueError):
    """A login token that must not be trusted; ``reason`` is 'malformed', 'signature' or 'expired'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IdentityPolicy:
    max_attempts: int = 3
    lock_seconds: int = 15 * 60

    @classmethod
    def from_env(cls) -> "IdentityPolicy":
        settings = load_settings()
        return cls(settings.identity_max_attempts, settings.identity_lock_minutes * 60)


@dataclass(frozen=True)
class PossessionFactor:
    kind: str  # "order", "rx" or "phone"
    value: str


# --- signed tokens ---------------------------------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(customer_reference: str, secret: str, ttl_seconds: int = 3600,
                now: Optional[float] = None) -> str:
    """What the shop's login service hands the chat page (and what tests use)."""
    payload = {"sub": customer_reference, "exp": int((now or time.time()) + ttl_seconds)}
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    signature = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(signature)}"


def verify_token(token: str, secret: str, now: Optional[float] = None) -> str:
    """The customer reference in a valid token; InvalidToken otherwise."""
    try:
        body, signature = token.strip().split(".")
        expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
        given = _unb64(signature)
    except (ValueError, AttributeError) as error:
        raise InvalidToken("malformed") from error
    if not hmac.compare_digest(expected, given):
        raise InvalidToken("signature")
    try:
        payload = json.loads(_unb64(body))
        reference, expires = str(payload["sub"]), float(payload["exp"])
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidToken("malformed") from error
    if expires <= (now or time.time()):
        raise InvalidToken("expired")
    return reference


# --- anonymous verification -----------------------------------------------------------------

def parse_date_of_birth(text: str, today: Optional[date] = None) -> Optional[date]:
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


def parse_possession_factor(text: str) -> Optional[PossessionFactor]:
    """An order number, an Rx number or a phone number typed in ``text``, or None; never raises."""
    order = ORDER_NUMBER.search(text)
    if order:
        return PossessionFactor("order", f"EP-{phi_grammar.ascii_digits(order.group(1))}")
    rx = RX_NUMBER.search(text)
    if rx:
        return PossessionFactor("rx", f"RX{phi_grammar.ascii_digits(rx.group(1))}")
    phone = phi_grammar.PHONE_IN_TEXT.search(text)
    if phone:
        return PossessionFactor("phone", phi_grammar.ascii_digits(phone.group())[-MIN_PHONE_DIGITS:])
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


def verify_anonymous(session: Session, date_of_birth: date,
                     factor: PossessionFactor) -> Optional[str]:
    """The customer reference when both factors belong to one customer; None otherwise."""
    customer = _candidate(session, factor)
    if customer is None or customer.date_of_birth != date_of_birth:
        return None
    return customer.reference


# --- lockout --------------------------------------------------------------------------------

def lock_until_after_failure(failures: int, now: float, policy: IdentityPolicy) -> Optional[float]:
    """When ``failures`` reaches the limit, the time verification opens again; else None."""
    return now + policy.lock_seconds if failures >= policy.max_attempts else None


def is_locked(locked_until: Optional[float], now: float) -> bool:
    return locked_until is not None and now < locked_until


def mask(value: str, visible: int = 4) -> str:
    """For logs: 'EP-100234' -> '*****0234'."""
    return "*" * max(len(value) - visible, 0) + value[-visible:]
