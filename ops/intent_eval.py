"""Intent accuracy on real messages, per class, the macro and the confusions.

    python -m ops.intent_eval FILE.jsonl                  # starts a private stack (like make bench)
    python -m ops.intent_eval FILE.jsonl --rasa-url http://localhost:5005   # a running stack
    python -m ops.intent_eval FILE.jsonl --model          # the model's /model/parse, no dialogue

FILE has one JSON object per line: {"id": ..., "text": ..., "intent": ...}, the intent one of the
classes below. Over the REST channel each message is a new chat and the intent is what the
conversation's tracker recorded for it (after the message guard); with --model it is what
/model/parse says. The messages are real people's words from public sources: keep such files out
of the repository (figures only).
"""

from __future__ import annotations

import json
import sys
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

from ops.eval_stack import evaluation_arguments, evaluation_stack, read_labelled
from ops.rest_chat import RestChat

# The seven classes of issue 15; each is met by any of its intents.
CLASSES: dict[str, tuple[str, ...]] = {
    "medication_question": ("ask_medicine_info",),
    "delivery_tracking": ("track_order", "report_delivery_problem"),
    "refill": ("request_refill",),
    "request_human": ("request_human",),
    "greet": ("greet",),
    "goodbye": ("goodbye",),
    "out_of_scope": ("out_of_scope",),
}


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    intent: str


def read_cases(path: Path) -> list[Case]:
    return [Case(*row) for row in read_labelled(path, "intent", CLASSES)]


def is_hit(expected: str, predicted: str) -> bool:
    return predicted in CLASSES[expected]


def score(cases: list[Case], predicted: list[str]) -> dict[str, object]:
    """Per-class accuracy, their unweighted mean and, per class, what the misses were read as."""
    totals: Counter = Counter()
    hits: Counter = Counter()
    confusions: dict[str, Counter] = defaultdict(Counter)
    for case, intent in zip(cases, predicted, strict=True):
        totals[case.intent] += 1
        if is_hit(case.intent, intent):
            hits[case.intent] += 1
        else:
            confusions[case.intent][intent] += 1
    accuracy = {name: hits[name] / totals[name] for name in CLASSES if totals[name]}
    macro = sum(accuracy.values()) / len(accuracy) if accuracy else 0.0
    return {
        "accuracy": accuracy,
        "counts": {name: totals[name] for name in accuracy},
        "macro": macro,
        "confusions": {k: dict(v.most_common()) for k, v in confusions.items()},
    }


def print_report(figures: dict, top: int = 5) -> None:
    print(f"{'class':<22}{'n':>5}{'accuracy':>10}  read instead as")
    for name, value in figures["accuracy"].items():
        wrong = figures["confusions"].get(name, {})
        spread = ", ".join(f"{k} {v}" for k, v in list(wrong.items())[:top])
        print(f"{name:<22}{figures['counts'][name]:>5}{value:>10.3f}  {spread}")
    print(f"{'macro':<27}{figures['macro']:>10.3f}")


def intent_from_events(events: list[dict]) -> str:
    """The intent the conversation recorded for its last user message."""
    users = [e for e in events if e.get("event") == "user"]
    if not users:
        return "none"
    return ((users[-1].get("parse_data") or {}).get("intent") or {}).get("name") or "none"


def stack_classifier(rasa, chat_key: str) -> Callable[[Case], str]:
    def classify(case: Case) -> str:
        chat = RestChat(rasa.url, chat_key, f"intent-eval-{uuid.uuid4()}", timeout=120)
        chat.send(case.text)
        tracker = rasa.tracker(chat.sender, timeout=60)
        tracker.raise_for_status()
        return intent_from_events(tracker.json().get("events") or [])

    return classify


def parse_classifier(rasa) -> Callable[[Case], str]:
    def classify(case: Case) -> str:
        response = requests.post(
            f"{rasa.url}/model/parse", json={"text": case.text}, headers=rasa.headers(), timeout=60
        )
        response.raise_for_status()
        return (response.json().get("intent") or {}).get("name") or "none"

    return classify


def classify_all(cases: list[Case], classify: Callable[[Case], str], workers: int) -> list[str]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(classify, cases))


def main(argv: list[str] | None = None) -> int:
    parser = evaluation_arguments(__doc__)
    parser.add_argument("--model", action="store_true", help="the model's /model/parse only")
    args = parser.parse_args(argv)

    cases = read_cases(args.file)
    with evaluation_stack(args.rasa_url, "intent-eval", args.model_file) as (rasa, chat_key):
        classify = parse_classifier(rasa) if args.model else stack_classifier(rasa, chat_key)
        predicted = classify_all(cases, classify, args.workers)
    figures = score(cases, predicted)
    print_report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
