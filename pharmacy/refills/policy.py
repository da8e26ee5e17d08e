"""Refill rules R1-R7 (pharmacy rules, section 1: Refills), decided by one pure function.

``decide_refill`` takes any object shaped like ``pharmacy.models.Prescription`` and a date; it reads
no database and imports no Rasa, so the rules are unit-tested on their own. A plan with different
thresholds is simply a different ``RefillPolicyConfig``.

Checks run in this order, and the first that fails decides (earlier ones are the harder "no"):
1. status not active -> NOT_ACTIVE
2. Schedule II (R2) -> NEEDS_NEW_PRESCRIPTION
3. expiry: III-IV 6 months (R3), others 1 year (R5) -> NEEDS_RENEWAL
   (never filled: this is the original fill, so no refill count or timing -> ALLOWED)
4. refills left: III-IV cap of 5 (R3), then none left (R6) -> NEEDS_RENEWAL
5. too soon (R1) -> TOO_SOON, or NEEDS_RENEWAL if the due date falls after expiry
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from dateutil.relativedelta import relativedelta

from pharmacy.knowledge.loader import drug_class_key

SCHEDULES = ("II", "III", "IV", "V")

# Patient-facing sentences keyed by reason_code; a translation is another dict with the same keys.
# Renewal sentences say what we do, never when: the prescriber's reply time is not ours to promise.
EXPLANATIONS = {
    "allowed": "You can refill this prescription now.",
    "too_soon": "It's too early to refill this prescription. You can refill it from {date}.",
    "schedule_ii": "By law this medicine can't be refilled. Your prescriber needs to send a new "
    "prescription.",
    "controlled_refill_limit": "This prescription has reached the legal limit on refills. We'll "
    "ask your prescriber to renew it.",
    "controlled_expired": "This prescription is past the legal time limit for refills. We'll ask "
    "your prescriber to renew it.",
    "expired": "This prescription has expired. We'll ask your prescriber to renew it.",
    "no_refills_left": "There are no refills left on this prescription. We'll ask your prescriber "
    "to renew it.",
    "expires_before_due": "This prescription expires before it's due for a refill. We'll ask "
    "your prescriber to renew it.",
    "not_active": "This prescription is no longer active, so it can't be refilled.",
    "auto_refill.eligible": "This medicine can be refilled automatically.",
    "auto_refill.not_active": "This prescription is no longer active.",
    "auto_refill.controlled": "Controlled medicines can't be refilled automatically.",
    "auto_refill.otc": "Auto-refill is only for prescription medicines.",
    "auto_refill.specialty": "Specialty medicines are arranged one fill at a time, not "
    "automatically.",
    "auto_refill.not_maintenance": "Auto-refill is only for medicines you take long-term.",
}


@dataclass(frozen=True)
class RefillPolicyConfig:
    default_threshold: float = 0.75
    controlled_threshold: float = 0.90  # any schedule; wins over a class override
    thresholds_by_class: Mapping[str, float] = field(default_factory=dict)
    non_controlled_expiry_days: int = 365  # also Schedule V: no federal limit, state law varies
    schedule_3_4_max_refills: int = 5
    # 21 CFR 1306.22(a): "6 months after the date on which such prescription was issued". Calendar
    # months (relativedelta), not 182 days: 6 months are 181-184 days depending on the start date.
    schedule_3_4_expiry_months: int = 6

    def __post_init__(self) -> None:
        for name in ("default_threshold", "controlled_threshold"):
            _check_threshold(name, getattr(self, name))
        for drug_class, value in self.thresholds_by_class.items():
            _check_threshold(f"thresholds_by_class[{drug_class!r}]", value)
        # Read-only copy, so a frozen config really cannot change under a running bot.
        frozen_classes = MappingProxyType(
            {drug_class_key(name): value for name, value in self.thresholds_by_class.items()}
        )
        object.__setattr__(self, "thresholds_by_class", frozen_classes)

    @classmethod
    def from_env(cls) -> RefillPolicyConfig:
        """The process's policy, as ``pharmacy.settings`` read and checked it."""
        from pharmacy.settings import load_settings  # settings builds this class

        return load_settings().refill_policy


def _check_threshold(name: str, value: float) -> None:
    if not 0 < value <= 1:  # also rejects NaN
        raise ValueError(f"{name} must be a fraction in (0, 1], got {value!r}")


class RefillOutcome(str, enum.Enum):
    ALLOWED = "allowed"
    TOO_SOON = "too_soon"
    NEEDS_RENEWAL = "needs_renewal"  # the assistant files a renewal request to the prescriber
    NEEDS_NEW_PRESCRIPTION = "needs_new_prescription"  # Schedule II: nothing to renew
    NOT_ACTIVE = "not_active"


@dataclass(frozen=True)
class RefillDecision:
    outcome: RefillOutcome
    earliest_date: date | None
    reason_code: str
    explanation: str


@dataclass(frozen=True)
class AutoRefillDecision:
    eligible: bool
    reason_code: str
    explanation: str


def decide_refill(
    prescription: Any,
    today: date,
    config: RefillPolicyConfig | None = None,
    drug_class: str | None = None,
) -> RefillDecision:
    config = config or RefillPolicyConfig()
    rx = prescription
    schedule = dea_schedule(rx)
    if _status(rx) != "active":
        return _decision(RefillOutcome.NOT_ACTIVE, "not_active")
    if schedule == "II":
        return _decision(RefillOutcome.NEEDS_NEW_PRESCRIPTION, "schedule_ii")

    last_valid_day = expiry_date(rx, config)
    if today > last_valid_day:
        code = "controlled_expired" if schedule in ("III", "IV") else "expired"
        return _decision(RefillOutcome.NEEDS_RENEWAL, code)

    if rx.last_fill_date is None:  # never filled: this is the original fill, not a refill
        return _decision(RefillOutcome.ALLOWED, "allowed")
    if schedule in ("III", "IV") and rx.refills_used >= config.schedule_3_4_max_refills:
        return _decision(RefillOutcome.NEEDS_RENEWAL, "controlled_refill_limit")
    if rx.refills_authorized - rx.refills_used <= 0:
        return _decision(RefillOutcome.NEEDS_RENEWAL, "no_refills_left")

    earliest = earliest_refill_date(rx, config, drug_class)
    assert earliest is not None  # filled before (checked above)
    if earliest > last_valid_day:  # a date we would give could never be honoured
        return _decision(RefillOutcome.NEEDS_RENEWAL, "expires_before_due")
    if today < earliest:
        return _decision(RefillOutcome.TOO_SOON, "too_soon", earliest)
    return _decision(RefillOutcome.ALLOWED, "allowed", earliest)


def earliest_refill_date(
    prescription: Any, config: RefillPolicyConfig | None = None, drug_class: str | None = None
) -> date | None:
    """R1: last fill + ceil(days_supply x threshold); None if never filled. The class threshold
    is looked up by ``drug_class``, or else the prescription's own ``drug_class``."""
    config = config or RefillPolicyConfig()
    if prescription.last_fill_date is None:
        return None
    if dea_schedule(prescription) is not None:
        threshold = config.controlled_threshold
    else:
        drug_class = drug_class or getattr(prescription, "drug_class", None)
        threshold = config.thresholds_by_class.get(
            drug_class_key(drug_class or ""), config.default_threshold
        )
    # Decimal of the written value: in binary floats 0.55 * 100 is 55.00000000000001 -> ceil 56.
    days = math.ceil(Decimal(str(threshold)) * prescription.days_supply)
    return prescription.last_fill_date + timedelta(days=days)


def expiry_date(prescription: Any, config: RefillPolicyConfig | None = None) -> date:
    """The last day a refill is still allowed (R3 for Schedule III-IV, R5 otherwise)."""
    config = config or RefillPolicyConfig()
    if dea_schedule(prescription) in ("III", "IV"):
        return prescription.date_written + relativedelta(months=config.schedule_3_4_expiry_months)
    return prescription.date_written + timedelta(days=config.non_controlled_expiry_days)


def auto_refill_eligibility(prescription: Any) -> AutoRefillDecision:
    """R7: maintenance medicines only; never controlled (any schedule), OTC or specialty."""
    if _status(prescription) != "active":
        code = "not_active"
    elif dea_schedule(prescription) is not None:
        code = "controlled"
    elif getattr(prescription, "is_otc", False):  # Prescription rows are never OTC; products may be
        code = "otc"
    elif getattr(prescription, "is_specialty", False):
        code = "specialty"
    elif not getattr(prescription, "is_maintenance", False):
        code = "not_maintenance"
    else:
        code = "eligible"
    key = f"auto_refill.{code}"
    return AutoRefillDecision(code == "eligible", key, EXPLANATIONS[key])


def auto_refill_eligible(prescription: Any) -> bool:
    return auto_refill_eligibility(prescription).eligible


def dea_schedule(prescription: Any) -> str | None:
    """ "II".."V" or None; an unknown value is an error, never silently "not controlled"."""
    raw = getattr(prescription, "dea_schedule", None)
    schedule = (raw or "").strip().upper() or None
    if schedule is not None and schedule not in SCHEDULES:
        raise ValueError(
            f"unknown DEA schedule {raw!r} on prescription "
            f"{getattr(prescription, 'rx_number', '?')}"
        )
    return schedule


def format_day(day: date) -> str:
    return f"{day:%A, %B} {day.day}"  # "Monday, December 1" (%-d is not portable)


def _status(prescription: Any) -> str:
    status = getattr(prescription, "status", "active")
    return str(getattr(status, "value", status)).lower()


def _decision(outcome: RefillOutcome, code: str, earliest: date | None = None) -> RefillDecision:
    text = EXPLANATIONS[code]
    if outcome is RefillOutcome.TOO_SOON and earliest is not None:
        text = text.format(date=format_day(earliest))
    return RefillDecision(outcome, earliest, code, text)
