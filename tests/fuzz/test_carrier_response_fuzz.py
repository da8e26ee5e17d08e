"""Whatever the carrier answers, the client returns tracking or raises its own errors only."""

import json

import requests
from hypothesis import given
from hypothesis import strategies as st

from pharmacy.carrier import (
    STATUSES,
    CarrierClient,
    CarrierError,
    CarrierSettings,
    MalformedResponse,
    TrackingInfo,
    parse_tracking,
)
from tests.fuzz import strategies

NUMBER = "RP4000000007"
json_values = strategies.json_values(max_leaves=15)
times = st.datetimes().map(lambda t: t.isoformat()) | st.sampled_from(
    ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-11-23T10:00:00Z", "Z", ""]
)
# Answers close to the real schema, each field either right or anything at all.
events = st.lists(
    st.fixed_dictionaries(
        {
            "time": times | json_values,
            "status": st.sampled_from(sorted(STATUSES)) | json_values,
            "description": st.text(max_size=20) | json_values,
            "location": st.text(max_size=20),
        }
    )
)
near_valid = st.fixed_dictionaries(
    {
        "tracking_number": st.sampled_from([NUMBER, NUMBER.lower(), " rp4000000007 ", "RP1"])
        | json_values,
        "carrier": st.just("RapidParcel") | json_values,
        "status": st.sampled_from(sorted(STATUSES)) | json_values,
        "status_detail": st.text(max_size=20),
        "estimated_delivery": st.dates().map(str)
        | st.sampled_from(["2026-02-30", ""])
        | json_values,
        "signature_required": st.booleans() | json_values,
        "events": events | json_values,
    }
)
payloads = near_valid | json_values


@given(payloads)
def test_a_parsed_answer_is_tracking_or_a_malformed_response(payload):
    try:
        info = parse_tracking(payload, NUMBER)
    except MalformedResponse:
        return
    assert isinstance(info, TrackingInfo) and info.status in STATUSES
    assert [e.time for e in info.events] == sorted((e.time for e in info.events), reverse=True)


class _OneAnswer:
    """A requests session that answers every call with the same status and body."""

    def __init__(self, status: int, body: bytes):
        self.status, self.body = status, body

    def get(self, *_args, **_kwargs):
        response = requests.Response()
        response.status_code, response._content = self.status, self.body
        return response


bodies = (
    payloads.map(lambda value: json.dumps(value).encode())
    | st.binary(max_size=200)
    | st.integers(1, 5000).map(lambda depth: b"[" * depth + b"]" * depth)
)


@given(st.sampled_from([200, 200, 200, 201, 204, 302, 400, 401, 404, 418, 500, 503]), bodies)
def test_the_client_raises_nothing_but_carrier_errors(status, body):
    client = CarrierClient(CarrierSettings(retries=0), session=_OneAnswer(status, body))
    try:
        info = client.track(NUMBER)
    except CarrierError:
        return
    assert isinstance(info, TrackingInfo)
