"""The carrier client against the fake RapidParcel server, run as a real process on a free port.

The server reads its own temporary SQLite database seeded with the demo data; faults are switched
on through its control endpoints, so the client under test sends the same requests as in production.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from ops.stack import free_port
from pharmacy import carrier
from pharmacy.carrier import (
    CarrierClient,
    CarrierSettings,
    CarrierUnavailable,
    MalformedResponse,
    TrackingNotFound,
    mask_tracking_number,
    parse_tracking,
)
from pharmacy.database import session_scope
from pharmacy.models import Shipment, ShipmentStatus
from pharmacy.settings import PROJECT_ROOT, load_settings

# The fake carrier reads the shared test database (PostgreSQL in CI's `-m "db or stack"` pass).
pytestmark = pytest.mark.db
API_KEY = "test-carrier-key"
UNKNOWN = "RPX0000000001"


@dataclass(frozen=True)
class CarrierServer:
    url: str
    database_url: str

    def control(self, method: str, path: str, **kwargs) -> dict:
        response = requests.request(method, f"{self.url}{path}", timeout=5, **kwargs)
        response.raise_for_status()
        return response.json()

    def fault(self, mode, **options) -> None:
        self.control("POST", "/_control/faults", json={"mode": mode, **options})

    def requests_for(self, tracking_number: str) -> int:
        return self.control("GET", "/_control/stats")["by_tracking_number"].get(tracking_number, 0)


@pytest.fixture(scope="module")
def server(
    seeded_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CarrierServer]:
    # TEST_DATABASE_URL when set: PostgreSQL in CI
    yield from carrier_server(seeded_database, tmp_path_factory)


def carrier_server(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CarrierServer]:
    """The fake carrier as a real HTTP server whose parcels are the shipments of ``database_url``."""
    port = free_port()
    env = dict(
        os.environ, DATABASE_URL=database_url, CARRIER_API_KEY=API_KEY, PYTHONPATH=str(PROJECT_ROOT)
    )
    log_path = tmp_path_factory.mktemp("carrier-log") / "carrier.log"
    with open(log_path, "wb") as log:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "carrier_service.server",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(process, url, log_path)
        yield CarrierServer(url, database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_healthy(process: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"carrier server exited:\n{log_path.read_text()}")
        try:
            if requests.get(f"{url}/health", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise TimeoutError("carrier server was not ready in 30 s")


@pytest.fixture(autouse=True)
def clean_server(server: CarrierServer) -> None:
    server.control("POST", "/_control/reset")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_client(
    server: CarrierServer, session: requests.Session = None, clock=time.monotonic, **overrides
) -> CarrierClient:
    settings = CarrierSettings(base_url=server.url, api_key=API_KEY, backoff_base=0.01)
    return CarrierClient(replace(settings, **overrides), session=session, clock=clock)


def shipment_with(server: CarrierServer, status: ShipmentStatus) -> Shipment:
    with session_scope(server.database_url) as session:
        shipment = session.scalars(
            select(Shipment).where(Shipment.status == status).order_by(Shipment.id)
        ).first()
        assert shipment.order.address is not None  # loaded while the session is open
        return shipment


@pytest.mark.parametrize("status", list(ShipmentStatus), ids=lambda s: s.value)
def test_tracks_a_parcel_in_each_status(server, status):
    shipment = shipment_with(server, status)
    info = make_client(server).track(shipment.tracking_number)

    assert info.tracking_number == shipment.tracking_number
    assert info.carrier == "RapidParcel"
    assert info.status == status.value
    assert info.signature_required == shipment.signature_required
    assert info.estimated_delivery == shipment.estimated_delivery
    assert info.status_detail
    times = [event.time for event in info.events]
    assert times == sorted(times, reverse=True) and times[0].utcoffset().total_seconds() == 0
    assert info.latest_event.status == status.value
    assert info.events[-1].status == "label_created"
    address = shipment.order.address
    if status in (ShipmentStatus.OUT_FOR_DELIVERY, ShipmentStatus.DELIVERED):
        assert info.latest_event.location == f"{address.city}, {address.state}"
    if status is ShipmentStatus.EXCEPTION:
        assert shipment.estimated_delivery.isoformat() in info.status_detail
        assert "delay" in info.status_detail.lower()


def test_the_carrier_never_sends_the_street_or_postal_code(server):
    shipment = shipment_with(server, ShipmentStatus.DELIVERED)
    body = requests.get(
        f"{server.url}/v1/tracking/{shipment.tracking_number}",
        headers={"X-Api-Key": API_KEY},
        timeout=5,
    ).text
    assert shipment.order.address.line1 not in body
    assert shipment.order.address.postal_code not in body


def test_the_timeline_is_the_same_on_every_call(server):
    shipment = shipment_with(server, ShipmentStatus.IN_TRANSIT)
    client = make_client(server)
    assert client.track(shipment.tracking_number) == client.track(shipment.tracking_number)


def test_unknown_number_is_not_found_without_retries(server):
    with pytest.raises(TrackingNotFound):
        make_client(server).track(UNKNOWN)
    assert server.requests_for(UNKNOWN) == 1


def test_input_that_is_not_a_tracking_number_never_reaches_the_carrier(server):
    with pytest.raises(TrackingNotFound):
        make_client(server).track("../_control/reset")
    assert server.control("GET", "/_control/stats")["tracking_requests"] == 0


def test_wrong_api_key_is_refused_and_not_retried(server):
    shipment = shipment_with(server, ShipmentStatus.IN_TRANSIT)
    raw = requests.get(
        f"{server.url}/v1/tracking/{shipment.tracking_number}",
        headers={"X-Api-Key": "wrong"},
        timeout=5,
    )
    assert raw.status_code == 401 and raw.json() == {"error": "unauthorized"}

    with pytest.raises(CarrierUnavailable) as raised:
        make_client(server, api_key="wrong").track(shipment.tracking_number)
    assert raised.value.reason == "rejected"
    assert server.requests_for(shipment.tracking_number) == 2  # the raw call and one attempt


def test_server_errors_are_retried_then_reported_unavailable(server):
    shipment = shipment_with(server, ShipmentStatus.IN_TRANSIT)
    server.fault("error")
    with pytest.raises(CarrierUnavailable) as raised:
        make_client(server, retries=2).track(shipment.tracking_number)
    assert raised.value.reason == "server_error"
    assert server.requests_for(shipment.tracking_number) == 3


def test_a_flaky_carrier_recovers_within_the_retries(server):
    shipment = shipment_with(server, ShipmentStatus.OUT_FOR_DELIVERY)
    session = requests.Session()
    session.headers.update({"X-Simulate": "flaky", "X-Fail-Times": "2"})  # per-request fault
    info = make_client(server, session=session, retries=2).track(shipment.tracking_number)
    assert info.status == "out_for_delivery"
    assert server.requests_for(shipment.tracking_number) == 3


def test_a_slow_answer_within_the_read_timeout_is_fine(server):
    shipment = shipment_with(server, ShipmentStatus.IN_TRANSIT)
    server.fault("slow", delay_ms=200)
    assert make_client(server).track(shipment.tracking_number).status == "in_transit"


def test_a_hanging_carrier_is_cut_off_by_the_read_timeout(server):
    shipment = shipment_with(server, ShipmentStatus.IN_TRANSIT)
    server.fault("timeout", tracking_number=shipment.tracking_number)
    with pytest.raises(CarrierUnavailable) as raised:
        make_client(server, read_timeout=0.5, retries=1).track(shipment.tracking_number)
    assert raised.value.reason == "timeout"
    # Not retried: a carrier too slow to answer keeps the shopper waiting for nothing.
    assert server.requests_for(shipment.tracking_number) == 1


def test_a_malformed_answer_is_unavailable_not_retried(server):
    shipment = shipment_with(server, ShipmentStatus.IN_TRANSIT)
    server.fault("malformed")
    with pytest.raises(CarrierUnavailable) as raised:
        make_client(server).track(shipment.tracking_number)
    assert raised.value.reason == "malformed"
    assert server.requests_for(shipment.tracking_number) == 1


def test_a_carrier_that_is_down_is_unavailable():
    client = CarrierClient(
        CarrierSettings(base_url=f"http://127.0.0.1:{free_port()}", retries=1, backoff_base=0.01)
    )
    with pytest.raises(CarrierUnavailable) as raised:
        client.track("RP4000000007")
    assert raised.value.reason == "unreachable"


def test_breaker_opens_after_the_threshold_and_half_opens_after_the_cooldown(server):
    number = shipment_with(server, ShipmentStatus.IN_TRANSIT).tracking_number
    clock = FakeClock()
    client = make_client(server, clock=clock, retries=0, breaker_threshold=3, breaker_cooldown=30)
    server.fault("error")
    for _ in range(3):
        with pytest.raises(CarrierUnavailable):
            client.track(number)
    assert server.requests_for(number) == 3

    with pytest.raises(CarrierUnavailable) as raised:
        client.track(number)
    assert raised.value.reason == "circuit_open"
    assert server.requests_for(number) == 3  # failed fast, the carrier was not called

    clock.now += 29
    with pytest.raises(CarrierUnavailable, match="circuit"):
        client.track(number)
    server.fault(None)
    clock.now += 1
    assert client.track(number).status == "in_transit"  # the one trial call, and it worked
    assert server.requests_for(number) == 4
    assert client.breaker.state == "closed"
    assert client.track(number).status == "in_transit"


def test_a_failed_trial_call_opens_the_breaker_again(server):
    number = shipment_with(server, ShipmentStatus.IN_TRANSIT).tracking_number
    clock = FakeClock()
    client = make_client(server, clock=clock, retries=0, breaker_threshold=2, breaker_cooldown=30)
    server.fault("error")
    for _ in range(2):
        with pytest.raises(CarrierUnavailable):
            client.track(number)
    clock.now += 30
    with pytest.raises(CarrierUnavailable) as raised:
        client.track(number)
    assert raised.value.reason == "server_error"  # the trial reached the carrier and failed
    with pytest.raises(CarrierUnavailable) as raised:
        client.track(number)
    assert raised.value.reason == "circuit_open"
    assert server.requests_for(number) == 3


def test_not_found_answers_do_not_open_the_breaker(server):
    client = make_client(server, breaker_threshold=2)
    for _ in range(3):
        with pytest.raises(TrackingNotFound):
            client.track(UNKNOWN)
    assert client.breaker.state == "closed"


def test_logs_show_tracking_numbers_masked_and_no_body(server, caplog):
    shipment = shipment_with(server, ShipmentStatus.DELIVERED)
    number = shipment.tracking_number
    caplog.set_level(logging.DEBUG, logger="pharmacy.carrier")
    server.fault("error")
    with pytest.raises(CarrierUnavailable):
        make_client(server, retries=1).track(number)
    server.fault("malformed")
    with pytest.raises(CarrierUnavailable):
        make_client(server).track(number)
    carrier_logs = "\n".join(r.getMessage() for r in caplog.records if r.name == "pharmacy.carrier")
    assert mask_tracking_number(number) in carrier_logs
    assert number not in carrier_logs
    assert shipment.order.address.city not in carrier_logs
    assert mask_tracking_number("RP4000000007") == "********0007"


GOOD = {
    "tracking_number": "RP4000000007",
    "carrier": "RapidParcel",
    "status": "in_transit",
    "status_detail": "In transit",
    "estimated_delivery": "2026-11-24",
    "signature_required": False,
    "events": [
        {
            "time": "2026-11-22T19:00:00Z",
            "status": "in_transit",
            "description": "Arrived",
            "location": "Denver, CO",
        }
    ],
}


@pytest.mark.parametrize(
    "change",
    [
        {"status": "lost"},
        {"estimated_delivery": "24/11/2026"},
        {"signature_required": "no"},
        {"events": [{**GOOD["events"][0], "time": "yesterday"}]},
        {"events": [{**GOOD["events"][0], "status": None}]},
        {"tracking_number": "RP4000000014"},
        {"status_detail": None},
    ],
    ids=["status", "eta", "signature", "event-time", "event-status", "other-number", "detail"],
)
def test_validation_rejects_each_kind_of_bad_field(change):
    assert parse_tracking(GOOD, "RP4000000007").estimated_delivery == date(2026, 11, 24)
    with pytest.raises(MalformedResponse):
        parse_tracking({**GOOD, **change}, "RP4000000007")


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CARRIER_BASE_URL", "http://carrier.internal:9000/")
    monkeypatch.setenv("CARRIER_API_KEY", "k")
    settings = load_settings().carrier
    assert (settings.base_url, settings.api_key) == ("http://carrier.internal:9000", "k")
    assert (settings.connect_timeout, settings.read_timeout, settings.retries) == (2.0, 2.5, 2)
    monkeypatch.setenv("CARRIER_READ_TIMEOUT", "1.5")
    monkeypatch.setenv("CARRIER_RETRIES", "0")
    assert (load_settings().carrier.read_timeout, load_settings().carrier.retries) == (1.5, 0)
    for name in ("CARRIER_BASE_URL", "CARRIER_API_KEY", "CARRIER_READ_TIMEOUT", "CARRIER_RETRIES"):
        monkeypatch.delenv(name)
    assert load_settings().carrier == CarrierSettings()
    assert CarrierSettings().base_url == "http://localhost:8090"


def test_default_client_is_one_shared_instance(monkeypatch):
    monkeypatch.setattr(carrier, "_default", None)
    first = carrier.default_client()
    assert carrier.default_client() is first
