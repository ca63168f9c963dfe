"""CDEvents adapter, properties: any value at any path it reads gives valid events, an
ignore or a ``PayloadError``, never another exception; and the content mode never matters.

docs/sources/cdevents.md and streams/gateway/adapters/cdevents.py.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.cdevents_config import CDEventsConfig
from tests.support.cdevents_payloads import batch, binary, convert, envelope, load, structured
from tests.support.strategies import JSON

CONFIG = CDEventsConfig(ticket_types=frozenset(), default_service="portal")
NAMES = ["incident_detected", "incident_reported", "incident_resolved", "service_deployed",
         "service_rolledback", "ticket_created", "ticket_updated", "ticket_closed",
         "change_merged"]  # fmt: skip
CUSTOM = {"status": "resolved", "severity": "high", "title": "Fix",
          "commitSha": "1a429d2f06fa49d8ece5045ac6471dc8a2276895",
          "firstCommitAt": "2023-03-19T10:00:00Z"}  # fmt: skip
PATHS = [
    ("context",), ("context", "id"), ("context", "source"), ("context", "type"),
    ("context", "timestamp"), ("subject",), ("subject", "id"), ("subject", "type"),
    ("subject", "content"), ("subject", "content", "description"),
    ("subject", "content", "environment"), ("subject", "content", "environment", "id"),
    ("subject", "content", "service"), ("subject", "content", "service", "id"),
    ("subject", "content", "artifactId"), ("subject", "content", "ticketURI"),
    ("subject", "content", "summary"), ("subject", "content", "priority"),
    ("subject", "content", "labels"), ("subject", "content", "group"),
    ("subject", "content", "uri"), ("subject", "content", "ticketType"),
    ("customData",), ("customData", "severity"), ("customData", "status"),
    ("subject", "content", "repository"), ("subject", "content", "repository", "id"),
    ("customData", "commitSha"), ("customData", "firstCommitAt"), ("customData", "title"),
]  # fmt: skip


def _set(document: Any, path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        if not isinstance(document.get(part), dict):
            document[part] = {}
        document = document[part]
    document[path[-1]] = value


@settings(max_examples=400, deadline=None)
@given(name=st.sampled_from(NAMES), path=st.sampled_from(PATHS), value=JSON)
def test_any_value_anywhere_is_converted_ignored_or_a_payload_error(
    name: str, path: tuple[str, ...], value: Any
) -> None:
    cdevent = load(name)
    cdevent["customData"] = dict(CUSTOM)
    _set(cdevent, path, value)
    body = json.dumps(envelope(load(name), data=cdevent)).encode()  # big ints too
    try:
        converted = convert((body, {"Content-Type": "application/cloudevents+json"}), CONFIG)
    except PayloadError:
        return
    for event in converted.events:
        EVENT_ADAPTER.validate_python(event)


@settings(max_examples=100, deadline=None)
@given(
    names=st.lists(st.sampled_from(NAMES), min_size=1, max_size=6),
    ids=st.lists(
        st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20),
        min_size=6,
        max_size=6,
    ),
)
def test_the_content_mode_never_changes_the_events(names: list[str], ids: list[str]) -> None:
    cdevents = []
    for name, context_id in zip(names, ids, strict=False):
        cdevent = load(name)
        cdevent["context"]["id"] = context_id
        cdevent["customData"] = {"status": "mitigated"}
        cdevents.append(cdevent)
    one_by_one = [convert(binary(c), CONFIG).events for c in cdevents]
    assert [convert(structured(c), CONFIG).events for c in cdevents] == one_by_one
    together = convert(batch(envelope(c) for c in cdevents), CONFIG)
    assert together.events == [event for events in one_by_one for event in events]
    assert together.rejected == []
