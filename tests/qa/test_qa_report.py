"""The QA report command, shown on deliberately broken copies of our test files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ops import qa_report

# What `rasa test core` writes for a failed story (its format, our content).
FAILED_FILE = """version: "3.1"
stories:
- story: tracks an order (/somewhere/stories.yml)
  steps:
  - intent: greet
  - action: utter_greet
  - intent: track_order  # predicted: goodbye: where is my parcel
  - action: action_track_order  # predicted: utter_goodbye
"""
SOURCE = """version: "3.1"
stories:
  - story: tracks an order
    steps:
      - user: hello
        intent: greet
      - action: utter_greet
      - user: where is my parcel
        intent: track_order
      - action: action_track_order
"""


def test_failed_story_shows_each_message_and_the_wrong_steps(tmp_path: Path) -> None:
    (tmp_path / "failed.yml").write_text(FAILED_FILE)
    (tmp_path / "stories.yml").write_text(SOURCE)
    [story] = qa_report.failed_stories(tmp_path / "failed.yml", tmp_path / "stories.yml")
    assert story.name == "tracks an order"
    assert [(s.kind, s.value, s.predicted) for s in story.steps] == [
        ("user", "hello", None),
        ("intent", "greet", None),
        ("action", "utter_greet", None),
        ("user", "where is my parcel", None),
        ("intent", "track_order", "goodbye: where is my parcel"),
        ("action", "action_track_order", "utter_goodbye"),
    ]


def test_no_failed_file_means_no_failed_story(tmp_path: Path) -> None:
    (tmp_path / "stories.yml").write_text(SOURCE)
    assert qa_report.failed_stories(tmp_path / "missing.yml", tmp_path / "stories.yml") == []


@pytest.mark.model
def test_report_on_a_broken_copy_names_what_went_wrong(tmp_path: Path) -> None:
    stories = yaml.safe_load(qa_report.STORIES.read_text())
    first = stories["stories"][0]
    actions = [step for step in first["steps"] if "action" in step]
    expected_first_reply = actions[0]["action"]
    actions[0]["action"] = "utter_goodbye"  # the deliberate break: the first reply is wrong
    broken_stories = tmp_path / "broken_stories.yml"
    broken_stories.write_text(yaml.safe_dump({"version": "3.1", "stories": [first]}))
    broken_nlu = tmp_path / "broken_nlu.yml"
    broken_nlu.write_text(
        'version: "3.1"\nnlu:\n  - intent: greet\n    examples: |\n      - hello there\n'
        "      - where is my order EP-100001\n"  # labelled greet on purpose
        "  - intent: goodbye\n    examples: |\n      - bye for now\n"
    )
    out = tmp_path / "report"
    code = qa_report.main(
        ["--stories", str(broken_stories), "--nlu", str(broken_nlu), "--out", str(out)]
    )
    page = (out / "report.html").read_text()
    assert code == 1
    assert "0 of 1 passed" in page and f"Failed: {first['story']}" in page
    assert "<code>utter_goodbye</code></td><td>" + expected_first_reply in page
    assert "where is my order EP-100001" in page  # the misread example, expected greet
    assert (out / "nlu" / "intent_confusion_matrix.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
