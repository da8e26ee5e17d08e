"""Fit the emergency classifier on our example sentences and save its weights beside them.

    python -m ops.emergency_classifier            # refit and save pharmacy/safety/classifier_weights.npz
    python -m ops.emergency_classifier --check    # exit 1 if the saved weights are stale

Run it after changing pharmacy/safety/examples/ (a unit test fails until it is run).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pharmacy.safety.classifier import (
    WEIGHTS,
    EmergencyClassifier,
    encoder_identity,
    examples_digest,
    load_examples,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="only say whether the saved weights match the examples (exit 1 if not)",
    )
    args = parser.parse_args(argv)
    from pharmacy.encoder import default_encoder

    encoder = default_encoder()
    examples = load_examples()
    digest = examples_digest(examples, encoder_identity(encoder))
    saved = EmergencyClassifier.saved()
    if args.check:
        fresh = saved is not None and saved.digest == digest
        print(f"{WEIGHTS.name}: {'up to date' if fresh else 'stale, refit it'}")
        return 0 if fresh else 1
    classifier = EmergencyClassifier.fitted(encoder, examples)
    classifier.save()
    counts = ", ".join(f"{name} {len(examples[name])}" for name in classifier.classes)
    print(f"saved {WEIGHTS.name}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
