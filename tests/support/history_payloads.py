"""The history import fixtures and the live webhook events of the same changes.

``documents(folder, *names)`` reads saved REST answers of tests/fixtures/FOLDER/
as ``Document``s (named by their file name, as the CLI names them);
``live_events(source)`` converts the live webhook fixtures of the same
incidents with the live adapters (tests/fixtures/*/SOURCES.md says how both
were derived from the vendors' examples); ``imported(source, *names)`` runs
the importer of ``source``. Both use ``SETTINGS[source]`` (default settings,
except that the Opsgenie capture names its service in a ``service=`` tag).
``normalized`` gives an event as the contract reads it (times in UTC). Used by
tests/unit/gateway/test_history_*.py.
"""

from __future__ import annotations

import json
from typing import Any

from schemas.events import EVENT_ADAPTER
from streams.gateway.adapters import github, gitlab, jira, opsgenie, pagerduty
from streams.gateway.history.base import Document, Imported
from streams.gateway.registry import (
    github_config,
    gitlab_config,
    jira_config,
    opsgenie_config,
    pagerduty_config,
)
from streams.gateway.sources import build_importer
from streams.settings import Settings
from tests.support import paths

LIVE = {
    "pagerduty": [
        "derived_incident_triggered.json",
        "derived_incident_acknowledged.json",
        "derived_incident_resolved.json",
        "derived_incident_reopened.json",
    ],
    "jira": ["derived_issue_created.json", "derived_issue_updated_status.json"],
    "github": ["deployment_status_in_progress.json", "deployment_status_success.json"],
    "opsgenie": ["derived_create.json", "derived_acknowledge.json", "derived_close.json"],
    "gitlab": [
        "derived_deployment_running.json",
        "deployment_success.json",
        "derived_deployment_failed.json",
        "derived_deployment_canceled.json",
    ],
}
HISTORY = {
    "pagerduty": ["history_incidents.json"],
    "jira": ["history_search.json"],
    "github": ["history_deployments.json"],
    "opsgenie": ["history_alerts.json"],
    "gitlab": ["history_deployments.json"],
}
SETTINGS = {"opsgenie": Settings(opsgenie_service_tag_prefix="service=")}
"""Settings per source for both paths (default settings when absent)."""


def load(folder: str, name: str) -> Any:
    """Return the parsed JSON of tests/fixtures/FOLDER/NAME."""
    return json.loads((paths.FIXTURES / folder / name).read_text(encoding="utf-8"))


def documents(folder: str, *names: str) -> list[Document]:
    """Return fixtures of FOLDER as documents named by their file name."""
    return [Document(name, load(folder, name)) for name in names]


def imported(source: str, *names: str, settings: Settings | None = None) -> Imported:
    """Return the import of ``names`` (default: the source's history fixtures)."""
    importer = build_importer(source, settings or SETTINGS.get(source) or Settings())
    return importer.convert(documents(source, *(names or HISTORY[source])))


def live_events(source: str, settings: Settings | None = None) -> list[dict[str, Any]]:
    """Return the events the live adapter gives for the source's webhook fixtures, in order."""
    settings = settings or SETTINGS.get(source) or Settings()
    events: list[dict[str, Any]] = []
    for name in LIVE[source]:
        payload = load(source, name)
        if source == "pagerduty":
            events += pagerduty.convert(payload, pagerduty_config(settings)).events
        elif source == "jira":
            events += jira.convert(payload, jira_config(settings)).events
        elif source == "opsgenie":
            events += opsgenie.convert(payload, opsgenie_config(settings)).events
        elif source == "gitlab":
            events += gitlab.convert(payload, gitlab_config(settings)).events
        else:
            events += github.convert("deployment_status", payload, github_config(settings)).events
    return events


def normalized(event: dict[str, Any]) -> dict[str, Any]:
    """Return ``event`` as the contract reads it (``2021-04-28T21:50:00+02:00`` as UTC)."""
    return EVENT_ADAPTER.validate_python(event).model_dump(mode="json")
