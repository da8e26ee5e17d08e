"""The NLU quality gate of `make test`: the held-out test set (tests/nlu_test.yml, never used for
training) must reach weighted intent F1 >= 0.90 and emergency recall 1.0. Prints the report per
intent either way."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ops.model_cache import ensure_model
from pharmacy.settings import PROJECT_ROOT

TEST_SET = PROJECT_ROOT / "tests" / "nlu_test.yml"
OUT = PROJECT_ROOT / "results" / "nlu"
MIN_WEIGHTED_F1 = 0.90
EMERGENCY_INTENT = "emergency"


def evaluate() -> dict:
    subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "test",
            "nlu",
            "--nlu",
            str(TEST_SET),
            "--model",
            str(ensure_model()),
            "--out",
            str(OUT),
            "--no-plot",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return json.loads((OUT / "intent_report.json").read_text())


def main() -> int:
    report = evaluate()
    print(f"{'intent':<26}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
    for name, row in sorted(report.items()):
        if (
            isinstance(row, dict)
            and "support" in row
            and name not in ("micro avg", "macro avg", "weighted avg")
        ):
            print(
                f"{name:<26}{row['precision']:>10.2f}{row['recall']:>8.2f}"
                f"{row['f1-score']:>8.2f}{row['support']:>9}"
            )
    weighted = report["weighted avg"]["f1-score"]
    emergency_recall = report.get(EMERGENCY_INTENT, {}).get("recall", 0.0)
    print(
        f"weighted F1 {weighted:.3f} (gate {MIN_WEIGHTED_F1}), "
        f"emergency recall {emergency_recall:.3f} (gate 1.0); details in {OUT}"
    )
    if weighted < MIN_WEIGHTED_F1 or emergency_recall < 1.0:
        print("NLU gate FAILED", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
