"""Load test of the service dashboard: writes N generated conversations (default 100,000) into the
database at --url, then times what the supervisor page computes for a 30-day range (the figures
and the per-day series, and the unanswered-question groups) and prints the figures.

  python -m ops.metrics_load --url postgresql://user:pw@localhost/db   # production's engine
  python -m ops.metrics_load --url sqlite:////tmp/load.db               # a quick try

The conversations are spread over the 30 days that end yesterday (the pharmacy's dates), so the
timed range holds all of them: the worst case for the page. It prints the time of the first
digest of the events (``pharmacy.metrics.digest``; once per install), of each page on the
digested data, and of each page again after 1% more conversations arrived (their digest
included).
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

from desk.supervisor import render_page
from pharmacy import clock
from pharmacy.database import get_engine, prepare, session_scope
from pharmacy.metrics import DateRange, compute_range, report
from pharmacy.metrics.digest import digest
from pharmacy.metrics.synthetic import generate
from pharmacy.metrics.unanswered import group, unanswered_messages

DAYS = 30


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="SQLAlchemy database URL")
    parser.add_argument("--count", type=int, default=100_000, help="conversations to generate")
    parser.add_argument(
        "--no-generate", action="store_true", help="time the data already there (a second run)"
    )
    args = parser.parse_args(argv)
    zone = clock.pharmacy_zone()
    today = clock.current().today()
    window = DateRange.last_days(today - timedelta(days=1), DAYS)
    prepare(args.url)
    engine = get_engine(args.url)
    if not args.no_generate:
        started = time.perf_counter()
        events = generate(engine, args.count, window.bounds(zone)[0], DAYS, prefix="load")
        print(
            f"generated {args.count} conversations ({events} events) in "
            f"{time.perf_counter() - started:.1f} s"
        )
    started = time.perf_counter()
    recomputed = digest(engine)
    print(f"digest brought up to date: {recomputed} conversations in {_since(started)}")
    _time_pages(args.url, window, zone, engine.dialect.name, show_report=True)
    # The steady state: new conversations arrive between two views of the page.
    fresh = args.count // 100
    generate(engine, fresh, window.bounds(zone)[0], DAYS, prefix=f"new{time.time_ns()}")
    print(f"after {fresh} new conversations:")
    _time_pages(args.url, window, zone, engine.dialect.name, show_report=False)
    return 0


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.2f} s"


def _time_pages(url: str, window: DateRange, zone, dialect: str, show_report: bool) -> None:
    """Times what each supervisor page computes, its digest run included."""
    with session_scope(url) as session:
        started = time.perf_counter()
        total, days = compute_range(session, window, zone)
        render_page(window, total, days)
        figures = _since(started)
    with session_scope(url) as session:
        started = time.perf_counter()
        groups = group(unanswered_messages(session, window.since, window.until))
        unanswered = _since(started)
    if show_report:
        print(report(total))
    print(f"unanswered groups: {len(groups)} ({sum(g.count for g in groups)} messages)")
    print(f"dashboard page for {DAYS} days ({dialect}): {figures}")
    print(f"unanswered questions page for {DAYS} days ({dialect}): {unanswered}")


if __name__ == "__main__":
    raise SystemExit(main())
