"""The fake RapidParcel tracking API: real HTTP, answers built from the pharmacy's demo shipments.

    GET  /v1/tracking/{tracking_number}   (header X-Api-Key)  the tracking of one parcel
    GET  /health
    POST /_control/faults  {"mode": ..., "tracking_number": ..., "delay_ms": ..., "fail_times": ...}
    GET  /_control/faults | GET /_control/stats | POST /_control/reset

Faults are for tests and demos: per request with ``?simulate=<mode>`` or the header ``X-Simulate``
(``delay_ms`` / ``X-Delay-Ms``, ``fail_times`` / ``X-Fail-Times``), or for every request through
``/_control/faults`` so that a test can break the carrier without changing the caller's requests.
The database (DATABASE_URL) is only read. Addresses never leave it beyond city and state.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import logging
import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from pharmacy.database import session_scope
from pharmacy.logs import configure_logging
from pharmacy.models import Order, Shipment, ShipmentStatus
from pharmacy.settings import load_settings, start_settings

log = logging.getLogger("carrier_service")

CARRIER = "RapidParcel"
TRACKING_NUMBER = re.compile(r"^RP[A-Z0-9]{8,20}$")
UNKNOWN_PREFIX = "RPX"  # valid format, never on file: a stable "unknown" number for tests
FAULT_MODES = ("slow", "error", "timeout", "flaky", "malformed", "not_found")
DEFAULT_DELAY_MS = 3000
DEFAULT_FAIL_TIMES = 2
MAX_DELAY_MS = 60_000
TIMEOUT_SLEEP_S = 30.0

# Sort centres; each tracking number gets three of them (origin and two hubs), always the same.
HUBS = [
    ("Memphis", "TN"),
    ("Louisville", "KY"),
    ("Indianapolis", "IN"),
    ("Dallas", "TX"),
    ("Ontario", "CA"),
    ("Atlanta", "GA"),
    ("Chicago", "IL"),
    ("Salt Lake City", "UT"),
    ("Kansas City", "MO"),
    ("Phoenix", "AZ"),
    ("Harrisburg", "PA"),
    ("Reno", "NV"),
]
DELAYS = [
    ("Delayed by severe weather in the area", "Weather delay"),
    ("Delayed: missorted at the facility and rerouted", "Sorting delay"),
]


@dataclass(frozen=True)
class ShipmentSnapshot:
    """What the carrier knows of a parcel: no customer, and of the address only city and state."""

    tracking_number: str
    status: str
    signature_required: bool
    shipped_at: datetime | None
    estimated_delivery: date | None
    delivered_at: datetime | None
    destination: str | None  # "City, ST"


def load_shipment(tracking_number: str, database_url: str | None = None) -> ShipmentSnapshot | None:
    with session_scope(database_url) as session:
        shipment = session.scalar(
            select(Shipment)
            .where(Shipment.tracking_number == tracking_number)
            .options(joinedload(Shipment.order).joinedload(Order.address))
        )
        if shipment is None:
            return None
        address = shipment.order.address if shipment.order is not None else None
        return ShipmentSnapshot(
            tracking_number=shipment.tracking_number,
            status=ShipmentStatus(shipment.status).value,
            signature_required=bool(shipment.signature_required),
            shipped_at=shipment.shipped_at,
            estimated_delivery=shipment.estimated_delivery,
            delivered_at=shipment.delivered_at,
            destination=f"{address.city}, {address.state}" if address is not None else None,
        )


def _iso_utc(moment: datetime) -> str:
    # The database keeps naive UTC times.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def build_tracking(snapshot: ShipmentSnapshot) -> dict[str, Any]:
    """The API answer for one shipment: a plausible scan history up to its current status."""
    rng = random.Random(snapshot.tracking_number)  # str seeds are stable across processes
    origin, first_hub, second_hub = (f"{city}, {state}" for city, state in rng.sample(HUBS, 3))
    destination = snapshot.destination or second_hub
    status = snapshot.status
    eta = snapshot.estimated_delivery
    events: list[dict[str, str]] = []

    def scan(moment: datetime, event_status: str, description: str, location: str) -> None:
        events.append(
            {
                "time": _iso_utc(moment),
                "status": event_status,
                "description": description,
                "location": location,
            }
        )

    shipped = snapshot.shipped_at
    detail = {
        "label_created": "Label created; RapidParcel has not received the parcel yet",
        "in_transit": "In transit to the destination",
        "out_for_delivery": "Out for delivery today",
        "delivered": "Delivered; signed for" if snapshot.signature_required else "Delivered",
    }.get(status, "")
    if shipped is not None:
        scan(shipped, "label_created", "Shipping label created", origin)
    if shipped is not None and status != "label_created":
        for hours, description, location in [
            (3, "Picked up by RapidParcel", origin),
            (9, "Arrived at RapidParcel sort facility", first_hub),
            (12, "Departed RapidParcel sort facility", first_hub),
            (21, "Arrived at RapidParcel regional facility", second_hub),
        ]:
            scan(shipped + timedelta(hours=hours), "in_transit", description, location)
        if status == "exception":
            description, short = rng.choice(DELAYS)
            eta = eta or (shipped + timedelta(days=5)).date()
            scan(shipped + timedelta(hours=26), "exception", description, second_hub)
            detail = f"{short}; new estimated delivery {eta.isoformat()}"
        elif status == "out_for_delivery":
            scan(shipped + timedelta(hours=28), "out_for_delivery", "Out for delivery", destination)
        elif status == "delivered":
            delivered = snapshot.delivered_at or shipped + timedelta(hours=48)
            out = max(shipped + timedelta(hours=22), delivered - timedelta(hours=4))
            scan(out, "out_for_delivery", "Out for delivery", destination)
            scan(
                max(delivered, out + timedelta(hours=1)),
                "delivered",
                "Delivered; signed for by the recipient"
                if snapshot.signature_required
                else "Delivered",
                destination,
            )
    return {
        "tracking_number": snapshot.tracking_number,
        "carrier": CARRIER,
        "status": status,
        "status_detail": detail,
        "estimated_delivery": eta.isoformat() if eta else None,
        "signature_required": snapshot.signature_required,
        "events": list(reversed(events)),  # newest first
    }


@dataclass
class Fault:
    mode: str
    tracking_number: str | None = None  # None: every tracking number
    delay_ms: int = DEFAULT_DELAY_MS
    fail_times: int = DEFAULT_FAIL_TIMES

    def as_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "tracking_number": self.tracking_number,
            "delay_ms": self.delay_ms,
            "fail_times": self.fail_times,
        }


@dataclass
class ServerState:
    api_key: str
    database_url: str | None = None
    fault: Fault | None = None
    flaky_failures: dict[str, int] = field(default_factory=dict)
    requests_by_number: dict[str, int] = field(default_factory=dict)

    def reset(self) -> None:
        self.fault = None
        self.flaky_failures.clear()
        self.requests_by_number.clear()


STATE = web.AppKey("state", ServerState)


class BadRequest(ValueError):
    pass


def _error(status: int, code: str) -> web.Response:
    return web.json_response({"error": code}, status=status)


def _whole_number(raw: Any, name: str, default: int, maximum: int) -> int:
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        raise BadRequest(f"{name} must be a whole number")
    try:
        value = int(raw)
    except (TypeError, ValueError) as error:
        raise BadRequest(f"{name} must be a whole number") from error
    if not 0 <= value <= maximum:
        raise BadRequest(f"{name} must be between 0 and {maximum}")
    return value


def _requested_fault(request: web.Request, number: str) -> Fault | None:
    mode = request.query.get("simulate") or request.headers.get("X-Simulate")
    if not mode:
        return None
    if mode not in FAULT_MODES:
        raise BadRequest(f"simulate must be one of {', '.join(FAULT_MODES)}")
    delay = request.query.get("delay_ms") or request.headers.get("X-Delay-Ms")
    times = request.query.get("fail_times") or request.headers.get("X-Fail-Times")
    return Fault(
        mode,
        number,
        _whole_number(delay, "delay_ms", DEFAULT_DELAY_MS, MAX_DELAY_MS),
        _whole_number(times, "fail_times", DEFAULT_FAIL_TIMES, 1000),
    )


async def _apply_fault(fault: Fault, state: ServerState, number: str) -> web.Response | None:
    """A response that replaces the real one, or None to answer normally (after any delay)."""
    if fault.mode == "slow":
        await asyncio.sleep(fault.delay_ms / 1000)
    elif fault.mode == "timeout":
        await asyncio.sleep(TIMEOUT_SLEEP_S)
    elif fault.mode == "error":
        return _error(500, "internal_error")
    elif fault.mode == "flaky":
        served = state.flaky_failures.get(number, 0)
        if served < fault.fail_times:
            state.flaky_failures[number] = served + 1
            return _error(503, "service_unavailable")
    elif fault.mode == "malformed":
        return web.json_response({"tracking_number": number, "carrier": CARRIER, "events": "n/a"})
    elif fault.mode == "not_found":  # the carrier has lost track of a parcel we know
        return _error(404, "not_found")
    return None


async def tracking(request: web.Request) -> web.Response:
    state = request.app[STATE]
    number = request.match_info["tracking_number"].strip().upper()
    state.requests_by_number[number] = state.requests_by_number.get(number, 0) + 1
    supplied = request.headers.get("X-Api-Key", "").encode()
    if not hmac.compare_digest(supplied, state.api_key.encode()):
        return _error(401, "unauthorized")
    if not TRACKING_NUMBER.match(number):
        return _error(400, "invalid_tracking_number")
    try:
        fault = _requested_fault(request, number)
    except BadRequest as error:
        return web.json_response({"error": "bad_request", "detail": str(error)}, status=400)
    if fault is None and state.fault is not None and state.fault.tracking_number in (None, number):
        fault = state.fault
    if fault is not None:
        replaced = await _apply_fault(fault, state, number)
        if replaced is not None:
            return replaced
    if number.startswith(UNKNOWN_PREFIX):
        return _error(404, "not_found")
    # The ORM is synchronous; keep the event loop free for concurrent (slow) requests.
    loop = asyncio.get_running_loop()
    snapshot = await loop.run_in_executor(None, load_shipment, number, state.database_url)
    if snapshot is None:
        return _error(404, "not_found")
    return web.json_response(build_tracking(snapshot))


async def set_fault(request: web.Request) -> web.Response:
    state = request.app[STATE]
    try:
        body = await request.json()
        if not isinstance(body, dict):
            raise BadRequest("the body must be a JSON object")
        mode = body.get("mode")
        if mode is None:
            state.fault = None
        elif mode not in FAULT_MODES:
            raise BadRequest(f"mode must be null or one of {', '.join(FAULT_MODES)}")
        else:
            number = body.get("tracking_number")
            if number is not None and not isinstance(number, str):
                raise BadRequest("tracking_number must be a string")
            state.fault = Fault(
                mode,
                number.strip().upper() if number else None,
                _whole_number(body.get("delay_ms"), "delay_ms", DEFAULT_DELAY_MS, MAX_DELAY_MS),
                _whole_number(body.get("fail_times"), "fail_times", DEFAULT_FAIL_TIMES, 1000),
            )
    except ValueError as error:  # BadRequest, and JSON that does not parse
        return web.json_response({"error": "bad_request", "detail": str(error)}, status=400)
    log.info("fault mode: %s", state.fault.mode if state.fault else "none")
    return await get_fault(request)


async def get_fault(request: web.Request) -> web.Response:
    fault = request.app[STATE].fault
    return web.json_response({"fault": fault.as_json() if fault else None})


async def stats(request: web.Request) -> web.Response:
    counts = request.app[STATE].requests_by_number
    return web.json_response(
        {"tracking_requests": sum(counts.values()), "by_tracking_number": dict(counts)}
    )


async def reset(request: web.Request) -> web.Response:
    request.app[STATE].reset()
    return web.json_response({"status": "reset"})


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "carrier": CARRIER})


def create_app(api_key: str | None = None, database_url: str | None = None) -> web.Application:
    app = web.Application(client_max_size=16 * 1024)
    app[STATE] = ServerState(
        api_key=api_key or load_settings().carrier.api_key,
        database_url=database_url,
    )
    app.router.add_get("/v1/tracking/{tracking_number}", tracking)
    app.router.add_get("/health", health)
    app.router.add_post("/_control/faults", set_fault)
    app.router.add_get("/_control/faults", get_fault)
    app.router.add_get("/_control/stats", stats)
    app.router.add_post("/_control/reset", reset)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake RapidParcel tracking API (dev and tests).")
    parser.add_argument("--port", type=int, default=None, help="default: CARRIER_PORT or 8090")
    parser.add_argument("--host", default="localhost", help="interface (default: localhost)")
    args = parser.parse_args(argv)
    settings = start_settings("carrier")
    port = args.port if args.port is not None else settings.carrier_port
    configure_logging("carrier")
    log.info("fake %s tracking API on %s:%d", CARRIER, args.host, port)
    # No access log: request lines carry tracking numbers. Handlers sleeping for a simulated
    # timeout are cancelled when their client leaves, so stopping the server is quick.
    web.run_app(
        create_app(),
        host=args.host,
        port=port,
        print=None,
        access_log=None,
        shutdown_timeout=2.0,
        handler_cancellation=True,
    )


if __name__ == "__main__":
    main()
