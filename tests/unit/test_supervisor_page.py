"""The supervisor page of the desk: figures and charts over a date range, CSV export, and the
role gate (an agent or pharmacist gets 403)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
import yaml
from sqlalchemy import inspect

from desk.charts import bar_chart, line_chart
from pharmacy.database import get_engine, session_scope
from pharmacy.handoff.models import HandoffReason, HandoffTicket, TicketStatus
from pharmacy.metrics.records import TRACKER_EVENTS
from pharmacy.metrics.unanswered import Group, Unanswered, nlu_yaml
from tests.unit.test_desk_server import AGENT, PHARMACIST, SUPERVISOR, desk, log_in, run

pytestmark = pytest.mark.db
DAY = datetime(2098, 3, 10, 9, 0)


@pytest.fixture(scope="module")
def desk_db(desk_database: str) -> str:
    with session_scope(desk_database) as session:
        for minutes, reason in ((3, HandoffReason.USER_REQUEST), (9, HandoffReason.EMERGENCY)):
            session.add(
                HandoffTicket(
                    conversation_id=f"sup-{minutes}",
                    reason=reason,
                    priority=3,
                    required_role="agent",
                    status=TicketStatus.RESOLVED,
                    summary="test",
                    created_at=DAY,
                    first_reply_at=DAY + timedelta(minutes=minutes),
                )
            )
    return desk_database


def test_only_supervisors_open_the_dashboard(desk_db):
    async def scenario():
        for who in (AGENT, PHARMACIST):
            async with desk(desk_db) as client:
                await log_in(client, who)
                assert (await client.get("/supervisor")).status == 403
                assert (await client.get("/supervisor/metrics.csv")).status == 403
        async with desk(desk_db) as client:
            page = await client.get("/supervisor", allow_redirects=False)
            assert (page.status, page.headers["Location"]) == (303, "/login")

    run(scenario())


def test_the_dashboard_shows_the_range_asked_for_with_charts_and_csv(desk_db):
    async def scenario():
        async with desk(desk_db) as client:
            await log_in(client, SUPERVISOR)
            page = await client.get("/supervisor?from=2098-03-09&to=2098-03-11")
            text = await page.text()
            assert page.status == 200
            assert 'value="2098-03-09"' in text and 'value="2098-03-11"' in text
            # Four trend lines, bars for 6 handoff reasons, 5 ratings and 5 skills.
            assert text.count("<svg") == 7 and text.count('class="bar"') == 6 + 5 + 5
            assert "Resolved containment per day" in text and "Conversations per skill" in text
            assert "6.0 min" in text  # median of the 3- and 9-minute waits
            export = await client.get("/supervisor/metrics.csv?from=2098-03-09&to=2098-03-11")
            assert export.status == 200 and export.content_type == "text/csv"
            rows = list(csv.DictReader(io.StringIO(await export.text())))
            assert [r["day"] for r in rows] == ["2098-03-09", "2098-03-10", "2098-03-11", "total"]
            assert [r["handoffs"] for r in rows] == ["0", "2", "0", "2"]
            assert rows[1]["wait_p90_minutes"] == "9" and rows[1]["emergencies"] == "1"
            assert "resolved_containment" in rows[1] and rows[3]["skill_faq"] == "0"
            # A range that makes no sense falls back to the last two weeks.
            fallback = await (await client.get("/supervisor?from=2098-03-11&to=2098-03-09")).text()
            assert 'value="2098-03-11"' not in fallback

    run(scenario())


def test_a_line_chart_breaks_on_days_without_a_figure():
    svg = line_chart("t", ["a", "b", "c", "d"], [0.5, None, 0.25, 1.0])
    assert svg.count("<polyline") == 2 and svg.count("<circle") == 3
    assert "<script" not in bar_chart("<b>", [("x<y", 1)]) and "&lt;b&gt;" in bar_chart("<b>", [])


def test_unanswered_groups_are_marked_and_exported_as_nlu_yaml(desk_db):
    from tests.db.test_unanswered import say

    engine = get_engine(desk_db)
    if not inspect(engine).has_table(TRACKER_EVENTS.name):
        TRACKER_EVENTS.create(engine)
    at = DAY + timedelta(hours=1)
    say(engine, "sup-u1", at, "do you ship to canada", 0.2, "action_default_fallback")
    say(engine, "sup-u2", at, "Do you ship to Canada?", 0.3, "utter_greet")
    say(engine, "sup-u3", at, "gift cards", 0.1, "action_default_fallback")

    async def scenario():
        async with desk(desk_db) as client:
            await log_in(client, AGENT)
            assert (await client.get("/supervisor/unanswered")).status == 403
        async with desk(desk_db) as client:
            csrf = await log_in(client, SUPERVISOR)
            page = await client.get("/supervisor/unanswered?from=2098-03-10&to=2098-03-10")
            text = await page.text()
            assert page.status == 200 and text.count('class="group"') == 2
            assert text.index("do you ship to canada") < text.index("gift cards")
            form = {"csrf_token": csrf, "from": "2098-03-10", "to": "2098-03-10"}
            export = await client.post(
                "/supervisor/unanswered.yml", data={**form, "mark_0": "faq_shipping_abroad"}
            )
            data = yaml.safe_load(await export.text())
            assert export.status == 200
            assert data["nlu"] == [
                {
                    "intent": "faq_shipping_abroad",
                    "examples": "- do you ship to canada\n- Do you ship to Canada?\n",
                }
            ]
            bad = await client.post("/supervisor/unanswered.yml", data={**form, "mark_1": "X Y"})
            assert bad.status == 400
            no_token = await client.post("/supervisor/unanswered.yml", data={"mark_0": "a"})
            assert no_token.status == 403

    run(scenario())


def test_an_unanswered_question_links_to_its_redacted_conversation(desk_db):
    from tests.db.test_unanswered import say

    engine = get_engine(desk_db)
    if not inspect(engine).has_table(TRACKER_EVENTS.name):
        TRACKER_EVENTS.create(engine)
    at = DAY + timedelta(days=5)
    text = "call me on 503-555-0142 about gift wrapping"
    said = ["Sorry, I'm still not getting it. I've asked a member of our team to join this chat: x"]
    say(engine, "sup-link/1", at, text, 0.9, "action_default_fallback", said)
    with session_scope(desk_db) as session:
        ticket = HandoffTicket(
            conversation_id="sup-link/1",
            reason=HandoffReason.LOW_CONFIDENCE,
            priority=3,
            required_role="agent",
            status=TicketStatus.WAITING,
            summary="test",
            created_at=at,
        )
        session.add(ticket)
        session.flush()
        ticket_id = ticket.id

    async def scenario():
        async with desk(desk_db) as client:
            await log_in(client, SUPERVISOR)
            page = await (
                await client.get("/supervisor/unanswered?from=2098-03-15&to=2098-03-15")
            ).text()
            assert "503-555-0142" not in page and "low_confidence_handoff" in page
            assert 'href="/supervisor/conversations/sup-link%2F1"' in page
            view = await client.get("/supervisor/conversations/sup-link%2F1")
            shown = await view.text()
            assert view.status == 200
            assert "call me on [number removed] about gift wrapping" in shown
            assert "503-555-0142" not in shown and 'class="line from-bot"' in shown
            assert f'href="/?ticket={ticket_id}"' in shown
        async with desk(desk_db) as client:
            await log_in(client, AGENT)
            assert (await client.get("/supervisor/conversations/sup-link%2F1")).status == 403

    run(scenario())


def test_exported_training_data_leaves_out_messages_with_personal_data():
    at = datetime(2026, 11, 20, 12, 0)
    marked = Group(
        words=frozenset({"pet", "medicine"}),
        messages=[
            Unanswered("c1", "do you sell pet medicine", at, "fallback"),
            Unanswered("c2", "my dob is 03/14/1958, do you sell pet medicine", at, "fallback"),
            Unanswered("c3", "call me on 503-555-0101 about pet medicine", at, "fallback"),
        ],
    )
    exported = yaml.safe_load(nlu_yaml([("out_of_scope", marked)]))
    assert exported["nlu"][0]["examples"] == "- do you sell pet medicine\n"
