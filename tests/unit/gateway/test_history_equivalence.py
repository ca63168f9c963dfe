"""Importing a history, then receiving the live webhooks of the same incidents, changes nothing.

The spec's guarantee, per source, on the pure engine: the events of
``mttr import`` followed by the live webhook events of the same incidents
give exactly the incidents of live-only processing, because both paths give
the same event ids (and the same events). docs/sources/import.md.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.engine import fire, run, stable_rows
from tests.support.history_payloads import imported, live_events

# GitHub deploys alone declare no incident: an alert on the repository's service frames the
# rollback the fixtures deploy (2019-05-15 15:20:54 started, 15:20:55 succeeded).
FRAME = [
    fire("gh-1", 0, service="Hello-World", occurred_at="2019-05-15T15:10:00Z",
         starts_at="2019-05-15T15:10:00Z"),
    fire("gh-1", 0, service="Hello-World", status="resolved",
         occurred_at="2019-05-15T15:25:00Z", starts_at="2019-05-15T15:10:00Z"),
]  # fmt: skip


def context(source: str) -> list[dict[str, Any]]:
    return FRAME if source == "github" else []


@pytest.mark.parametrize("source", ["pagerduty", "jira", "github"])
def test_import_then_live_gives_the_incidents_of_live_only(source: str) -> None:
    history = imported(source)
    assert history.errors == []
    live = live_events(source)
    live_only = run([*context(source), *live])
    assert live_only  # the fixtures do make incidents
    both = run([*context(source), *history.events, *live])
    assert stable_rows(both) == stable_rows(live_only)


@pytest.mark.parametrize("source", ["pagerduty", "jira", "github"])
def test_the_imported_events_are_the_live_events(source: str) -> None:
    live = {event["event_id"]: event for event in live_events(source)}
    history = {event["event_id"]: event for event in imported(source).events}
    assert {i: history[i] for i in live} == live  # same ids, same fields


def test_live_then_import_changes_nothing_either() -> None:
    live = live_events("pagerduty")
    assert stable_rows(run([*live, *imported("pagerduty").events])) == stable_rows(run(live))
