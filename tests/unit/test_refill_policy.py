"""Refill rules R1-R7 at their boundary dates (pharmacy rules, section 1)."""

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from pharmacy.models import Prescription, PrescriptionStatus
from pharmacy.refills.policy import (
    EXPLANATIONS,
    RefillOutcome,
    RefillPolicyConfig,
    auto_refill_eligibility,
    auto_refill_eligible,
    decide_refill,
    earliest_refill_date,
)

LAST_FILL = date(2025, 11, 8)  # + 23 days = Monday, December 1, 2025
WRITTEN = date(2025, 10, 1)
ENV_VARS = [
    "REFILL_THRESHOLD",
    "REFILL_THRESHOLD_CONTROLLED",
    "RX_EXPIRY_DAYS",
    "REFILL_THRESHOLDS_BY_CLASS",
]


@dataclass
class Rx:
    rx_number: str = "RX1001"
    medicine_name: str = "Atorvastatin"
    days_supply: int = 30
    refills_authorized: int = 5
    refills_used: int = 1
    date_written: date = WRITTEN
    dea_schedule: str | None = None
    last_fill_date: date | None = LAST_FILL
    status: PrescriptionStatus = PrescriptionStatus.ACTIVE
    is_maintenance: bool = True
    is_specialty: bool = False
    auto_refill: bool = False


def day(n: int, start: date = LAST_FILL) -> date:
    return start + timedelta(days=n)


# R1: too soon -------------------------------------------------------------------------------------


def test_day_22_of_a_30_day_supply_is_too_soon_and_names_the_earliest_date():
    decision = decide_refill(Rx(), day(22))
    assert decision.outcome is RefillOutcome.TOO_SOON
    assert decision.reason_code == "too_soon"
    assert decision.earliest_date == date(2025, 12, 1)
    assert "Monday, December 1" in decision.explanation


def test_day_23_of_a_30_day_supply_is_allowed_because_ceil_of_22_5_is_23():
    decision = decide_refill(Rx(), day(23))
    assert decision.outcome is RefillOutcome.ALLOWED
    assert decision.reason_code == "allowed"
    assert decision.earliest_date == day(23)


@pytest.mark.parametrize("n, outcome", [(67, RefillOutcome.TOO_SOON), (68, RefillOutcome.ALLOWED)])
def test_90_day_supply_becomes_refillable_on_day_68(n, outcome):
    decision = decide_refill(Rx(days_supply=90), day(n))
    assert decision.outcome is outcome
    assert decision.earliest_date == day(68)


@pytest.mark.parametrize("n, outcome", [(26, RefillOutcome.TOO_SOON), (27, RefillOutcome.ALLOWED)])
@pytest.mark.parametrize("schedule", ["III", "IV", "V"])
def test_controlled_drugs_use_the_090_threshold(schedule, n, outcome):
    assert decide_refill(Rx(dea_schedule=schedule), day(n)).outcome is outcome


def test_a_class_override_changes_the_threshold_and_unknown_classes_use_the_default():
    config = RefillPolicyConfig(thresholds_by_class={"statin": 0.80})  # ceil(24) = 24
    statin_on = lambda n: decide_refill(Rx(), day(n), config, drug_class="statin").outcome  # noqa
    assert statin_on(23) is RefillOutcome.TOO_SOON
    assert statin_on(24) is RefillOutcome.ALLOWED
    assert decide_refill(Rx(), day(23), config, drug_class="other").outcome is RefillOutcome.ALLOWED


def test_a_stored_prescription_gets_the_threshold_of_its_knowledge_base_class():
    # Atorvastatin is "statin (cholesterol-lowering)" in pharmacy/knowledge/medicines/heart_and_blood.yml.
    config = RefillPolicyConfig(thresholds_by_class={"Statin": 0.80})
    fields = {f.name: getattr(Rx(), f.name) for f in dataclasses.fields(Rx)}
    atorvastatin = Prescription(medicine_id="atorvastatin", **fields)
    assert atorvastatin.drug_class == "statin"
    assert decide_refill(atorvastatin, day(23), config).outcome is RefillOutcome.TOO_SOON
    assert decide_refill(atorvastatin, day(24), config).outcome is RefillOutcome.ALLOWED
    metformin = Prescription(medicine_id="metformin", **fields)  # a biguanide: the default
    assert decide_refill(metformin, day(23), config).outcome is RefillOutcome.ALLOWED


def test_a_class_override_never_loosens_the_controlled_threshold():
    config = RefillPolicyConfig(thresholds_by_class={"benzodiazepine": 0.5})
    decision = decide_refill(Rx(dea_schedule="IV"), day(26), config, drug_class="benzodiazepine")
    assert decision.outcome is RefillOutcome.TOO_SOON


def test_threshold_arithmetic_is_exact_not_binary_float():
    # 0.55 * 100 is 55.00000000000001 in floats, which would wrongly round up to 56 days.
    config = RefillPolicyConfig(default_threshold=0.55)
    assert earliest_refill_date(Rx(days_supply=100), config) == day(55)


def test_never_filled_is_allowed_even_with_no_refills_authorized():
    decision = decide_refill(
        Rx(last_fill_date=None, refills_authorized=0, refills_used=0), day(1, WRITTEN)
    )
    assert decision.outcome is RefillOutcome.ALLOWED
    assert decision.earliest_date is None


@pytest.mark.parametrize(
    "rx, before, first_day",
    [
        (Rx(), 22, 23),  # 30-day supply x 0.75 = 22.5 -> 23
        (Rx(days_supply=90), 67, 68),  # 90-day supply x 0.75 = 67.5 -> 68
        (Rx(dea_schedule="IV"), 26, 27),  # controlled x 0.90 = 27
    ],
)
def test_each_too_soon_boundary_on_the_day_before_the_day_and_the_day_after(rx, before, first_day):
    assert decide_refill(rx, day(before)).outcome is RefillOutcome.TOO_SOON
    assert decide_refill(rx, day(first_day)).outcome is RefillOutcome.ALLOWED
    assert decide_refill(rx, day(first_day + 1)).outcome is RefillOutcome.ALLOWED


# R2: Schedule II ----------------------------------------------------------------------------------


@pytest.mark.parametrize("last_fill", [LAST_FILL, None])
def test_schedule_ii_is_never_refillable(last_fill):
    decision = decide_refill(Rx(dea_schedule="II", last_fill_date=last_fill), day(40))
    assert decision.outcome is RefillOutcome.NEEDS_NEW_PRESCRIPTION
    assert decision.reason_code == "schedule_ii"
    assert "new prescription" in decision.explanation


# R3: Schedule III-IV ------------------------------------------------------------------------------


@pytest.mark.parametrize("authorized", [5, 6])
def test_the_6th_refill_of_a_schedule_iv_drug_needs_renewal(authorized):
    decision = decide_refill(
        Rx(dea_schedule="IV", refills_authorized=authorized, refills_used=5), day(40)
    )
    assert decision.outcome is RefillOutcome.NEEDS_RENEWAL
    assert decision.reason_code == "controlled_refill_limit"


def test_the_5th_refill_of_a_schedule_iii_drug_is_allowed():
    rx = Rx(dea_schedule="III", refills_authorized=6, refills_used=4)
    assert decide_refill(rx, day(40)).outcome is RefillOutcome.ALLOWED


def test_the_5th_refill_of_a_schedule_iv_drug_is_allowed():
    rx = Rx(dea_schedule="IV", refills_authorized=5, refills_used=4)
    assert decide_refill(rx, day(40)).outcome is RefillOutcome.ALLOWED


def test_schedule_iv_a_day_before_6_months_is_refillable_and_two_days_after_is_not():
    rx = Rx(dea_schedule="IV", date_written=date(2025, 5, 20), last_fill_date=date(2025, 10, 20))
    assert decide_refill(rx, date(2025, 11, 19)).outcome is RefillOutcome.ALLOWED
    assert decide_refill(rx, date(2025, 11, 22)).reason_code == "controlled_expired"


def test_schedule_iv_written_exactly_6_months_ago_is_refillable_and_a_day_later_is_not():
    rx = Rx(dea_schedule="IV", date_written=date(2025, 5, 20), last_fill_date=date(2025, 10, 20))
    assert decide_refill(rx, date(2025, 11, 20)).outcome is RefillOutcome.ALLOWED
    decision = decide_refill(rx, date(2025, 11, 21))
    assert decision.outcome is RefillOutcome.NEEDS_RENEWAL
    assert decision.reason_code == "controlled_expired"


def test_six_months_are_calendar_months_clamped_at_month_end():
    rx = Rx(dea_schedule="III", date_written=date(2025, 8, 31), last_fill_date=date(2026, 1, 10))
    assert decide_refill(rx, date(2026, 2, 28)).outcome is RefillOutcome.ALLOWED  # 181 days
    assert decide_refill(rx, date(2026, 3, 1)).reason_code == "controlled_expired"


# R4: Schedule V -----------------------------------------------------------------------------------


def test_schedule_v_has_no_refill_cap_but_is_controlled():
    rx = Rx(dea_schedule="V", refills_authorized=11, refills_used=8)
    assert decide_refill(rx, day(27)).outcome is RefillOutcome.ALLOWED
    assert decide_refill(rx, day(26)).outcome is RefillOutcome.TOO_SOON
    assert not auto_refill_eligible(rx)


def test_schedule_v_expires_like_a_non_controlled_prescription():
    rx = Rx(dea_schedule="V", last_fill_date=day(340, WRITTEN))
    assert decide_refill(rx, day(366, WRITTEN)).reason_code == "expired"


# R5-R6: expiry and zero refills -------------------------------------------------------------------


def test_written_365_days_ago_is_refillable_and_366_days_ago_needs_renewal():
    rx = Rx(last_fill_date=day(330, WRITTEN))
    assert decide_refill(rx, day(365, WRITTEN)).outcome is RefillOutcome.ALLOWED
    decision = decide_refill(rx, day(366, WRITTEN))
    assert decision.outcome is RefillOutcome.NEEDS_RENEWAL
    assert decision.reason_code == "expired"
    assert decision.earliest_date is None


def test_written_364_days_ago_is_refillable_and_367_days_ago_needs_renewal():
    rx = Rx(last_fill_date=day(330, WRITTEN))
    assert decide_refill(rx, day(364, WRITTEN)).outcome is RefillOutcome.ALLOWED
    assert decide_refill(rx, day(367, WRITTEN)).reason_code == "expired"


def test_across_a_leap_day_the_year_is_365_days_so_never_longer_than_the_law_allows():
    rx = Rx(date_written=date(2024, 1, 10), last_fill_date=date(2024, 12, 1))
    assert decide_refill(rx, date(2025, 1, 9)).outcome is RefillOutcome.ALLOWED
    assert decide_refill(rx, date(2025, 1, 10)).reason_code == "expired"


def test_expiry_days_are_configurable_per_state():
    rx = Rx(last_fill_date=day(150, WRITTEN))
    config = RefillPolicyConfig(non_controlled_expiry_days=180)
    assert decide_refill(rx, day(181, WRITTEN), config).reason_code == "expired"


def test_zero_refills_left_needs_renewal():
    decision = decide_refill(Rx(refills_authorized=3, refills_used=3), day(40))
    assert decision.outcome is RefillOutcome.NEEDS_RENEWAL
    assert decision.reason_code == "no_refills_left"
    assert "prescriber" in decision.explanation


def test_one_refill_left_is_allowed_and_the_last_one_used_needs_renewal():
    assert decide_refill(Rx(refills_authorized=3, refills_used=2), day(40)).outcome is (
        RefillOutcome.ALLOWED
    )
    assert decide_refill(Rx(refills_authorized=3, refills_used=3), day(40)).outcome is (
        RefillOutcome.NEEDS_RENEWAL
    )


def test_a_due_date_after_expiry_becomes_a_renewal_not_a_promise():
    rx = Rx(last_fill_date=day(350, WRITTEN))  # due on day 373, expires after day 365
    decision = decide_refill(rx, day(355, WRITTEN))
    assert decision.outcome is RefillOutcome.NEEDS_RENEWAL
    assert decision.reason_code == "expires_before_due"
    assert decision.earliest_date is None


# Status and order of checks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", ["cancelled", "transferred_out", "expired", PrescriptionStatus.CANCELLED]
)
def test_a_prescription_that_is_not_active_cannot_be_refilled(status):
    decision = decide_refill(Rx(status=status), day(40))
    assert decision.outcome is RefillOutcome.NOT_ACTIVE
    assert decision.reason_code == "not_active"


def test_checks_run_status_then_schedule_ii_then_expiry_then_refills_then_timing():
    cancelled_ii = Rx(status="cancelled", dea_schedule="II")
    assert decide_refill(cancelled_ii, day(1)).reason_code == "not_active"
    old_ii = Rx(dea_schedule="II", date_written=date(2020, 1, 1))
    assert decide_refill(old_ii, day(1)).reason_code == "schedule_ii"
    expired_and_capped = Rx(dea_schedule="IV", refills_used=5, date_written=date(2025, 1, 1))
    assert decide_refill(expired_and_capped, day(1)).reason_code == "controlled_expired"
    empty_and_early = Rx(refills_authorized=1, refills_used=1)
    assert decide_refill(empty_and_early, day(1)).reason_code == "no_refills_left"


def test_works_with_the_real_model_without_a_database():
    rx = Prescription(
        rx_number="RX9",
        medicine_name="Lisinopril",
        days_supply=30,
        refills_authorized=2,
        refills_used=0,
        date_written=WRITTEN,
        dea_schedule=None,
        last_fill_date=LAST_FILL,
        status=PrescriptionStatus.ACTIVE,
        is_maintenance=True,
        is_specialty=False,
    )
    assert decide_refill(rx, day(23)).outcome is RefillOutcome.ALLOWED
    assert auto_refill_eligible(rx)


def test_an_unknown_schedule_is_an_error_not_treated_as_uncontrolled():
    with pytest.raises(ValueError, match="RX1001"):
        decide_refill(Rx(dea_schedule="VI"), day(23))


# Explanations -------------------------------------------------------------------------------------

DATE_WORDS = re.compile(
    r"\d|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"january|february|march|april|may |june|july|august|september|october|"
    r"november|december|tomorrow|today|week|days",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "rx, today",
    [
        (Rx(refills_authorized=1, refills_used=1), day(40)),
        (Rx(last_fill_date=day(330, WRITTEN)), day(366, WRITTEN)),
        (Rx(dea_schedule="IV", refills_used=5), day(40)),
        (Rx(dea_schedule="IV", last_fill_date=date(2026, 3, 1)), date(2026, 4, 2)),
        (Rx(last_fill_date=day(350, WRITTEN)), day(355, WRITTEN)),
        (Rx(dea_schedule="II"), day(40)),
    ],
)
def test_renewal_explanations_never_promise_a_date(rx, today):
    decision = decide_refill(rx, today)
    assert decision.outcome in (RefillOutcome.NEEDS_RENEWAL, RefillOutcome.NEEDS_NEW_PRESCRIPTION)
    assert decision.earliest_date is None
    assert not DATE_WORDS.search(decision.explanation), decision.explanation


def test_every_sentence_is_short_and_only_too_soon_has_a_placeholder():
    for code, text in EXPLANATIONS.items():
        assert 0 < len(text) <= 160, code
        assert ("{date}" in text) == (code == "too_soon"), code


# Configuration ------------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_config_defaults_match_the_rules(clean_env):
    config = RefillPolicyConfig.from_env()
    assert config == RefillPolicyConfig()
    assert (config.default_threshold, config.controlled_threshold) == (0.75, 0.90)
    assert config.non_controlled_expiry_days == 365
    assert (config.schedule_3_4_max_refills, config.schedule_3_4_expiry_months) == (5, 6)


def test_config_reads_the_environment(clean_env):
    clean_env.setenv("REFILL_THRESHOLD", "0.8")
    clean_env.setenv("REFILL_THRESHOLD_CONTROLLED", " 0.95 ")
    clean_env.setenv("RX_EXPIRY_DAYS", "730")
    config = RefillPolicyConfig.from_env()
    assert (config.default_threshold, config.controlled_threshold) == (0.8, 0.95)
    assert config.non_controlled_expiry_days == 730


def test_class_thresholds_come_from_the_environment(clean_env):
    clean_env.setenv("REFILL_THRESHOLDS_BY_CLASS", "Statin=0.8, proton pump inhibitor = 0.7,")
    config = RefillPolicyConfig.from_env()
    assert dict(config.thresholds_by_class) == {"statin": 0.8, "proton pump inhibitor": 0.7}


@pytest.mark.parametrize(
    "name, value",
    [
        ("REFILL_THRESHOLDS_BY_CLASS", "statin"),
        ("REFILL_THRESHOLDS_BY_CLASS", "statin=1.5"),
        ("REFILL_THRESHOLDS_BY_CLASS", "=0.8"),
        ("REFILL_THRESHOLDS_BY_CLASS", "statin=most"),
        ("REFILL_THRESHOLDS_BY_CLASS", "statins=0.8"),
        ("REFILL_THRESHOLD", "abc"),
        ("REFILL_THRESHOLD", "75"),
        ("REFILL_THRESHOLD", "0"),
        ("REFILL_THRESHOLD_CONTROLLED", "nan"),
        ("RX_EXPIRY_DAYS", "a year"),
        ("RX_EXPIRY_DAYS", "-1"),
        ("RX_EXPIRY_DAYS", "365.5"),
    ],
)
def test_a_malformed_environment_value_is_named_in_the_error(clean_env, name, value):
    clean_env.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        RefillPolicyConfig.from_env()


def test_config_is_immutable_and_validated():
    config = RefillPolicyConfig(thresholds_by_class={"statin": 0.8})
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.default_threshold = 0.5
    with pytest.raises(TypeError):
        config.thresholds_by_class["statin"] = 0.1
    with pytest.raises(ValueError, match="statin"):
        RefillPolicyConfig(thresholds_by_class={"statin": 1.5})


# R7: auto-refill ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rx, code",
    [
        (Rx(), "auto_refill.eligible"),
        (Rx(dea_schedule="II"), "auto_refill.controlled"),
        (Rx(dea_schedule="IV"), "auto_refill.controlled"),
        (Rx(dea_schedule="V"), "auto_refill.controlled"),
        (Rx(is_specialty=True), "auto_refill.specialty"),
        (Rx(is_maintenance=False), "auto_refill.not_maintenance"),
        (Rx(status="cancelled"), "auto_refill.not_active"),
    ],
)
def test_auto_refill_is_for_active_maintenance_medicines_only(rx, code):
    decision = auto_refill_eligibility(rx)
    assert decision.reason_code == code
    assert decision.eligible is (code == "auto_refill.eligible")
    assert auto_refill_eligible(rx) is decision.eligible
    assert decision.explanation == EXPLANATIONS[code]


def test_otc_products_are_never_auto_refilled():
    product = SimpleNamespace(
        status="active", dea_schedule=None, is_otc=True, is_maintenance=True, is_specialty=False
    )
    assert auto_refill_eligibility(product).reason_code == "auto_refill.otc"
