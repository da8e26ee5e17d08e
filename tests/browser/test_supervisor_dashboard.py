"""The supervisor's dashboard in a browser (issue 17): charts, another date range, the CSV, an
unanswered group marked and exported as NLU YAML; an agent is refused. The desk runs alone on a
database of this test's own, filled with the demo conversations."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml
from playwright.sync_api import expect

from ops.stack import free_port
from pharmacy import clock
from pharmacy.database import prepare
from pharmacy.metrics.synthetic import DEMO_CONVERSATIONS, seed_demo_conversations
from pharmacy.settings import PROJECT_ROOT
from tests.browser.desk_pages import log_in

ZONE = "America/New_York"


@pytest.fixture(scope="module")
def dashboard_desk(tmp_path_factory):
    var = tmp_path_factory.mktemp("dashboard")
    url = f"sqlite:///{var / 'dashboard.db'}"
    today = clock.Clock.system().instant().astimezone(ZoneInfo(ZONE)).date()
    prepare(url, today=today)
    seed_demo_conversations(url, today, ZoneInfo(ZONE))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DESK_PORT": str(port),
        "DEMO_MODE": "1",
        "PHARMACY_TIME_ZONE": ZONE,
        "PHARMACY_VAR_DIR": str(var),
        "RASA_JWT_SECRET": "browser-test-jwt-secret-32-bytes!!",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    log = (var / "desk.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "desk.server"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            assert process.poll() is None, (var / "desk.log").read_text()
            assert time.monotonic() < deadline, "the desk did not start"
            time.sleep(0.3)
    try:
        yield base, today
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_a_supervisor_reads_exports_and_marks_unanswered_questions(browser, dashboard_desk):
    base, today = dashboard_desk
    page = log_in(browser, base, "supervisor", "supervisor-demo-password")
    page.goto(base + "/supervisor")
    expect(page.locator("h1")).to_have_text("Service dashboard")
    expect(page.locator("svg.chart")).to_have_count(7)
    expect(page.locator("polyline.trend").first).to_be_visible()
    conversations = page.locator("dt", has_text="Conversations").locator("xpath=../dd")
    assert int(conversations.inner_text()) > 0

    first, last = today - timedelta(days=20), today - timedelta(days=14)
    page.fill('input[name="from"]', first.isoformat())
    page.fill('input[name="to"]', last.isoformat())
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/supervisor?from={first}&to={last}")
    with page.expect_download() as download:
        page.click("#csv")
    rows = list(csv.DictReader(io.StringIO(open(download.value.path()).read())))
    assert [r["day"] for r in rows] == [
        (first + timedelta(days=n)).isoformat() for n in range(7)
    ] + ["total"]
    assert 0 < int(rows[-1]["conversations"]) < DEMO_CONVERSATIONS
    assert float(rows[-1]["resolved_containment"]) <= float(rows[-1]["containment"])

    page.click("text=Unanswered questions")
    group = page.locator("tr.group").first
    expect(group).to_be_visible()
    example = group.locator("td").nth(1).inner_text()
    group.locator("input").fill("faq_out_of_range")
    with page.expect_download() as download:
        page.click("text=Export marked as NLU YAML")
    data = yaml.safe_load(open(download.value.path()).read())
    assert data["nlu"][0]["intent"] == "faq_out_of_range"
    assert f"- {example}\n" in data["nlu"][0]["examples"]

    group.locator("a.conversation").first.click()
    expect(page.locator("#transcript .from-customer").first).to_be_visible()


def test_an_agent_without_the_role_is_refused(browser, dashboard_desk):
    base, _ = dashboard_desk
    page = log_in(browser, base, "agent", "agent-demo-password")
    for path in ("/supervisor", "/supervisor/metrics.csv", "/supervisor/unanswered"):
        response = page.goto(base + path)
        assert response.status == 403
    expect(page.locator("body")).to_contain_text("for supervisors only")
