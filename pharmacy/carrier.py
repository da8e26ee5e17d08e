"""Client of the RapidParcel tracking API: timeouts, retries, response validation, circuit breaker.

``default_client().track("RP4000000007")`` returns a ``TrackingInfo`` or raises
``TrackingNotFound`` (no such parcel) or ``CarrierUnavailable`` (the carrier cannot answer now:
down, too slow, 5xx after retries, breaker open, unusable answer, or our key refused).

Logs show tracking numbers masked to their last four characters, and never a response body:
the last scans carry the shopper's city.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import quote

import requests

log = logging.getLogger(__name__)

STATUSES = frozenset({"label_created", "in_transit", "out_for_delivery", "delivered", "exception"})
# Checked before any request: the number is user input and goes into the URL path.
TRACKING_NUMBER = re.compile(r"^[A-Z0-9]{6,40}$")


def mask_tracking_number(tracking_number: str) -> str:
    """ "RP4000000007" -> "********0007": enough for support to match, not to look a parcel up."""
    text = str(tracking_number)
    return "*" * max(len(text) - 4, 0) + text[-4:]


@dataclass(frozen=True)
class CarrierSettings:
    base_url: str = "http://localhost:8090"
    api_key: str = "dev-carrier-key"
    connect_timeout: float = 2.0
    read_timeout: float = 2.5
    retries: int = 2  # extra attempts after the first
    backoff_base: float = 0.2  # seconds before retry n: backoff_base * 2 ** (n - 1)
    breaker_threshold: int = 3  # consecutive failed calls that open the breaker
    breaker_cooldown: float = 30.0  # seconds the breaker stays open before one trial call


@dataclass(frozen=True)
class TrackingEvent:
    time: datetime  # timezone-aware, UTC
    status: str
    description: str
    location: str = field(repr=False)  # "City, ST"; kept out of reprs that may end up in logs


@dataclass(frozen=True)
class TrackingInfo:
    tracking_number: str
    carrier: str
    status: str
    status_detail: str
    estimated_delivery: date | None
    signature_required: bool
    events: tuple[TrackingEvent, ...]  # newest first

    @property
    def latest_event(self) -> TrackingEvent | None:
        return self.events[0] if self.events else None


class CarrierError(Exception):
    pass


class TrackingNotFound(CarrierError):
    """The carrier has no parcel with this number (or it is not a tracking number at all)."""


class CarrierUnavailable(CarrierError):
    """The carrier cannot give an answer now. ``reason`` says why, for logs and metrics."""

    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or reason)
        # unreachable, timeout, server_error, malformed, circuit_open or rejected
        self.reason = reason


class MalformedResponse(ValueError):
    pass


# Failures that say the carrier is unhealthy; a refused key or a 4xx answer does not.
_BREAKER_REASONS = frozenset({"unreachable", "timeout", "server_error", "malformed"})


def _require(payload: dict[str, Any], name: str, kind: type, where: str = "") -> Any:
    value = payload.get(name)
    # bool is an int subclass; neither stands in for the other here.
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise MalformedResponse(f"field {where + name!r} is missing or not a {kind.__name__}")
    return value


def _status(value: Any, name: str) -> str:
    if not isinstance(value, str) or value not in STATUSES:  # a list or dict is not hashable
        raise MalformedResponse(f"field {name!r} is not a known status")
    return value


def _parse_time(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise MalformedResponse(f"field {name!r} is not a time")
    try:
        # Python 3.10 does not read a trailing "Z".
        moment = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError as error:
        raise MalformedResponse(f"field {name!r} is not an ISO-8601 time") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError as error:  # "0001-01-01T00:00:00+01:00" is before year 1 in UTC
        raise MalformedResponse(f"field {name!r} is out of range") from error


def parse_tracking(payload: Any, tracking_number: str) -> TrackingInfo:
    """Validate one API answer; ``MalformedResponse`` names the bad field, never its value."""
    if not isinstance(payload, dict):
        raise MalformedResponse("the body is not a JSON object")
    number = _require(payload, "tracking_number", str)
    if number.strip().upper() != tracking_number:
        raise MalformedResponse("the answer is for another tracking number")
    eta = payload.get("estimated_delivery")
    if eta is not None:
        try:
            eta = date.fromisoformat(eta) if isinstance(eta, str) else None
        except ValueError:
            eta = None
        if eta is None:
            raise MalformedResponse("field 'estimated_delivery' is not a YYYY-MM-DD date")
    raw_events = _require(payload, "events", list)
    events: list[TrackingEvent] = []
    for index, raw in enumerate(raw_events):
        where = f"events[{index}]"
        if not isinstance(raw, dict):
            raise MalformedResponse(f"{where} is not an object")
        events.append(
            TrackingEvent(
                time=_parse_time(raw.get("time"), f"{where}.time"),
                status=_status(raw.get("status"), f"{where}.status"),
                description=_require(raw, "description", str, f"{where}."),
                location=_require(raw, "location", str, f"{where}."),
            )
        )
    events.sort(key=lambda event: event.time, reverse=True)  # promised newest first; make sure
    return TrackingInfo(
        tracking_number=tracking_number,
        carrier=_require(payload, "carrier", str),
        status=_status(payload.get("status"), "status"),
        status_detail=_require(payload, "status_detail", str),
        estimated_delivery=eta,
        signature_required=_require(payload, "signature_required", bool),
        events=tuple(events),
    )


class CircuitBreaker:
    """Opens after ``threshold`` failures in a row; after ``cooldown`` it lets one trial through."""

    def __init__(self, threshold: int, cooldown: float, clock: Callable[[], float]):
        self.threshold = threshold
        self.cooldown = cooldown
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self.trial_running = False
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        with self._lock:
            if self.opened_at is None:
                return "closed"
            if self.trial_running or self.clock() - self.opened_at >= self.cooldown:
                return "half_open"
            return "open"

    def allow(self) -> bool:
        with self._lock:
            if self.opened_at is None:
                return True
            if self.trial_running or self.clock() - self.opened_at < self.cooldown:
                return False
            self.trial_running = True  # this caller is the one trial; others still fail fast
            return True

    def record_success(self) -> None:
        with self._lock:
            self.failures = 0
            self.opened_at = None
            self.trial_running = False

    def release_trial(self) -> None:
        with self._lock:
            self.trial_running = False

    def record_failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self.trial_running or self.failures >= self.threshold:
                self.opened_at = self.clock()
            self.trial_running = False


class _Retryable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CarrierClient:
    """One client per process (see ``default_client``): the breaker state lives in the instance."""

    def __init__(
        self,
        settings: CarrierSettings,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.settings = settings
        self.session = session or requests.Session()
        self.breaker = CircuitBreaker(settings.breaker_threshold, settings.breaker_cooldown, clock)

    def track(self, tracking_number: str) -> TrackingInfo:
        number = str(tracking_number).strip().upper().replace(" ", "")
        if not TRACKING_NUMBER.match(number):
            raise TrackingNotFound("not a tracking number")
        masked = mask_tracking_number(number)
        if not self.breaker.allow():
            log.warning("carrier: breaker open, not calling for %s", masked)
            raise CarrierUnavailable("circuit_open", "carrier circuit breaker is open")
        try:
            info = self._fetch(number, masked)
        except CarrierUnavailable as error:
            if error.reason in _BREAKER_REASONS:
                self.breaker.record_failure()
                if self.breaker.state == "open":
                    log.warning(
                        "carrier: breaker open for %.0f s after %d failed calls",
                        self.settings.breaker_cooldown,
                        self.breaker.failures,
                    )
            else:
                self.breaker.record_success()
            raise
        except TrackingNotFound:
            self.breaker.record_success()  # a clear "no such parcel" is a healthy carrier
            raise
        except BaseException:
            self.breaker.release_trial()  # a bug here must not leave the breaker stuck half-open
            raise
        self.breaker.record_success()
        return info

    def _fetch(self, number: str, masked: str) -> TrackingInfo:
        attempts = 1 + max(self.settings.retries, 0)
        for attempt in range(1, attempts + 1):
            try:
                return self._attempt(number)
            except _Retryable as failure:
                if attempt == attempts:
                    log.warning(
                        "carrier: %s for %s after %d attempts", failure.reason, masked, attempts
                    )
                    raise CarrierUnavailable(failure.reason) from None
                delay = self.settings.backoff_base * 2 ** (attempt - 1)
                log.info(
                    "carrier: %s for %s (attempt %d of %d), retrying in %.2f s",
                    failure.reason,
                    masked,
                    attempt,
                    attempts,
                    delay,
                )
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _attempt(self, number: str) -> TrackingInfo:
        url = f"{self.settings.base_url}/v1/tracking/{quote(number, safe='')}"
        try:
            response = self.session.get(
                url,
                headers={"X-Api-Key": self.settings.api_key, "Accept": "application/json"},
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                allow_redirects=False,
            )
            body = response.content  # read inside the try: a stalled body is a timeout too
        except requests.ReadTimeout:
            # A carrier too slow to answer will not be faster a moment later, and the shopper
            # is waiting: fail at once (the breaker counts it).
            raise CarrierUnavailable("timeout") from None
        except requests.Timeout:
            raise _Retryable("timeout") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            raise _Retryable("unreachable") from None
        except requests.RequestException as error:
            raise CarrierUnavailable("unreachable", type(error).__name__) from None
        status = response.status_code
        if status >= 500:
            raise _Retryable("server_error")
        if status in (401, 403):
            log.error("carrier: API key refused (HTTP %d); check CARRIER_API_KEY", status)
            raise CarrierUnavailable("rejected", f"HTTP {status}")
        if status in (400, 404):
            raise TrackingNotFound(mask_tracking_number(number))
        if status != 200:
            raise CarrierUnavailable("rejected", f"HTTP {status}")
        try:
            return parse_tracking(response.json() if body else None, number)
        # MalformedResponse, a body that is not JSON, and JSON nested too deep to decode.
        except (ValueError, RecursionError) as error:
            reason = str(error) if isinstance(error, MalformedResponse) else "the body is not JSON"
            log.warning("carrier: unusable answer for %s: %s", mask_tracking_number(number), reason)
            raise CarrierUnavailable("malformed", reason) from None


_default: CarrierClient | None = None
_default_lock = threading.Lock()


def default_client() -> CarrierClient:
    """The process's shared client, made on first use from the settings."""
    from pharmacy.settings import load_settings  # settings builds CarrierSettings

    global _default
    with _default_lock:
        if _default is None:
            _default = CarrierClient(load_settings().carrier)
        return _default
