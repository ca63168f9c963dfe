"""GitHub adapter: ignored event types, deterministic ids, configuration errors.

README.md, "Webhooks: ``mttr gateway``", and streams/gateway/adapters/github.py.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.github import GitHubConfig, convert
from tests.support.github_payloads import (
    CONFIG,
    ROLLBACK,
    deployment_status,
    one_event,
    workflow_run,
)

# --- other events, ids, config -----------------------------------------------


def test_ping_is_ignored() -> None:
    payload = {"zen": "Design for failure.", "hook_id": 1}
    assert convert("ping", payload, CONFIG) == Converted(ignored="ping")


@pytest.mark.parametrize("event_type", ["issues", "deployment", "check_run", "create"])
def test_other_event_types_are_ignored(event_type: str) -> None:
    converted = convert(event_type, {"action": "created"}, CONFIG)
    assert converted == Converted(ignored=f"event {event_type} is not converted")


def test_missing_event_type_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="^X-GitHub-Event header: missing$"):
        convert("", deployment_status(), CONFIG)


def test_ids_are_deterministic() -> None:
    for event_type, payload, config in [
        ("deployment_status", deployment_status(), CONFIG),
        ("workflow_run", workflow_run(), ROLLBACK),
    ]:
        first = convert(event_type, payload, config)
        again = convert(event_type, copy.deepcopy(payload), config)
        assert first == again
        assert first.events


def test_a_redelivered_status_keeps_its_id_and_another_status_gets_a_new_one() -> None:
    first = one_event(convert("deployment_status", deployment_status(), CONFIG))
    later = one_event(convert("deployment_status", deployment_status(id=902), CONFIG))
    assert first["deploy_id"] == later["deploy_id"]
    assert first["event_id"] != later["event_id"]


def test_a_workflow_in_both_sets_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="both rollback and hotfix: Rollback"):
        GitHubConfig(
            rollback_workflows=frozenset({"Rollback"}), hotfix_workflows=frozenset({"Rollback"})
        )


@pytest.mark.parametrize(
    "config",
    [
        {"services": {"acme/checkout": ""}},
        {"environments": {"prod": "a\nb"}},
        {"workflow_environment": "x" * 129},
    ],
)
def test_invalid_mapped_names_are_config_errors(config: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="not a valid service or environment name"):
        GitHubConfig(**config)
