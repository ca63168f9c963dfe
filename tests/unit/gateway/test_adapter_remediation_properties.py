"""Rundeck and AWX adapters, properties: robust to any value anywhere; exact ids and times.

* Any JSON value at any path the adapters read gives valid events, an ignore or a
  ``PayloadError``, never another exception.
* A Rundeck run's event keeps its ``unixtime`` to the millisecond, and its ids
  depend on the execution id and status only (a redelivery gives the same ids).
* An AWX run's ids depend on the job id and status only.

docs/sources/rundeck.md, docs/sources/awx.md; streams/gateway/adapters/{rundeck,awx}.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters import awx, rundeck
from streams.gateway.adapters.base import Converted, PayloadError
from tests.support.remediation_payloads import AWX, RUNDECK, awx_fixture, rundeck_fixture
from tests.support.strategies import JSON

RUNDECK_PATHS = [
    ("trigger",), ("status",), ("executionId",), ("execution",), ("execution", "job"),
    ("execution", "job", "id"), ("execution", "job", "name"), ("execution", "job", "group"),
    ("execution", "date-started"), ("execution", "date-started", "unixtime"),
    ("execution", "date-ended"), ("execution", "date-ended", "unixtime"),
]  # fmt: skip
AWX_PATHS = [
    ("id",),
    ("name",),
    ("status",),
    ("started",),
    ("finished",),
    ("extra_vars",),
    ("body",),
]
FIXTURES: list[tuple[str, Callable[[], dict[str, Any]], Callable[[Any], Converted], list[Any]]] = [
    (name, lambda n=name: rundeck_fixture(n), lambda p: rundeck.convert(p, RUNDECK), RUNDECK_PATHS)
    for name in ("success.json", "derived_start.json")
] + [
    (name, lambda n=name: awx_fixture(n), lambda p: awx.convert(p, AWX), AWX_PATHS)
    for name in ("started.json", "failed.json")
]


@settings(max_examples=400, deadline=None)
@given(data=st.data(), case=st.sampled_from(FIXTURES), value=JSON)
def test_any_value_anywhere_is_converted_ignored_or_a_payload_error(
    data: st.DataObject, case: Any, value: Any
) -> None:
    _name, load, convert, paths = case
    path = data.draw(st.sampled_from(paths))
    payload = load()
    target = payload
    for part in path[:-1]:
        target = target.setdefault(part, {})  # derived_start.json has no date-ended
    target[path[-1]] = value
    try:
        converted = convert(payload)
    except PayloadError:
        return
    assert (converted.ignored is None) == bool(converted.events)
    for event in converted.events:
        EVENT_ADAPTER.validate_python(event)


MILLIS = st.integers(min_value=0, max_value=4_102_444_799_999)  # up to 2099-12-31T23:59:59.999Z
STATES = st.sampled_from(sorted(rundeck.STATUSES))
AWX_STATES = st.sampled_from(sorted(awx.STATUSES))


@settings(max_examples=200, deadline=None)
@given(execution_id=st.integers(min_value=1, max_value=2**53), state=STATES, millis=MILLIS)
def test_rundeck_time_and_ids_are_exact(execution_id: int, state: str, millis: int) -> None:
    payload = rundeck_fixture("success.json") | {"status": state, "executionId": execution_id}
    payload["execution"]["date-started"]["unixtime"] = millis
    payload["execution"]["date-ended"]["unixtime"] = millis
    (event,) = rundeck.convert(payload, RUNDECK).events
    status = rundeck.STATUSES[state]
    assert event["event_id"] == f"rundeck-{execution_id}-{status}"
    assert event["deploy_id"] == f"rundeck-{execution_id}"
    parsed = EVENT_ADAPTER.validate_python(event)
    assert parsed.occurred_at == datetime.fromtimestamp(millis / 1000, UTC).replace(
        microsecond=millis % 1000 * 1000
    )
    assert rundeck.convert(payload, RUNDECK) == rundeck.convert(payload, RUNDECK)


@settings(max_examples=100, deadline=None)
@given(job_id=st.integers(min_value=1, max_value=2**53), state=AWX_STATES)
def test_awx_ids_depend_on_the_job_and_status_only(job_id: int, state: str) -> None:
    payload = awx_fixture("failed.json") | {"id": job_id, "status": state}
    (event,) = awx.convert(payload, AWX).events
    assert event["event_id"] == f"awx-{job_id}-{awx.STATUSES[state]}"
    assert event["deploy_id"] == f"awx-{job_id}"
