"""Every gateway route with a valid request and how to authenticate it, for the hostile tests.

``SETTINGS`` configures every source's secret (GitHub, Jira, PagerDuty,
Grafana, GitLab, ServiceNow Basic) AND the gateway token, plus the mappings
the valid requests need. ``route_names()`` lists the routes of
``build_sources(settings)`` (derived, never written down); ``route(name)``
returns one as a ``Route``: its path, a valid request (``sample``: the body
and the headers its sender always adds, e.g. ``X-GitHub-Event``) and the
``Credential``s it checks: the gateway token on ``token_routes(settings)``,
and the source's own signature or secret from ``VENDOR``.
``Credential.sign`` gives the headers authenticating a body,
``Credential.wrong`` the same headers under a wrong secret or token.

A route missing from ``SAMPLES`` makes ``route`` raise ``LookupError``, and a
secret setting left unset here is listed by ``unconfigured_secrets``; the
hostile tests fail on both, so a new source adds its valid request here (and
its signer, if it checks a secret of its own). Used by
tests/unit/gateway/test_hostile_routes*.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import orjson
import pytest
from pydantic import SecretStr

from streams.gateway.auth import MISMATCH, MISSING
from streams.gateway.sources import build_sources, token_routes
from streams.settings import Settings
from tests.support import sns_messages
from tests.support.cdevents_payloads import load, structured
from tests.support.factories import alert
from tests.support.paths import FIXTURES

TOKEN = "gw-token-5e1f90"
SECRET = "vendor-secret-77c3"
WRONG = "wrong-secret-0b2d"
USER = "mttr"
SECRETS = (TOKEN, SECRET, WRONG)
"""Every secret the hostile tests send or configure: none may appear in an answer."""

SETTINGS = Settings(
    gateway_token=SecretStr(TOKEN),
    gateway_max_body_bytes=64 * 1024,
    github_webhook_secret=SecretStr(SECRET),
    jira_webhook_secrets=SecretStr(SECRET),
    pagerduty_webhook_secrets=SecretStr(SECRET),
    grafana_webhook_secret=SecretStr(SECRET),
    gitlab_webhook_secrets=SecretStr(SECRET),
    servicenow_username=USER,
    servicenow_password=SecretStr(SECRET),
    jira_default_service="checkout",
    jenkins_jobs={"asgard": {"service": "asgard"}},
    opsgenie_service_tag_prefix="service=",
    grafana_service_labels="team",
    rundeck_jobs={"test job": "checkout"},
    awx_templates={"Demo Job Template": "checkout"},
)
OTHER_SECRETS = (("clickhouse_", "kafka_"), ("_webhook_url",))
"""Prefixes and suffixes of secret settings outside the webhook sources: storage and Kafka
credentials, and where notices are sent (Slack, Teams: ``*_webhook_url``). Every other
``SecretStr`` setting must be set in SETTINGS."""

Headers = dict[str, str]
Sample = tuple[bytes, Headers]


@dataclass(frozen=True)
class Credential:
    """One thing a route checks: ``sign(body, secret)`` gives the headers carrying it.

    ``header`` is what a 401 about it must name; ``binds_body`` is True for an
    HMAC of the body (a signature of another body must fail).
    """

    header: str
    sign_with: Callable[[bytes, str], Headers]
    binds_body: bool
    secret: str = SECRET

    def sign(self, body: bytes) -> Headers:
        """Return the headers that authenticate ``body``."""
        return self.sign_with(body, self.secret)

    def wrong(self, body: bytes) -> Headers:
        """Return the same headers under a wrong secret (or token)."""
        return self.sign_with(body, WRONG)


@dataclass(frozen=True)
class Route:
    """A route of the gateway: name, path, a valid request, what authenticates it."""

    name: str
    path: str
    sample: Sample
    credentials: tuple[Credential, ...]

    def signed(self, body: bytes, *, without: Credential | None = None) -> Headers:
        """Return the sample's headers plus every credential for ``body`` but ``without``."""
        headers = dict(self.sample[1])
        for credential in self.credentials:
            if credential is not without:
                headers.update(credential.sign(body))
        return headers


def _hex(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _basic(secret: str) -> str:
    return "Basic " + base64.b64encode(f"{USER}:{secret}".encode()).decode()


GATEWAY_TOKEN = Credential(
    "gateway token",
    lambda _body, token: {"Authorization": f"Bearer {token}"},
    binds_body=False,
    secret=TOKEN,
)
"""The shared token; a 401 about it is exactly ``auth.MISSING`` or ``auth.MISMATCH``."""
TOKEN_ERRORS = (MISSING, MISMATCH)

VENDOR: dict[str, Credential] = {
    "github": Credential(
        "X-Hub-Signature-256", lambda b, s: {"X-Hub-Signature-256": "sha256=" + _hex(b, s)}, True
    ),
    "jira": Credential(
        "X-Hub-Signature", lambda b, s: {"X-Hub-Signature": "sha256=" + _hex(b, s)}, True
    ),
    "pagerduty": Credential(
        "X-PagerDuty-Signature", lambda b, s: {"X-PagerDuty-Signature": "v1=" + _hex(b, s)}, True
    ),
    "grafana": Credential(
        "X-Grafana-Alerting-Signature",
        lambda b, s: {"X-Grafana-Alerting-Signature": _hex(b, s)},
        True,
    ),
    "gitlab": Credential("X-Gitlab-Token", lambda _b, s: {"X-Gitlab-Token": s}, False),
    "servicenow": Credential("Authorization", lambda _b, s: {"Authorization": _basic(s)}, False),
}
"""Source name -> its own signature or secret (as configured in SETTINGS)."""


def _file(folder: str, name: str, **headers: str) -> Callable[[], Sample]:
    return lambda: ((FIXTURES / folder / name).read_bytes(), dict(headers))


def _alertmanager() -> Sample:
    alert_ = {
        "status": "firing",
        "labels": {"alertname": "TargetDown", "job": "shop"},
        "annotations": {"summary": "shop is down"},
        "startsAt": "2026-03-02T10:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": "5c1f0e2d9a8b7c6d",
    }
    return orjson.dumps({"version": "4", "status": "firing", "alerts": [alert_]}), {}


def _sns() -> Sample:
    message = sns_messages.notification(sns_messages.alarm_text("derived_checkout_alarm.json"))
    headers = {"x-amz-sns-message-type": "Notification", "x-amz-sns-topic-arn": sns_messages.TOPIC}
    return sns_messages.body(message), headers


BODY_SIGNED = frozenset({"sns"})
"""Routes whose authentication is a signature inside the body (SNS), not a header: a body
that is not a signed message is unauthenticated (401), so they have their own hostile
tests (test_hostile_sns.py) instead of the header-credential ones."""


def local_sns_certificates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``build_sources`` fetch SNS signing certificates from the local test key only."""

    def https_get(_timeout_s: float) -> Callable[[str], Awaitable[tuple[int, bytes]]]:
        async def fetch(url: str) -> tuple[int, bytes]:
            return (200, sns_messages.test_pem()) if url == sns_messages.CERT_URL else (404, b"")

        return fetch

    monkeypatch.setattr("streams.gateway.registry.https_get", https_get)
    monkeypatch.setattr("streams.gateway.sources.https_get", https_get)


SAMPLES: dict[str, Callable[[], Sample]] = {
    "events": lambda: (orjson.dumps(alert()), {}),
    "alertmanager": _alertmanager,
    "github": _file(
        "github", "deployment_status_success.json", **{"X-GitHub-Event": "deployment_status"}
    ),
    "jira": _file("jira", "derived_issue_created.json"),
    "pagerduty": _file("pagerduty", "derived_incident_triggered.json"),
    "grafana": _file("grafana", "docs_two_firing.json"),
    "azure-monitor": _file("azure-monitor", "derived_metric_fired_with_service.json"),
    "datadog": _file("datadog", "triggered.json"),
    "opsgenie": _file("opsgenie", "derived_acknowledge.json"),
    "newrelic": _file("newrelic", "derived_activated.json"),
    "splunk": _file("splunk", "derived_firing.json"),
    "cdevents": lambda: structured(load("service_deployed")),
    "gitlab": _file("gitlab", "deployment_success.json", **{"X-Gitlab-Event": "Deployment Hook"}),
    "argocd": _file("argocd", "rendered_deployed.json"),
    "jenkins": _file("jenkins", "derived_started.json"),
    "servicenow": _file("servicenow", "incident_resolved.json"),
    "rundeck": _file("rundeck", "success.json"),
    "awx": _file("awx", "started.json"),
    "sns": _sns,
}
"""Route name -> a request the gateway accepts (2xx with events) under SETTINGS."""


def route(name: str, settings: Settings = SETTINGS) -> Route:
    """Return route ``name`` of ``build_sources(settings)`` with its sample and credentials.

    Raises:
        LookupError: The route has no valid request in ``SAMPLES``: add one (and
            its signer to ``VENDOR`` if the source checks a secret of its own).
    """
    path = "/events" if name == "events" else f"/webhooks/{name}"
    if name not in SAMPLES:
        msg = (
            f"route {path} is unknown to tests/support/gateway_routes.py: add a valid request "
            f"to SAMPLES, and to VENDOR how {name} authenticates if it checks a secret of its own"
        )
        raise LookupError(msg)
    credentials = [GATEWAY_TOKEN] if path in token_routes(settings) else []
    if name in VENDOR:
        credentials.append(VENDOR[name])
    return Route(name, path, SAMPLES[name](), tuple(credentials))


def route_names(settings: Settings = SETTINGS) -> list[str]:
    """Return the name of every route the gateway serves under ``settings`` (``events`` first)."""
    return list(build_sources(settings))


def unconfigured_secrets(settings: Settings = SETTINGS) -> list[str]:
    """Return the webhook secret settings left unset in ``settings`` (a new source's secret)."""
    return [
        name
        for name, info in type(settings).model_fields.items()
        if "SecretStr" in str(info.annotation)
        and not name.startswith(OTHER_SECRETS[0])
        and not name.endswith(OTHER_SECRETS[1])
        and getattr(settings, name) is None
    ]
