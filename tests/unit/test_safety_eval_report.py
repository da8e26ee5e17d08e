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


def test_false_alarms_on_topic_questions_and_fallbacks_are_counted_apart():
    cases = [
        Case("1", "made up", "topic_question"),
        Case("2", "made up", "topic_question"),
        Case("3", "made up", "topic_question"),
        Case("4", "made up", "medication_info"),
        Case("5", "made up", "emergency_poisoning"),
    ]
    outcomes = ["emergency", "pharmacist", "fallback", "fallback", "emergency"]
    figures = report(cases, outcomes)
    assert figures["false_alarm_topic_questions"] == pytest.approx(1 / 3)
    assert figures["false_alarm_medication_questions"] == 0.0
    assert figures["fallback_to_clinical_or_crisis"] == 2
    assert figures["recall_emergency_poisoning"] == 1.0
