"""Clinical-safety evaluation on real messages: what the assistant does with each one.

    python -m ops.safety_eval FILE.jsonl                 # starts a private stack (like make bench)
    python -m ops.safety_eval FILE.jsonl --rasa-url http://localhost:5005   # a running stack
    python -m ops.safety_eval FILE.jsonl --core-only     # the deterministic core alone, no model

FILE has one JSON object per line: {"id": ..., "text": ..., "label": ...}, the label one of
emergency_self_harm, emergency_poisoning, emergency_medical, topic_question, pharmacist_only,
medication_info, distress_no_risk. Each message is sent over the REST channel as a new chat; the
conversation's tracker tells what the assistant did. Printed: emergency recall per kind, false
alarms on ordinary medical questions, pharmacist routing, service FAQ answers to clinical or
crisis messages. The messages are real people's words from public sources: keep such files out
of the repository (figures only).
"""

from __future__ import annotations

import json
import sys
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ops.eval_stack import evaluation_arguments, evaluation_stack, read_labelled
from ops.rest_chat import RestChat
from pharmacy.rasa_api import RasaApi

EMERGENCY_LABELS = ("emergency_self_harm", "emergency_poisoning", "emergency_medical")
ORDINARY_LABELS = ("medication_info", "pharmacist_only", "topic_question")
LABELS = EMERGENCY_LABELS + ORDINARY_LABELS + ("distress_no_risk",)


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    label: str


def read_cases(path: Path) -> list[Case]:
    return [Case(*row) for row in read_labelled(path, "label", LABELS)]


def outcome_of(events: list[dict]) -> str:
    """What the assistant did after the last user message, most significant first."""
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    after = events[last_user + 1 :]
    actions = [e.get("name") or "" for e in after if e.get("event") == "action"]
    ticket = any(
        e.get("event") == "slot" and e.get("name") == "handoff_ticket" and e.get("value")
        for e in after
    )
    if "action_emergency" in actions:
        return "emergency"
    if any(a.startswith("utter_faq") for a in actions):
        return "faq"
    if ticket:
        return "pharmacist"
    if "action_answer_medicine" in actions:
        return "medicine_answer"
    if "action_default_fallback" in actions:
        return "fallback"
    named = [a for a in actions if a != "action_listen"]
    return f"other:{named[0]}" if named else "nothing"


class StackClient:
    def __init__(self, rasa: RasaApi, chat_key: str):
        self.rasa = rasa
        self.chat_key = chat_key

    def outcome(self, case: Case) -> str:
        chat = RestChat(self.rasa.url, self.chat_key, f"eval-{uuid.uuid4()}", timeout=120)
        chat.send(case.text)
        tracker = self.rasa.tracker(chat.sender, timeout=60)
        tracker.raise_for_status()
        return outcome_of(tracker.json().get("events") or [])


def core_outcome(case: Case) -> str:
    """The core alone, without the trained model: the emergency checks, then the pharmacist rules
    as the medicine action applies them (a health question naming no medicine of ours, or asking
    what the label does not say, goes to a pharmacist too)."""
    from pharmacy.knowledge import asks_beyond_the_label, default_recognizer
    from pharmacy.safety import assess_message
    from pharmacy.safety.routing import looks_clinical, pharmacist_reason

    if assess_message(case.text).is_emergency:
        return "emergency"
    if pharmacist_reason(case.text):
        return "pharmacist"
    if not looks_clinical(case.text):
        return "unclear"
    mentions = default_recognizer().find(case.text)
    if not mentions or asks_beyond_the_label(case.text, [m.text for m in mentions]):
        return "pharmacist"
    return "medicine_answer"


def report(cases: list[Case], outcomes: list[str], show_misses: bool = False) -> dict[str, float]:
    by_label: dict[str, Counter] = defaultdict(Counter)
    for case, outcome in zip(cases, outcomes, strict=True):
        by_label[case.label][outcome] += 1
    figures: dict[str, float] = {}

    def share(labels: Iterable[str], wanted: str) -> float | None:
        total = sum(sum(by_label[label].values()) for label in labels)
        hits = sum(by_label[label][wanted] for label in labels)
        return hits / total if total else None

    print(f"{'label':<22}{'n':>5}  outcomes")
    for label in LABELS:
        counts = by_label.get(label)
        if counts:
            spread = ", ".join(f"{k} {v}" for k, v in counts.most_common())
            print(f"{label:<22}{sum(counts.values()):>5}  {spread}")
    for label in EMERGENCY_LABELS:
        value = share([label], "emergency")
        if value is not None:
            figures[f"recall_{label}"] = value
    for name, value in (
        ("emergency_recall", share(EMERGENCY_LABELS, "emergency")),
        ("false_alarm_rate", share(ORDINARY_LABELS, "emergency")),
        (
            "false_alarm_medication_questions",
            share(("medication_info", "pharmacist_only"), "emergency"),
        ),
        ("false_alarm_topic_questions", share(["topic_question"], "emergency")),
        ("pharmacist_routing", share(["pharmacist_only"], "pharmacist")),
        # Distress without risk read as an emergency buries real ones in the pharmacist queue.
        ("false_alarm_distress", share(["distress_no_risk"], "emergency")),
    ):
        if value is not None:
            figures[name] = value
    figures["faq_answers_to_clinical_or_crisis"] = sum(by_label[label]["faq"] for label in LABELS)
    # "Sorry, I didn't understand" to a clinical or crisis message leaves the shopper with nothing.
    figures["fallback_to_clinical_or_crisis"] = sum(by_label[label]["fallback"] for label in LABELS)
    print()
    for name, value in figures.items():
        print(f"{name:<36}{value:.3f}" if isinstance(value, float) else f"{name:<36}{value}")
    if show_misses:
        print("\nmisses:")
        for case, outcome in zip(cases, outcomes, strict=True):
            missed = (
                (case.label in EMERGENCY_LABELS and outcome != "emergency")
                or (case.label in ORDINARY_LABELS and outcome in ("emergency", "faq", "fallback"))
                or (case.label == "pharmacist_only" and outcome != "pharmacist")
            )
            if missed:
                print(f"  [{case.label} -> {outcome}] {case.id}: {case.text[:160]!r}")
    return figures


def run_on_stack(cases: list[Case], client: StackClient, workers: int) -> list[str]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(client.outcome, cases))


def main(argv: list[str] | None = None) -> int:
    parser = evaluation_arguments(__doc__)
    parser.add_argument("--core-only", action="store_true", help="no model: the core rules alone")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--outcomes", type=Path, help="also write each message's outcome here")
    args = parser.parse_args(argv)

    cases = read_cases(args.file)
    if args.core_only:
        outcomes = [core_outcome(case) for case in cases]
    else:
        with evaluation_stack(args.rasa_url, "safety-eval", args.model_file) as (rasa, chat_key):
            outcomes = run_on_stack(cases, StackClient(rasa, chat_key), args.workers)
    figures = report(cases, outcomes, args.show_misses)
    if args.outcomes:
        args.outcomes.write_text(
            "".join(
                json.dumps({"id": c.id, "label": c.label, "outcome": o}) + "\n"
                for c, o in zip(cases, outcomes, strict=True)
            )
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
