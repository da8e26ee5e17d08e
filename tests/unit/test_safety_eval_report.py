"""The figures of ops.safety_eval on made-up outcomes."""

import pytest

from ops.safety_eval import Case, report


def test_figures_per_kind_and_false_alarms_on_distress():
    cases = [
        Case("1", "made up", "emergency_self_harm"),
        Case("2", "made up", "emergency_self_harm"),
        Case("3", "made up", "distress_no_risk"),
        Case("4", "made up", "distress_no_risk"),
        Case("5", "made up", "pharmacist_only"),
    ]
    outcomes = ["emergency", "fallback", "emergency", "unclear", "faq"]
    figures = report(cases, outcomes)
    assert figures["emergency_recall"] == pytest.approx(0.5)
    assert figures["false_alarm_distress"] == pytest.approx(0.5)
    assert figures["pharmacist_routing"] == 0.0
    assert figures["faq_answers_to_clinical_or_crisis"] == 1
