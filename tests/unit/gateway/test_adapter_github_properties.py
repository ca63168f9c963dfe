"""GitHub adapter, property: any value in any field read gives valid events, an ignore
or a ``PayloadError``, never another exception.

README.md, "Webhooks: ``mttr gateway``", and streams/gateway/adapters/github.py.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.github import convert
from tests.support.github_payloads import ROLLBACK, deployment_status, workflow_run

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
]


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(FIELDS), value=JSON)
def test_any_field_value_gives_valid_events_ignored_or_payload_error(
    field: tuple[str, str], value: Any
) -> None:
    event_type, path = field
    payload = deployment_status() if event_type == "deployment_status" else workflow_run()
    *parents, last = path.split(".")
    target = payload
    for part in parents:
        target = target[part]
    target[last] = value
    try:
        converted = convert(event_type, payload, ROLLBACK)
    except PayloadError:
        return
    for event in converted.events:
        EVENT_ADAPTER.validate_python(event)
