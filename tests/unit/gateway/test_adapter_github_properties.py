"""GitHub adapter, property: any value in any field read gives valid events, an ignore
or a ``PayloadError``, never another exception.

README.md, "Webhooks: ``mttr gateway``", and streams/gateway/adapters/github.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.github import GitHubConfig, convert
from tests.support.github_payloads import (
    CONFIG,
    PULL_REQUESTS,
    ROLLBACK,
    deployment_status,
    load,
    workflow_run,
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)
FIELDS = [
    ("deployment_status", "action"),
    ("deployment_status", "deployment_status"),
    ("deployment_status", "deployment_status.state"),
    ("deployment_status", "deployment_status.id"),
    ("deployment_status", "deployment_status.updated_at"),
    ("deployment_status", "deployment"),
    ("deployment_status", "deployment.payload"),
    ("deployment_status", "deployment.task"),
    ("deployment_status", "deployment.ref"),
    ("deployment_status", "deployment.environment"),
    ("deployment_status", "repository"),
    ("deployment_status", "repository.full_name"),
    ("deployment_status", "workflow_run"),
    ("workflow_run", "action"),
    ("workflow_run", "workflow"),
    ("workflow_run", "workflow.path"),
    ("workflow_run", "workflow_run"),
    ("workflow_run", "workflow_run.name"),
    ("workflow_run", "workflow_run.path"),
    ("workflow_run", "workflow_run.conclusion"),
    ("workflow_run", "workflow_run.run_attempt"),
    ("workflow_run", "workflow_run.head_branch"),
    ("workflow_run", "workflow_run.head_sha"),
    ("workflow_run", "repository.name"),
    ("push", "ref"),
    ("push", "after"),
    ("push", "deleted"),
    ("push", "commits"),
    ("push", "commits.0"),
    ("push", "commits.0.id"),
    ("push", "commits.0.timestamp"),
    ("push", "commits.0.message"),
    ("push", "repository"),
    ("push", "repository.id"),
    ("push", "repository.pushed_at"),
    ("push", "repository.default_branch"),
    ("pull_request", "action"),
    ("pull_request", "pull_request"),
    ("pull_request", "pull_request.number"),
    ("pull_request", "pull_request.id"),
    ("pull_request", "pull_request.merged"),
    ("pull_request", "pull_request.merged_at"),
    ("pull_request", "pull_request.created_at"),
    ("pull_request", "pull_request.merge_commit_sha"),
    ("pull_request", "pull_request.title"),
    ("pull_request", "pull_request.base"),
    ("pull_request", "pull_request.base.ref"),
    ("pull_request", "repository.default_branch"),
]
PAYLOADS: dict[str, tuple[Callable[[], dict[str, Any]], GitHubConfig]] = {
    "deployment_status": (deployment_status, ROLLBACK),
    "workflow_run": (workflow_run, ROLLBACK),
    "push": (lambda: load("push.json"), CONFIG),
    "pull_request": (lambda: load("derived_pull_request_merged.json"), PULL_REQUESTS),
}


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(FIELDS), value=JSON)
def test_any_field_value_gives_valid_events_ignored_or_payload_error(
    field: tuple[str, str], value: Any
) -> None:
    event_type, path = field
    build, config = PAYLOADS[event_type]
    payload = build()
    *parents, last = path.split(".")
    target = payload
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    try:
        converted = convert(event_type, payload, config)
    except PayloadError:
        return
    for event in converted.events:
        EVENT_ADAPTER.validate_python(event)
