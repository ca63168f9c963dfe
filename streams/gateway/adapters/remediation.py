"""What the runbook adapters (Rundeck, AWX) share: job-to-service maps and the run's events.

A runbook tool reports one *run* (a Rundeck execution, an AWX job) per
notification: started, then succeeded or failed. Each becomes a deploy event of
kind ``remediation`` (contract v1.1; docs/incident-model.md, "Remediation
runs") with ``deploy_id`` ``<source>-<run id>`` and ``event_id``
``<source>-<run id>-<status>``: built from the tool's own run id only, so a
redelivered notification yields the same ids, and the started and finished
events of one run share the deploy.

``JobTargets`` says which jobs are remediations of which service, built once
at start-up from the settings: job key (any case) to service, job key to
environment, and the default environment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from streams.gateway.adapters.mapping import check_names, fold
from streams.gateway.adapters.payload import checked

KIND = "remediation"


@dataclass(frozen=True)
class JobTargets:
    """Which runbook jobs are remediations of which service, and in which environment.

    Attributes:
        services: Job key (any case; what a key is depends on the source, e.g. a
            Rundeck job id or ``group/name``) to the service it acts on.
        environments: Job key (any case) to environment; jobs not listed use
            ``environment``.
        environment: The environment of jobs without an entry in ``environments``.

    Raises:
        ValueError: A service or environment is not a valid contract name.
    """

    services: Mapping[str, str] = field(default_factory=dict)
    environments: Mapping[str, str] = field(default_factory=dict)
    environment: str = "production"

    def __post_init__(self) -> None:
        check_names([self.environment, *self.services.values(), *self.environments.values()])
        object.__setattr__(self, "services", fold(self.services, "services", None))
        object.__setattr__(self, "environments", fold(self.environments, "environments", None))

    def service_of(self, keys: Iterable[str]) -> tuple[str, str] | None:
        """Return ``(key, service)`` for the first of ``keys`` that is mapped, else None."""
        for key in keys:
            service = self.services.get(key.strip().casefold())
            if service is not None:
                return key, service
        return None

    def environment_of(self, keys: Iterable[str]) -> str:
        """Return the environment of the first of ``keys`` that has one, else the default."""
        for key in keys:
            environment = self.environments.get(key.strip().casefold())
            if environment is not None:
                return environment
        return self.environment


@dataclass(frozen=True)
class Run:
    """One status change of a run, read from a notification, with the paths it came from.

    ``paths`` maps event fields (``service``, ``occurred_at``, ...) to the payload's
    JSON paths, so a value the contract refuses is reported where it came from.
    """

    source: str
    run_id: str
    status: str  # started | succeeded | failed
    occurred_at: str
    service: str
    environment: str
    paths: Mapping[str, str] = field(default_factory=dict)


def remediation_event(run: Run) -> dict[str, Any]:
    """Return the run's ``remediation`` deploy event; ``PayloadError`` if the contract refuses it.

    The message names the payload's path, e.g. ``execution.date-ended.unixtime: ...``.
    """
    event: dict[str, Any] = {
        "event_id": f"{run.source}-{run.run_id}-{run.status}",
        "type": "deploy",
        "source": run.source,
        "service": run.service,
        "environment": run.environment,
        "occurred_at": run.occurred_at,
        "deploy_id": f"{run.source}-{run.run_id}",
        "status": run.status,
        "kind": KIND,
    }
    return checked(event, run.paths)
