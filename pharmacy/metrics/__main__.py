"""``python -m pharmacy.metrics --days 30``: the report for the last N days."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta

from pharmacy.database import get_engine, session_scope
from pharmacy.metrics.report import report
from pharmacy.metrics.service import compute


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Print the service metrics (pharmacy rules, section 7)."
    )
    parser.add_argument("--days", type=int, default=30, help="the last N days (default 30)")
    args = parser.parse_args(argv)
    now = datetime.utcnow()
    # The digest counts by quarter hours: the range ends on the last one.
    until = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    get_engine()  # fails early, with the database URL's problem, if the database is unreachable
    with session_scope() as session:
        print(report(compute(session, until - timedelta(days=args.days), until)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
