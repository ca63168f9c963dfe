"""``mttr import jira``: REST issues with their changelog in, the live ticket events out.

streams/gateway/history/jira.py; fixtures: tests/fixtures/jira/SOURCES.md.
"""

from __future__ import annotations

from typing import Any

from streams.gateway.adapters.jira import JiraConfig
from streams.gateway.history.base import Document
from streams.gateway.history.jira import convert
from tests.support.history_payloads import imported, load

CONFIG = JiraConfig()


def search() -> dict[str, Any]:
    data: dict[str, Any] = load("jira", "history_search.json")
    return data


def transition(history_id: str, created: str, old: str, new: str) -> dict[str, Any]:
    item = {"field": "status", "fieldtype": "jira", "fieldId": "status",
            "fromString": old, "toString": new}  # fmt: skip
    return {"id": history_id, "created": created, "items": [item]}


def test_creation_and_transitions_become_the_events_of_the_webhooks() -> None:
    result = imported("jira")
    assert (result.errors, result.ignored) == ([], 0)
    shown = [(e["event_id"], e["occurred_at"], e["status"], e["severity"]) for e in result.events]
    assert shown == [
        ("jira-99291-created", "2020-11-27T12:23:56.302Z", "opened", "low"),  # Minor then
        ("jira-99291-changelog-10124", "2020-11-27T12:33:56.302Z", "acknowledged", "critical"),
    ]


def test_one_issue_with_later_transitions_and_an_unmapped_status() -> None:
    issue = search()["issues"][0]
    issue["changelog"]["histories"] += [
        transition("10131", "2020-11-27T13:10:00.000Z", "Triage", "Done"),
        transition("10130", "2020-11-27T14:00:00.000+0100", "In Progress", "Triage"),  # 13:00Z
    ]
    issue["changelog"]["total"] = 4
    result = convert([Document("JRA-20002.json", issue)], CONFIG)  # GET /issue/{key} form
    assert result.errors == []
    assert result.ignored == 1  # "Triage" is in no status map, as live
    assert [(e["event_id"], e["occurred_at"], e["status"]) for e in result.events][-1] == (
        "jira-99291-changelog-10131", "2020-11-27T13:10:00.000Z", "resolved",
    )  # fmt: skip


def test_errors_name_the_file_and_the_item_and_keep_the_rest() -> None:
    data = search()
    good = data["issues"][0]
    no_changelog = {**good, "id": "1", "key": "A-1", "changelog": None}
    cut = {**good, "id": "2", "key": "A-2", "changelog": {**good["changelog"], "total": 9}}
    no_service = {**good, "id": "3", "key": "A-3",
                  "fields": {**good["fields"], "components": [], "labels": []}}  # fmt: skip
    bad_time = {**good, "id": "4", "key": "A-4", "changelog": {
        "histories": [{**good["changelog"]["histories"][0], "created": "noon"}]}}  # fmt: skip
    data["issues"] = [no_changelog, cut, no_service, bad_time, good]
    result = convert([Document("issues.json", data), Document("x.json", [])], CONFIG)
    assert result.errors == [
        "issues.json: issues[0].changelog: missing (fetch the issues with expand=changelog)",
        "issues.json: issues[1].changelog: holds 2 of 9 changes; fetch the rest with "
        "GET /rest/api/3/issue/A-2/changelog (see docs/sources/import.md)",
        "issues.json: issues[2].fields: no service could be determined (no component in "
        "issue.fields.components, no label starting with 'service:' in issue.fields.labels; "
        "no default service)".replace("issue.fields", "issues[2].fields"),
        "issues.json: issues[3].changelog.histories[0].created: not an ISO 8601 time with a UTC "
        "offset: 'noon'",
        "x.json: top level: expected a search answer (issues) or one issue",
    ]
    assert [e["ticket_id"] for e in result.events] == ["JRA-20002", "JRA-20002"]
