"""The supervisor page: the service metrics over a date range, as charts drawn on the server,
and their CSV export. Only the ``supervisor`` role may open either."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Mapping
from datetime import date, timedelta, timezone
from html import escape
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from desk.app_state import DB_URL, now
from desk.charts import bar_chart, line_chart
from desk.responses import refusal
from pharmacy.clock import pharmacy_zone
from pharmacy.database import session_scope
from pharmacy.handoff.agents import Agent
from pharmacy.handoff.models import HandoffReason
from pharmacy.metrics import DateRange, ServiceMetrics, compute_range
from pharmacy.metrics.outcomes import SKILLS

SUPERVISOR = "supervisor"


def is_supervisor(session: Session, agent_id: int) -> bool:
    agent = session.get(Agent, agent_id)
    return agent is not None and agent.active and agent.role == SUPERVISOR


DEFAULT_DAYS = 14
MAX_DAYS = 366
CSV_COLUMNS = (
    "day",
    "conversations",
    "emergencies",
    "containment",
    "resolved_containment",
    "fallback_rate",
    "handoffs",
    "handoffs_unanswered",
    "wait_median_minutes",
    "wait_p90_minutes",
    "refill_prompts",
    "refills_submitted",
    "refill_conversion",
    "ratings",
    "csat",
    *(f"skill_{skill}" for skill in SKILLS),
)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/supervisor", supervisor_page)
    router.add_get("/supervisor/metrics.csv", supervisor_csv)


def _window(request: web.Request) -> DateRange:
    return window_of(request.query)


def window_of(fields: Mapping[str, Any]) -> DateRange:
    """The range asked for in ``from``/``to`` (ISO dates), or the last two weeks (the pharmacy's
    dates)."""
    today = now().replace(tzinfo=timezone.utc).astimezone(pharmacy_zone()).date()
    try:
        first = date.fromisoformat(str(fields.get("from", "")))
        last = date.fromisoformat(str(fields.get("to", "")))
        window = DateRange(first, last)
    except ValueError:
        return DateRange.last_days(today, DEFAULT_DAYS)
    if (window.last - window.first).days >= MAX_DAYS:
        return DateRange(window.last - timedelta(days=MAX_DAYS - 1), window.last)
    return window


async def _figures(request: web.Request, window: DateRange):
    desk_session = request["desk_session"]

    def unit():
        with session_scope(request.app[DB_URL]) as session:
            if not is_supervisor(session, desk_session.agent_id):
                return None
            # Days from midnight to midnight on the pharmacy's clock.
            return compute_range(session, window, pharmacy_zone())

    figures = await asyncio.to_thread(unit)
    if figures is None:
        raise refusal(403, "supervisor_only")
    return figures


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


def _csv_row(day: str, m: ServiceMetrics) -> list[str]:
    return [
        day,
        str(m.conversations if m.conversations is not None else ""),
        str(m.emergencies),
        _cell(m.containment),
        _cell(m.resolved_containment),
        _cell(m.fallback_rate),
        str(sum(m.handoffs_by_reason.values())),
        str(m.handoffs_unanswered),
        _cell(m.handoff_wait_minutes),
        _cell(m.handoff_wait_p90_minutes),
        str(m.refill_prompts),
        str(m.refills_submitted),
        _cell(m.refill_conversion),
        str(m.ratings),
        _cell(m.csat),
        *(str(m.skills.get(skill, 0)) for skill in SKILLS),
    ]


async def supervisor_csv(request: web.Request) -> web.Response:
    window = _window(request)
    total, days = await _figures(request, window)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for day in days:
        writer.writerow(_csv_row(day_label(day), day))
    writer.writerow(_csv_row("total", total))
    name = f"metrics-{window.first.isoformat()}-{window.last.isoformat()}.csv"
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _minutes(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} min"


def day_label(day: ServiceMetrics) -> str:
    """The local date of a day's figures (its start is stored as naive UTC)."""
    start = day.since.replace(tzinfo=timezone.utc).astimezone(pharmacy_zone())
    return start.date().isoformat()


def render_page(window: DateRange, total: ServiceMetrics, days: list[ServiceMetrics]) -> str:
    labels = [day_label(d) for d in days]
    tiles = [
        ("Conversations", str(total.conversations if total.conversations is not None else "n/a")),
        ("Containment", _percent(total.containment)),
        ("Resolved containment", _percent(total.resolved_containment)),
        ("Fallback rate", _percent(total.fallback_rate)),
        ("Wait for a person (median)", _minutes(total.handoff_wait_minutes)),
        ("Wait for a person (p90)", _minutes(total.handoff_wait_p90_minutes)),
        ("Handoffs never answered", str(total.handoffs_unanswered)),
        ("Refill conversion", _percent(total.refill_conversion)),
        ("CSAT", "n/a" if total.csat is None else f"{total.csat:.2f} of 5"),
        ("Emergencies", str(total.emergencies)),
    ]
    charts = [
        line_chart("Conversations per day", labels, [d.conversations or 0 for d in days]),
        line_chart("Containment per day", labels, [d.containment for d in days]),
        line_chart("Resolved containment per day", labels, [d.resolved_containment for d in days]),
        line_chart("Fallback rate per day", labels, [d.fallback_rate for d in days]),
        bar_chart(
            "Handoffs by reason",
            [(r.value, total.handoffs_by_reason.get(r.value, 0)) for r in HandoffReason],
        ),
        bar_chart(
            "CSAT ratings", [(str(r), n) for r, n in total.csat_figures.distribution.items()]
        ),
        bar_chart("Conversations per skill", [(s, total.skills.get(s, 0)) for s in SKILLS]),
    ]
    names = [
        "Conversations per day",
        "Containment per day",
        "Resolved containment per day",
        "Fallback rate per day",
        "Handoffs by reason",
        "CSAT ratings",
        "Conversations per skill",
    ]
    query = f"from={window.first.isoformat()}&amp;to={window.last.isoformat()}"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Service dashboard</title>"
        '<link rel="stylesheet" href="/static/desk.css"></head><body class="supervisor">'
        "<h1>Service dashboard</h1>"
        '<form method="get" action="/supervisor" class="range">'
        f'<label>From <input type="date" name="from" value="{window.first.isoformat()}"></label>'
        f'<label>To <input type="date" name="to" value="{window.last.isoformat()}"></label>'
        '<button type="submit">Show</button>'
        f' <a id="csv" href="/supervisor/metrics.csv?{query}">Export CSV</a> '
        f'<a href="/supervisor/unanswered?{query}">Unanswered questions</a> '
        '<a href="/">Queue</a></form>'
        '<dl class="tiles">'
        + "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in tiles)
        + "</dl>"
        + "".join(
            f"<figure><figcaption>{escape(n)}</figcaption>{c}</figure>"
            for n, c in zip(names, charts, strict=True)
        )
        + "</body></html>"
    )


async def supervisor_page(request: web.Request) -> web.Response:
    window = _window(request)
    total, days = await _figures(request, window)
    return web.Response(text=render_page(window, total, days), content_type="text/html")
