"""Hypothesis strategies shared by several test modules.

``histories`` and ``PROPERTY``: random small histories of one key (2-25 events of
checkout/production within 50 minutes, so nothing is late with the default 1 h
lateness) and the settings of the engine's property tests; used by the order,
duplicate and invariant properties of the engine (tests/unit/engine/) and by
``copy_state``'s property test. docs/incident-model.md, "Keys and order".

``json_values``, ``hostile_text``, ``factories``, ``expected_types`` and
``FIELDS``: arbitrary JSON values with hostile strings (SQL, control
characters, long text), the event factories, the type a topic expects (or
none, over HTTP) and every event field name; used by the properties of
``decode()`` and of the gateway's ``/events``.

``JSON``: small JSON values put in place of one field of a vendor payload; used
by the Jira and PagerDuty adapter properties.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, get_args

from hypothesis import settings
from hypothesis import strategies as st

from schemas.events import SEVERITIES, TicketStatus
from tests.support.factories import BASE_TIME, alert, deploy, ticket
from tests.support.hostile_corpus import SQL_STRINGS

# --- histories of one key (the engine's property tests) ---------------------------------

SPAN_MS = 50 * 60_000  # every event within 50 min: nothing is late with the default 1 h
ALERT_IDS = ("a1", "a2", "a3")
TICKET_IDS = ("t1", "t2")
TICKET_STATUSES: tuple[str, ...] = get_args(TicketStatus)


def _stamp(ms: int) -> str:
    moment = BASE_TIME + timedelta(milliseconds=ms)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# Whole minutes make ties and quiet-period boundaries likely; plus odd milliseconds.
_times = st.one_of(st.integers(0, 50).map(lambda m: m * 60_000), st.integers(0, SPAN_MS))
_alerts = st.fixed_dictionaries(
    {
        "type": st.just("alert"),
        "ms": _times,
        "alert_id": st.sampled_from(ALERT_IDS),
        "name": st.sampled_from(("HighErrorRate", "Latency")),
        "status": st.sampled_from(("firing", "firing", "resolved")),
        # a firing usually comes with its own resolution this much later (ms)
        "resolve_after": st.none()
        | st.integers(0, 15).map(lambda m: m * 60_000)
        | st.integers(0, 900_000),
        "severity": st.sampled_from(SEVERITIES),
        "category": st.sampled_from(("availability", "performance", "security", "other")),
        # starts_at offset from occurred_at; may be after it (clock skew) to hit the clamps
        "starts": st.none() | st.integers(-600_000, 60_000),
    }
)
_tickets = st.fixed_dictionaries(
    {
        "type": st.just("ticket"),
        "ms": _times,
        "ticket_id": st.sampled_from(TICKET_IDS),
        "status": st.sampled_from(TICKET_STATUSES),
        "severity": st.none() | st.sampled_from(SEVERITIES),
        "title": st.none() | st.sampled_from(("Checkout down", "Slow pages")),
    }
)
_deploys = st.fixed_dictionaries(
    {
        "type": st.just("deploy"),
        "ms": _times,
        "deploy_id": st.sampled_from(("d1", "d2", "d3")),
        "status": st.sampled_from(("started", "succeeded", "failed")),
        "kind": st.sampled_from(("release", "rollback", "hotfix", "config", "remediation")),
    }
)


def _events(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Turn a drawn spec into one or two event dicts of checkout/production (no ids yet)."""
    fields = {key: value for key, value in spec.items() if value is not None}
    ms = fields.pop("ms")
    starts = fields.pop("starts", None)
    resolve_after = fields.pop("resolve_after", None)
    if starts is not None:
        fields["starts_at"] = _stamp(ms + starts)
    event = {"service": "checkout", "occurred_at": _stamp(ms), **fields}
    if resolve_after is None or fields["status"] != "firing":
        return [event]
    resolution = {key: value for key, value in event.items() if key != "starts_at"}
    resolution.update(status="resolved", occurred_at=_stamp(min(ms + resolve_after, SPAN_MS)))
    return [event, resolution]


def _history(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    events = [event for spec in specs for event in _events(spec)][:25]
    return [{"event_id": f"e{i:02d}", **event} for i, event in enumerate(events)]


histories = st.lists(st.one_of(_alerts, _alerts, _tickets, _deploys), min_size=2, max_size=25).map(
    _history
)
"""2-25 events of one key within 50 minutes (all within the default 1 h lateness)."""

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True)

# --- hostile JSON (decode and gateway properties) ----------------------------------------

hostile_text = (
    st.sampled_from(SQL_STRINGS)
    | st.text(max_size=40)
    | st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Zl", "Zp", "Cf"]))
    | st.text(min_size=120, max_size=300)
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | hostile_text
    | st.sampled_from(
        [
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59-14:00",
            "2026-03-02T10:00:00",
            "2026-03-02T10:00:00Z",
            "alert",
            "deploy",
            "ticket",
            "firing",
            "",
            " ",
        ]
    )
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(hostile_text, children, max_size=4)
    ),
    max_leaves=20,
)
factories = st.sampled_from([alert, deploy, ticket])
expected_types = st.sampled_from([None, "alert", "deploy", "ticket"])
FIELDS = sorted(
    {
        "event_id",
        "type",
        "service",
        "environment",
        "occurred_at",
        "source",
        "alert_id",
        "name",
        "status",
        "severity",
        "category",
        "starts_at",
        "summary",
        "labels",
        "deploy_id",
        "kind",
        "version",
        "commit_sha",
        "ticket_id",
        "title",
        "url",
        "unknown",
    }
)


# --- vendor payload fields (Jira and PagerDuty adapter properties) -------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
