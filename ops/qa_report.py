"""The QA report: runs the conversation test stories and the NLU test set against the trained model
and writes one readable page about them.

    python -m ops.qa_report                       # tests/test_stories.yml and tests/nlu_test.yml
    python -m ops.qa_report --stories F --nlu F   # other files (e.g. a QA engineer's draft)

The folder it prints holds ``report.html`` (failed stories step by step, with what was expected
and what the assistant did; per-intent scores; misread messages; the confusion matrix) and Rasa's
own outputs beside it. Exit code 1 when a story failed (so a pipeline can stop on it), else 0:
misread NLU examples are reported, not failed, since the gate on them is ``ops.nlu_gate``.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from ops.model_cache import ensure_model
from pharmacy.settings import PROJECT_ROOT

STORIES = PROJECT_ROOT / "tests" / "test_stories.yml"
NLU_TEST_SET = PROJECT_ROOT / "tests" / "nlu_test.yml"
REPORTS = PROJECT_ROOT / "results" / "qa"
SUMMARY_ROWS = ("micro avg", "macro avg", "weighted avg", "accuracy")
# Rasa marks a wrong step of a failed story as "- action: expected  # predicted: actual".
_PREDICTED = re.compile(
    r"^\s*-\s*(action|intent|active_loop|slot_was_set):\s*(.*?)\s+# predicted: (.*)$"
)
# ... and names the story "<name> (<file>)".
_STORY_NAME = re.compile(r"^(.*) \((.*)\)$")


@dataclass(frozen=True)
class Step:
    kind: str  # "user", "intent", "action", ...
    value: str
    predicted: str | None = None  # what the assistant did instead, on the step that failed

    @property
    def failed(self) -> bool:
        return self.predicted is not None


@dataclass
class FailedStory:
    name: str
    steps: list[Step] = field(default_factory=list)


def failed_stories(failed_file: Path, source: Path) -> list[FailedStory]:
    """The failed stories of ``rasa test core``, each with the shopper's messages taken back from
    ``source`` (Rasa's file keeps only intents) and the wrong steps marked."""
    if not failed_file.is_file():
        return []
    messages = _user_messages(source)
    stories: list[FailedStory] = []
    for line in failed_file.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("- story:"):
            name = stripped[len("- story:") :].strip()
            match = _STORY_NAME.match(name)
            stories.append(FailedStory(match.group(1) if match else name))
            continue
        if not stories:
            continue
        wrong = _PREDICTED.match(line)
        if wrong:
            stories[-1].steps.append(Step(wrong.group(1), wrong.group(2), wrong.group(3).strip()))
        elif stripped.startswith("- ") and ":" in stripped and stripped != "- steps:":
            kind, _, value = stripped[2:].partition(":")
            stories[-1].steps.append(Step(kind.strip(), value.strip()))
    for story in stories:
        story.steps = _with_messages(story.steps, messages.get(story.name, []))
    return stories


def _user_messages(source: Path) -> dict[str, list[str]]:
    """Story name -> the texts the shopper types in it, in order."""
    data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    return {
        str(story.get("story")): [
            str(step["user"]).strip() for step in story.get("steps", []) if "user" in step
        ]
        for story in data.get("stories", [])
    }


def _with_messages(steps: list[Step], texts: list[str]) -> list[Step]:
    """Each intent step preceded by the message that carried it."""
    out: list[Step] = []
    remaining = iter(texts)
    for step in steps:
        if step.kind == "intent":
            text = next(remaining, None)
            if text is not None:
                out.append(Step("user", text))
        out.append(step)
    return out


def run_rasa_tests(model: Path, stories: Path, nlu: Path, out: Path) -> None:
    rasa = str(Path(sys.executable).parent / "rasa")
    common = ["--model", str(model)]
    subprocess.run(
        [rasa, "test", "core", "--stories", str(stories), "--out", str(out / "stories"), *common],
        cwd=PROJECT_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [rasa, "test", "nlu", "--nlu", str(nlu), "--out", str(out / "nlu"), *common],
        cwd=PROJECT_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def render_report(out: Path, stories_file: Path, nlu_file: Path, model: Path) -> tuple[str, int]:
    """The page's HTML and the number of failed stories."""
    failed = failed_stories(out / "stories" / "failed_test_stories.yml", stories_file)
    story_total = len(_user_messages(stories_file))
    intents = json.loads((out / "nlu" / "intent_report.json").read_text(encoding="utf-8"))
    errors_path = out / "nlu" / "intent_errors.json"
    errors = json.loads(errors_path.read_text(encoding="utf-8")) if errors_path.is_file() else []
    e = html.escape
    parts = [
        "<!doctype html><meta charset='utf-8'><title>QA report</title>",
        "<style>body{font:15px system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
        ".bad{background:#fde2e2}.ok{color:#2b6b2b}code{background:#f3f3f3}</style>",
        "<h1>QA report</h1>",
        f"<p>Model <code>{e(model.name)}</code>, {datetime.now():%Y-%m-%d %H:%M}.<br>"
        f"Stories: <code>{e(str(stories_file))}</code>; NLU test set: <code>{e(str(nlu_file))}</code>.</p>",
        f"<h2>Conversation stories: {story_total - len(failed)} of {story_total} passed</h2>",
    ]
    if not failed:
        parts.append("<p class='ok'>Every story went as written.</p>")
    for story in failed:
        parts.append(f"<h3 class='bad'>Failed: {e(story.name)}</h3><table>")
        parts.append("<tr><th>step</th><th>expected</th><th>the assistant did</th></tr>")
        for step in story.steps:
            if step.kind == "user":
                parts.append(f"<tr><td>shopper types</td><td colspan=2>“{e(step.value)}”</td></tr>")
                continue
            row_class = " class='bad'" if step.failed else ""
            did = e(step.predicted) if step.predicted is not None else "as expected"
            parts.append(
                f"<tr{row_class}><td>{e(step.kind)}</td><td><code>{e(step.value)}</code></td>"
                f"<td>{did}</td></tr>"
            )
        parts.append("</table>")
    weighted = intents.get("weighted avg", {}).get("f1-score")
    parts.append(
        "<h2>Intents</h2>"
        + (f"<p>Weighted F1 {weighted:.3f}.</p>" if weighted is not None else "")
        + "<table><tr><th>intent</th><th>precision</th><th>recall</th><th>F1</th>"
        "<th>examples</th><th>confused with</th></tr>"
    )
    for name, row in sorted(intents.items()):
        if name in SUMMARY_ROWS or not isinstance(row, dict):
            continue
        confused = ", ".join(f"{k} ({v})" for k, v in (row.get("confused_with") or {}).items())
        row_class = " class='bad'" if row.get("f1-score", 1.0) < 1.0 else ""
        parts.append(
            f"<tr{row_class}><td>{e(name)}</td><td>{row['precision']:.2f}</td>"
            f"<td>{row['recall']:.2f}</td><td>{row['f1-score']:.2f}</td>"
            f"<td>{row['support']}</td><td>{e(confused)}</td></tr>"
        )
    parts.append("</table>")
    parts.append(f"<h2>Misread messages: {len(errors)}</h2>")
    if errors:
        parts.append(
            "<table><tr><th>message</th><th>expected</th><th>read as</th><th>confidence</th></tr>"
        )
        for error in errors:
            predicted = error.get("intent_prediction") or {}
            parts.append(
                f"<tr><td>{e(str(error.get('text')))}</td><td>{e(str(error.get('intent')))}</td>"
                f"<td>{e(str(predicted.get('name')))}</td>"
                f"<td>{float(predicted.get('confidence') or 0):.2f}</td></tr>"
            )
        parts.append("</table>")
    parts.append(
        "<h2>Confusion matrix</h2><p>Rows: the intent written in the test set; columns: what the "
        "model read.</p><img alt='intent confusion matrix' style='max-width:100%' "
        "src='nlu/intent_confusion_matrix.png'>"
    )
    return "\n".join(parts) + "\n", len(failed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--stories", type=Path, default=STORIES)
    parser.add_argument("--nlu", type=Path, default=NLU_TEST_SET)
    parser.add_argument(
        "--out", type=Path, help="folder for the report (default results/qa/<time>)"
    )
    parser.add_argument("--model", type=Path, help="a trained model (default: the current one)")
    args = parser.parse_args(argv)
    out = args.out or REPORTS / datetime.now().strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    model = args.model or ensure_model()
    run_rasa_tests(model, args.stories.resolve(), args.nlu.resolve(), out)
    page, failures = render_report(out, args.stories.resolve(), args.nlu.resolve(), model)
    (out / "report.html").write_text(page, encoding="utf-8")
    print(f"{failures} failed stories; report: {out / 'report.html'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
