"""Jenkins Notification plugin (``jenkinsci/notification-plugin``) JSON to deploy events.

The plugin posts one JSON object per build phase: ``name`` (the job's short
name), ``url`` (``job/<folder>/job/<name>/``), and ``build`` with ``number``,
``phase``, ``status``, ``timestamp`` (epoch ms), ``duration``, ``scm``
(``commit``, ``branch``, ``url``) and ``parameters``. Only jobs listed in
``JenkinsConfig.jobs`` are deploys; every other job is ignored.

===========  =========================  =========================================
phase        ``build.status``           deploy event
===========  =========================  =========================================
QUEUED       -                          ignored (not a deploy yet)
STARTED      -                          ``started`` at ``timestamp`` (the build's start)
COMPLETED    SUCCESS, UNSTABLE          ``succeeded`` at ``timestamp`` (start + duration)
COMPLETED    FAILURE, ABORTED           ``failed`` at ``timestamp``
COMPLETED    NOT_BUILT                  ignored
FINALIZED    any                        ignored: COMPLETED already gave the result
===========  =========================  =========================================

COMPLETED is the phase that counts: the plugin stamps it with the build's
start plus its duration, its real end, while FINALIZED is stamped with the
wall clock after the post-build steps, later and different on every retry.
Converting both would give one build two terminal events at two times.
UNSTABLE (test or quality failures reported, the deploy steps ran) counts as
succeeded.

``deploy_id`` is ``<job>#<number>`` and ``event_id``
``jenkins-<job>-<number>-<status>``, where ``<job>`` is the configured key
that matched: the full path from ``url`` (``team/deploy-shop``) or ``name``.
``commit_sha`` is ``build.scm.commit``; ``version`` the build parameter
``JenkinsConfig.version_parameter`` when present.

Authentication: the plugin can only be given a URL, so the gateway token
travels in its query string (``token_auth``, checked by the gateway).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import unquote

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.datetimes import epoch_millis
from streams.gateway.adapters.mapping import check_names
from streams.gateway.adapters.payload import checked, optional_str, parse_json, require

SOURCE = "jenkins"
PHASES = frozenset({"QUEUED", "STARTED", "COMPLETED", "FINALIZED"})
RESULTS: Mapping[str, str] = {
    "SUCCESS": "succeeded",
    "UNSTABLE": "succeeded",
    "FAILURE": "failed",
    "ABORTED": "failed",
}
"""``build.status`` of a COMPLETED build -> deploy ``status``."""
KINDS = frozenset({"release", "rollback", "hotfix", "config"})
_JOB_SEGMENT = re.compile(r"job/([^/]+)")
_SHA = re.compile(r"[0-9a-fA-F]{4,64}")


@dataclass(frozen=True)
class JenkinsJob:
    """What a deploy job's builds are: service, environment, kind."""

    service: str
    environment: str = "production"
    kind: str = "release"


@dataclass(frozen=True)
class JenkinsConfig:
    """Which Jenkins jobs deploy what.

    Attributes:
        jobs: Job full path (``team/deploy-shop``) or name (``deploy-shop``)
            -> ``JenkinsJob``; the full path wins. Other jobs are ignored.
        version_parameter: Build parameter holding the deployed version.

    Raises:
        ValueError: A kind outside the contract or an invalid name.
    """

    jobs: Mapping[str, JenkinsJob] = field(default_factory=dict)
    version_parameter: str = "VERSION"

    def __post_init__(self) -> None:
        for key, job in self.jobs.items():
            if job.kind not in KINDS:
                msg = f"jobs[{key!r}].kind: {job.kind!r} is not one of {sorted(KINDS)}"
                raise ValueError(msg)
            check_names([job.service, job.environment])

    @classmethod
    def from_mapping(
        cls, jobs: Mapping[str, Mapping[str, str]], version_parameter: str = "VERSION"
    ) -> JenkinsConfig:
        """Build from ``{"job": {"service": ..., "environment": ..., "kind": ...}}``.

        Raises:
            ValueError: An entry lacks ``service`` or has another key.
        """
        built: dict[str, JenkinsJob] = {}
        for key, entry in jobs.items():
            unknown = set(entry) - {"service", "environment", "kind"}
            if unknown or "service" not in entry:
                msg = f"jobs[{key!r}]: expected service and optional environment, kind"
                raise ValueError(msg)
            built[key] = JenkinsJob(**entry)
        return cls(jobs=built, version_parameter=version_parameter)


@dataclass(frozen=True)
class JenkinsAdapter:
    """The ``Adapter`` of ``POST /webhooks/jenkins`` (no signature: the gateway token applies)."""

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = True
    config: JenkinsConfig

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the deploy event of one notification of a configured job."""
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: JenkinsConfig) -> Converted:
    """Return the deploy event of one Notification plugin message (see the module docstring).

    Raises:
        PayloadError: A field we use is missing or mistyped; the message names its path.
    """
    if not isinstance(payload, dict):
        msg = f"body: expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    name = require(payload, "name")
    key = _job_key(payload, name, config)
    if key is None:
        return Converted(ignored=f"job {name!r} is not a configured deploy job")
    phase = require(payload, "build.phase")
    if phase not in PHASES:
        msg = f"build.phase: unknown value {phase!r}, expected one of {sorted(PHASES)}"
        raise PayloadError(msg)
    if phase in {"QUEUED", "FINALIZED"}:
        return Converted(ignored=f"phase {phase} is not converted (STARTED and COMPLETED are)")
    status = "started"
    if phase == "COMPLETED":
        result = require(payload, "build.status")
        if result == "NOT_BUILT":
            return Converted(ignored="build NOT_BUILT")
        if result not in RESULTS:
            msg = f"build.status: unknown value {result!r}, expected one of {sorted(RESULTS)}"
            raise PayloadError(msg)
        status = RESULTS[result]
    number = require(payload, "build.number", int)
    if "timestamp" not in payload["build"]:
        msg = "build.timestamp: missing (sent by Notification plugin 1.12 and later)"
        raise PayloadError(msg)
    job = config.jobs[key]
    event = {
        "event_id": f"jenkins-{key}-{number}-{status}",
        "type": "deploy",
        "source": SOURCE,
        "service": job.service,
        "environment": job.environment,
        "occurred_at": epoch_millis(require(payload, "build.timestamp", int), "build.timestamp"),
        "deploy_id": f"{key}#{number}",
        "status": status,
        "kind": job.kind,
        "version": _version(payload, config.version_parameter),
        "commit_sha": _commit(payload),
    }
    paths = {"event_id": "name", "deploy_id": "name", "version": "build.parameters"}
    return Converted(events=[checked(event, paths)])


def _job_key(payload: dict[str, Any], name: str, config: JenkinsConfig) -> str | None:
    """Return the configured key of the job: its full path from ``url``, else its name."""
    url = payload.get("url")
    if isinstance(url, str):
        path = "/".join(unquote(part) for part in _JOB_SEGMENT.findall(url))
        if path in config.jobs:
            return path
    return name if name in config.jobs else None


def _version(payload: dict[str, Any], parameter: str) -> str | None:
    parameters = payload["build"].get("parameters")
    if not isinstance(parameters, dict):
        return None
    value = parameters.get(parameter)
    return value if isinstance(value, str) and value.strip() and len(value) <= 128 else None


def _commit(payload: dict[str, Any]) -> str | None:
    if not isinstance(payload["build"].get("scm"), dict):
        return None
    commit = optional_str(payload, "build.scm.commit")
    return commit if commit and _SHA.fullmatch(commit) else None
