"""``mttr import pagerduty``: REST incidents and log entries in, the live ticket events out.

streams/gateway/history/pagerduty.py; fixtures: tests/fixtures/pagerduty/SOURCES.md.
"""

from __future__ import annotations

import copy
from typing import Any

from streams.gateway.adapters.pagerduty import PagerDutyConfig
from streams.gateway.history.base import Document
from streams.gateway.history.pagerduty import convert
from tests.support.history_payloads import imported, load

CONFIG = PagerDutyConfig()


def ids(events: list[dict[str, Any]]) -> list[str]:
    return [event["event_id"] for event in events]


def test_the_log_entries_become_the_events_of_the_webhooks() -> None:
    result = imported("pagerduty", "history_incidents.json", "history_log_entries.json")
    assert (result.errors, result.ignored) == ([], 1)  # the notify_log_entry
    assert ids(result.events) == [
        "pagerduty-PT4KHLK-opened-2015-11-07T00:14:20Z",  # include[]=incidents form
        "pagerduty-PT4KHLK-resolved-2015-11-07T00:24:20Z",
        "pagerduty-PGR0VU2-opened-2020-10-02T18:40:05Z",
        "pagerduty-PGR0VU2-acknowledged-2020-10-02T18:42:10Z",
        "pagerduty-PGR0VU2-resolved-2020-10-02T19:05:00Z",
        "pagerduty-PGR0VU2-reopened-2020-10-02T19:09:30Z",  # a trigger after the resolve
    ]
    assert result.events[1] == {
        "event_id": "pagerduty-PT4KHLK-resolved-2015-11-07T00:24:20Z",
        "type": "ticket",
        "source": "pagerduty",
        "service": "My Mail Service",  # the incident's service.summary
        "environment": "production",
        "occurred_at": "2015-11-07T00:24:20Z",  # the log entry's created_at
        "ticket_id": "PT4KHLK",
        "status": "resolved",
        "severity": "high",  # priority P2
        "title": "The server is on fire.",
        "url": "https://subdomain.pagerduty.com/incidents/PT4KHLK",
    }


def test_the_same_entry_in_two_files_is_one_event() -> None:
    twice = imported("pagerduty", "history_incidents.json", "history_incidents.json")
    assert len(twice.events) == 4


def test_an_acknowledge_after_a_resolve_reopens() -> None:
    payload = load("pagerduty", "history_incidents.json")
    payload["incidents"][0]["log_entries"][4]["type"] = "acknowledge_log_entry"
    events = convert([Document("i.json", payload)], CONFIG).events
    assert [e["status"] for e in events] == [
        "opened", "acknowledged", "resolved", "reopened", "acknowledged",
    ]  # fmt: skip


def test_errors_name_the_file_and_the_item_and_keep_the_rest() -> None:
    payload = load("pagerduty", "history_incidents.json")
    entries = payload["incidents"][0]["log_entries"]
    del entries[0]["created_at"]
    entries[2]["created_at"] = "yesterday"
    other = copy.deepcopy(load("pagerduty", "history_log_entries.json"))
    del other["log_entries"][0]["incident"]["service"]  # the copy the importer keeps
    result = convert(
        [
            Document("incidents.json", payload),
            Document("entries.json", other),
            Document("bad.json", [1]),
        ],
        CONFIG,
    )
    assert result.errors == [
        "incidents.json: incidents[0].log_entries[0].created_at: missing",
        "incidents.json: incidents[0].log_entries[2].created_at: not an ISO 8601 time with a "
        "UTC offset: 'yesterday'",
        "bad.json: top level: expected an object with incidents or log_entries (a PagerDuty "
        "answer)",
        "entries.json: log_entries[0].incident.service: missing",
    ]
    assert ids(result.events) == [
        "pagerduty-PGR0VU2-resolved-2020-10-02T19:05:00Z",
        "pagerduty-PGR0VU2-reopened-2020-10-02T19:09:30Z",
    ]


def test_an_entry_of_an_incident_in_no_file_is_an_error() -> None:
    payload = load("pagerduty", "history_log_entries.json")
    for entry in payload["log_entries"]:
        entry["incident"] = {"id": "PT4KHLK", "type": "incident_reference"}
    result = convert([Document("entries.json", payload)], CONFIG)
    assert result.events == []
    assert result.errors == [
        f"entries.json: log_entries[{n}].incident.id: incident 'PT4KHLK' is in none of the files "
        "(save GET /incidents too, or list the log entries with include[]=incidents)"
        for n in (1, 0)  # in time order
    ]
    with_incidents = convert(
        [Document("entries.json", payload), *_incidents_of("history_log_entries.json")], CONFIG
    )
    assert (with_incidents.errors, len(with_incidents.events)) == ([], 2)


def _incidents_of(name: str) -> list[Document]:
    incident = load("pagerduty", name)["log_entries"][0]["incident"]
    return [Document("incidents.json", {"incidents": [incident]})]
