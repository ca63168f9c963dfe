"""GitLab, Argo CD, Jenkins and ServiceNow adapters, properties.

Any value in any field they read gives valid events, an ignore or a
``PayloadError``, never another exception; the time helpers turn every
instant into the same RFC 3339 instant. streams/gateway/adapters/{gitlab,
argocd,jenkins,servicenow,datetimes}.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters import argocd, gitlab, jenkins, servicenow
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.datetimes import epoch_millis, ruby_time, utc_wall_time
from tests.support import argocd_payloads, gitlab_payloads, jenkins_payloads, servicenow_payloads

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)
Convert = Callable[[Any], Converted]
CASES: list[tuple[str, Callable[[], dict[str, Any]], Convert, str]] = [
    (f"gitlab:{path}", lambda: gitlab_payloads.load("deployment_success.json"),
     lambda p: gitlab.convert(p, gitlab_payloads.CONFIG), path)
    for path in ["object_kind", "status", "status_changed_at", "deployment_id", "environment",
                 "project", "project.name", "project.path_with_namespace", "commit_url",
                 "short_sha", "ref"]
] + [
    (f"gitlab-pipeline:{path}", lambda: gitlab_payloads.load("pipeline_success.json"),
     lambda p: gitlab.convert(p, gitlab_payloads.JOBS), path)
    for path in ["object_attributes", "object_attributes.name", "object_attributes.status",
                 "object_attributes.sha", "object_attributes.ref", "builds", "builds.3",
                 "builds.3.name", "builds.3.status", "builds.3.id", "builds.3.finished_at",
                 "builds.3.environment"]
] + [
    (f"argocd:{path}", lambda: argocd_payloads.load("rendered_deployed.json"),
     lambda p: argocd.convert(p, argocd_payloads.CONFIG), path)
    for path in ["event", "app", "app_namespace", "labels", "destination_namespace", "sync",
                 "sync.revision", "health", "health.status", "health.changed_at", "operation",
                 "operation.started_at", "operation.finished_at", "operation.revision"]
] + [
    (f"jenkins:{path}", lambda: jenkins_payloads.load("derived_completed_success.json"),
     lambda p: jenkins.convert(p, jenkins_payloads.CONFIG), path)
    for path in ["name", "url", "build", "build.number", "build.phase", "build.status",
                 "build.timestamp", "build.scm", "build.scm.commit", "build.parameters"]
] + [
    (f"servicenow:{path}", lambda: servicenow_payloads.load("incident_resolved.json"),
     lambda p: servicenow.convert(p, servicenow_payloads.CONFIG), path)
    for path in ["sys_id", "number", "state", "previous_state", "priority", "cmdb_ci",
                 "short_description", "opened_at", "resolved_at", "sys_updated_on", "url"]
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(case=st.sampled_from(CASES), value=JSON)
def test_any_field_value_gives_valid_events_ignored_or_payload_error(
    case: tuple[str, Callable[[], dict[str, Any]], Convert, str], value: Any
) -> None:
    _, load, convert, path = case
    payload = load()
    *parents, last = path.split(".")
    target: Any = payload
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    try:
        converted = convert(payload)
    except PayloadError:
        return
    for event in converted.events:
        EVENT_ADAPTER.validate_python(event)
    assert converted.events or converted.ignored is not None


INSTANTS = st.datetimes(  # Hypothesis takes naive bounds; ``timezones`` makes the values UTC
    min_value=datetime(1970, 1, 2),  # noqa: DTZ001
    max_value=datetime(2099, 12, 30),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda t: t.replace(microsecond=t.microsecond - t.microsecond % 1000))
OFFSETS = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timedelta(minutes=m))


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


@given(instant=INSTANTS, offset=OFFSETS)
def test_ruby_time_keeps_the_instant_in_any_offset(instant: datetime, offset: timedelta) -> None:
    local = instant.astimezone(UTC).replace(microsecond=0) + offset
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    written = f"{local:%Y-%m-%d %H:%M:%S} {sign}{minutes // 60:02d}{minutes % 60:02d}"
    assert _instant(ruby_time(written, "t")) == instant.replace(microsecond=0)
    utc = f"{instant:%Y-%m-%d %H:%M:%S} UTC"
    assert _instant(ruby_time(utc, "t")) == instant.replace(microsecond=0)
    assert _instant(ruby_time(instant.isoformat(), "t")) == instant


@given(instant=INSTANTS)
def test_utc_wall_time_and_epoch_millis_keep_the_instant(instant: datetime) -> None:
    assert _instant(utc_wall_time(f"{instant:%Y-%m-%d %H:%M:%S}", "t")) == instant.replace(
        microsecond=0
    )
    millis = (instant - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    assert _instant(epoch_millis(millis, "t")) == instant
