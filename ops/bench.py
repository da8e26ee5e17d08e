"""`make bench`: figures for speed and size, measured on a private stack (never asserted in tests).

Prints: time from start to ready with a cached model, memory (RSS) of each service, and turn
latency (p50/p95) over Rasa's REST channel for a greeting, a tracking answer with the carrier
healthy, the three turns of a refill (offer, summary, cancel), and a tracking answer with the
carrier timing out; in process, the cost of the emergency checks and of the sentence features
on one message; and the time of a full training from an empty Rasa cache (`--no-train` skips it).

Then the load (ops/load/): simulated shoppers at 1, 8 and 32 concurrent conversations against
our stack, the same load shape against Rasa's starter assistant made by `rasa init` in the same
run, a table per level, the ratios ours/starter, and a JSON file (`--seconds`, `--levels`,
`--json`, `--no-starter`). `--load-only` skips the single-turn figures: only the load runs, for
a quick before/after of one change (CPU ms per answered turn of each service is the figure least
moved by other work on the machine). `--scaled` measures ours scaled out (ops/scaled_stack.py:
two Rasa and two action servers behind nginx, Redis, PostgreSQL) instead of the single stack.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from ops.load.bench import LoadBench, add_arguments
from ops.model_cache import ensure_model
from ops.rest_chat import RestChat
from ops.run_scaled import scale_database_url
from ops.scaled_stack import ScaledStack
from ops.stack import Stack, StackConfig, interrupt_on_signals, private_stack_config
from pharmacy import repositories
from pharmacy.access.login_tokens import METADATA_KEY as LOGIN_TOKEN_KEY
from pharmacy.database import session_scope
from pharmacy.models import ShipmentStatus
from pharmacy.settings import PROJECT_ROOT


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed_turns(count: int, turn: Callable[[int], object]) -> list[float]:
    samples = []
    for index in range(count):
        started = time.perf_counter()
        turn(index)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def report(name: str, samples: list[float]) -> None:
    print(
        f"  {name:<44} n={len(samples):<3} p50={statistics.median(samples):7.0f} ms"
        f"  p95={percentile(samples, 0.95):7.0f} ms  max={max(samples):7.0f} ms",
        flush=True,
    )


# Messages of the lengths shoppers write, for the per-message cost of the emergency checks.
_SAFETY_SAMPLES = [
    "where is my order",
    "can i take ibuprofen with my blood pressure pills, i have had a headache for two days",
    "I have been on sertraline for a month. It helped at first but lately I feel flat and tired. "
    "My doctor is away. Should I change the dose or wait until I can see her again next week?",
]


def safety_check_figures(rounds: int = 20) -> None:
    """In-process cost of assess_message (patterns, then the sentence encoder's meaning check)."""
    from pharmacy.safety import assess_message
    from pharmacy.safety.semantic import default_semantic_check

    started = time.perf_counter()
    default_semantic_check()
    print(f"emergency meaning check loaded in {time.perf_counter() - started:.1f} s")
    for text in _SAFETY_SAMPLES:

        def check(_: int, text: str = text) -> object:
            return assess_message(text)

        report(f"emergency checks, {len(text.split())}-word message", timed_turns(rounds, check))


def featurizer_figures(rounds: int = 20) -> None:
    """In-process cost of the pipeline's SentenceFeaturizer on one message (issue 15: p95 <= 15 ms)."""
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from rasa_components.sentence_featurizer import SentenceFeaturizer

    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = SentenceFeaturizer(SentenceFeaturizer.get_default_config())
    for text in _SAFETY_SAMPLES:

        def featurize(_: int, text: str = text) -> object:
            message = Message(data={TEXT: text})
            tokenizer.process([message])
            return featurizer.process([message])

        featurize(0)  # the first call loads the encoder
        report(
            f"sentence features, {len(text.split())}-word message", timed_turns(rounds, featurize)
        )


def in_transit_order(url: str) -> tuple:
    with session_scope(url) as session:
        customer = repositories.customer_by_reference(session, "C-1001")
        if customer is None:
            raise RuntimeError("demo data has no customer C-1001")
        for order in repositories.recent_orders(session, customer.id):
            if order.shipment and order.shipment.status is ShipmentStatus.IN_TRANSIT:
                return customer.reference, order.order_number
    raise RuntimeError("demo data has no order in transit for C-1001")


def turn_figures(
    turns: int, config: StackConfig, stack: Stack, load: LoadBench, reference: str, order: str
) -> None:
    """Single-turn latencies over REST, with the load run before the carrier faults (which
    open the tracking breaker)."""

    def chat() -> RestChat:
        return RestChat(config.rasa_url, stack.chat_key)

    def signed_in(text: str) -> None:
        """A new chat whose first message carries a fresh login token (one per chat)."""
        chat().send(text, {LOGIN_TOKEN_KEY: stack.login_token(reference)})

    print("turn latency over REST (client-side, one conversation per turn):")
    report("greeting", timed_turns(turns, lambda i: chat().send("hi")))
    healthy = timed_turns(turns, lambda i: signed_in(f"where is {order}"))
    report("tracking, carrier healthy", healthy)
    refill_turns: dict[str, list[float]] = {"offer": [], "summary": [], "cancel": []}

    def refill(i: int) -> None:
        """A refill up to its summary, then cancelled (an order can be placed only once)."""
        conversation = chat()
        login = {LOGIN_TOKEN_KEY: stack.login_token(reference)}
        for name, text in (
            ("offer", "refill my atorvastatin"),
            ("summary", '/choose_delivery{"delivery":"pickup"}'),
            ("cancel", "/deny"),
        ):
            started = time.perf_counter()
            conversation.send(text, login)
            refill_turns[name].append((time.perf_counter() - started) * 1000)

    for i in range(turns):
        refill(i)
    for name, samples in refill_turns.items():
        report(f"refill form, {name} turn", samples)
    # Before the carrier faults below, which open the tracking breaker.
    load.measure_ours(stack, reference, order)
    faults = f"{config.carrier_url}/_control/faults"
    requests.post(faults, json={"mode": "timeout"}, timeout=5).raise_for_status()
    try:
        slow = timed_turns(turns, lambda i: signed_in(f"where is {order}"))
    finally:
        requests.post(faults, json={"mode": None}, timeout=5)
    report("tracking, carrier timing out (all turns)", slow)
    report("tracking, carrier timing out (before breaker)", slow[:3])
    report("tracking, carrier timing out (breaker open)", slow[3:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--no-train", action="store_true", help="skip timing a full training")
    parser.add_argument(
        "--load-only", action="store_true", help="only the load: no single-turn figures"
    )
    parser.add_argument(
        "--scaled",
        action="store_true",
        help="ours scaled out (ops/scaled_stack.py, on scripts/start-postgres.sh's PostgreSQL)",
    )
    add_arguments(parser)
    args = parser.parse_args()
    load = LoadBench(args)
    extra: dict[str, object] = {}
    interrupt_on_signals()

    if not (args.no_train or args.load_only):
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            subprocess.run(
                [
                    str(Path(sys.executable).parent / "rasa"),
                    "train",
                    "--force",
                    "--out",
                    out,
                    "--quiet",
                ],
                cwd=PROJECT_ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                # Nothing reused from earlier trainings: the figure a fresh clone pays.
                env={**os.environ, "RASA_CACHE_DIRECTORY": str(Path(out) / "cache")},
            )
            seconds = time.perf_counter() - started
            print(f"full training (rasa train --force, empty cache): {seconds:.0f} s")
            extra["full_training_seconds"] = round(seconds, 1)

    if not args.load_only:
        safety_check_figures()
        featurizer_figures()
    model = ensure_model()
    with tempfile.TemporaryDirectory() as work:
        if args.scaled:
            config = private_stack_config(Path(work), model, scale_database_url())
            stack: Stack = ScaledStack(config)
        else:
            config = private_stack_config(Path(work), model)
            stack = Stack(config)
        url = config.database_url
        try:
            started = time.perf_counter()
            stack.start()
            extra["ours_start_to_ready_s"] = time.perf_counter() - started
            print(f"start to ready with a cached model: {extra['ours_start_to_ready_s']:.1f} s")
            for service in stack.services:
                if service.process is not None:
                    print(f"  RSS {service.name:<8} {rss_mb(service.process.pid):7.0f} MB")

            reference, order = in_transit_order(url)
            if args.load_only:
                load.measure_ours(stack, reference, order)
            else:
                turn_figures(args.turns, config, stack, load, reference, order)
        finally:
            stack.stop()
        load.measure_starter(Path(work))
    load.finish(extra)
    return 1 if load.failed else 0


if __name__ == "__main__":
    sys.exit(main())
