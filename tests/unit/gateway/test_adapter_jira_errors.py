"""Jira adapter: invalid payloads name the JSON path; invalid configuration fails at start-up.

README.md, "Webhooks: ``mttr gateway``", and streams/gateway/adapters/jira.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.jira import JiraConfig, convert
from tests.support.jira_payloads import CONFIG, load, only_event

# --- invalid payloads name the path -----------------------------------------------------


def broken(edit: Any, name: str = "derived_issue_updated_status.json") -> dict[str, Any]:
    payload = load(name)
    edit(payload)
    return payload


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "body: expected a JSON object, got list"),
        ({}, "webhookEvent: missing"),
        (broken(lambda p: p.pop("timestamp")), "timestamp: missing"),
        (broken(lambda p: p.update(timestamp="1606480436302")), "timestamp: expected int, got str"),
        (broken(lambda p: p.update(timestamp=1.5)), "timestamp: expected int, got float"),
        (
            broken(lambda p: p.update(timestamp=4102444800000)),
            "timestamp: 4102444800000 ms is outside 1970-01-01 .. 2100-01-01",
        ),
        (
            broken(lambda p: p.update(timestamp=10**20)),
            "timestamp: 100000000000000000000 ms is outside 1970-01-01 .. 2100-01-01",
        ),
        (
            broken(lambda p: p.update(timestamp=-1)),
            "timestamp: -1 ms is outside 1970-01-01 .. 2100-01-01",
        ),
        (broken(lambda p: p.pop("issue")), "issue: missing"),
        (broken(lambda p: p["changelog"].pop("id")), "changelog.id: missing"),
        (
            broken(lambda p: p["changelog"].update(id=1.5)),
            "changelog.id: expected str/int, got float",
        ),
        (broken(lambda p: p["issue"].pop("key")), "issue.key: missing"),
        (broken(lambda p: p["issue"].update(id="")), "issue.id: must not be blank"),
        (broken(lambda p: p["issue"].update(id=None)), "issue.id: expected str/int, got NoneType"),
        (broken(lambda p: p["issue"].update(fields=[])), "issue.fields: expected dict, got list"),
        (
            broken(lambda p: p["changelog"].update(items={})),
            "changelog.items: expected list, got dict",
        ),
        (
            broken(lambda p: p["changelog"]["items"].insert(0, "status")),
            "changelog.items.0: expected dict, got str",
        ),
        (broken(lambda p: p["issue"]["fields"].pop("status")), "issue.fields.status: missing"),
        (
            broken(lambda p: p["issue"]["fields"]["status"].update(name=3)),
            "issue.fields.status.name: expected str, got int",
        ),
        (
            broken(lambda p: p["issue"]["fields"].update(priority=2)),
            "issue.fields.priority: expected object or str, got int",
        ),
        (
            broken(lambda p: p["issue"]["fields"]["priority"].pop("name")),
            "issue.fields.priority.name: missing",
        ),
        (
            broken(lambda p: p["issue"]["fields"].update(summary=["x"])),
            "issue.fields.summary: expected str, got list",
        ),
        (
            broken(lambda p: p["issue"]["fields"].update(labels="service:checkout")),
            "issue.fields.labels: expected list, got str",
        ),
        (
            broken(lambda p: p["issue"]["fields"].update(labels=[7])),
            "issue.fields.labels.0: expected str, got int",
        ),
        (
            broken(
                lambda p: p["issue"]["fields"]["components"][0].pop("name"),
                "derived_issue_created.json",
            ),
            "issue.fields.components.0.name: missing",
        ),
        (
            broken(lambda p: p["issue"].update(key="JRA-1\n2")),
            "issue.key: must not contain control characters or line breaks",
        ),
        (
            broken(lambda p: p["issue"]["fields"].update(labels=["service:" + "x" * 129])),
            "issue.fields.labels.0: String should have at most 128 characters",
        ),
    ],
)
def test_invalid_payloads_name_the_json_path(payload: Any, message: str) -> None:
    with pytest.raises(PayloadError) as info:
        convert(payload, CONFIG)
    assert str(info.value) == message


# --- configuration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status_map": {"Done": "finished"}}, r"status_map\['Done'\]: 'finished' is not one of"),
        ({"priority_map": {"P1": "sev1"}}, r"priority_map\['P1'\]: 'sev1' is not one of"),
        ({"service_from": ("components", "teams")}, r"service_from: unknown \['teams'\]"),
        ({"label_prefix": ""}, "label_prefix must not be empty"),
        ({"default_service": " "}, r"invalid service/environment name ' '"),
        ({"environment": "prod\n"}, r"invalid service/environment name 'prod\\n'"),
        ({"component_map": {"UI": ""}}, r"invalid service/environment name ''"),
    ],
)
def test_invalid_configuration_fails_at_start_up(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        JiraConfig(**kwargs)


def test_environment_is_configurable() -> None:
    config = JiraConfig(environment="staging")
    assert (
        only_event(convert(load("derived_issue_created.json"), config))["environment"] == "staging"
    )
