"""Realistic requests for every route of ``mttr gateway``: one payload builder per source.

The gateway benchmark loads every route the gateway serves: ``/events`` and
``/webhooks/<name>`` for each adapter of ``build_adapters``
(streams/gateway/registry.py). ``BUILDERS`` maps each of those names to a
builder (``alerts.py``, ``changes.py``), which turns a ``Draw`` (unique ids and
times, the run's ``Keys``) into a ``Request`` signed or carrying the gateway
token as that source's sender does. ``builders_for`` fails with the list of
sources that have none, so a new source must add its builder here before the
benchmark (or its unit test) runs again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bench.gateway_payloads import alerts, changes
from bench.gateway_payloads.base import Builder, Draw, Request, route
from bench.gateway_payloads.keys import MAPPINGS, SNS_CERT_URL, Keys
from streams.gateway.registry import build_adapters
from streams.settings import Settings

BUILDERS: Mapping[str, Builder] = {
    "events": changes.events,
    "alertmanager": alerts.alertmanager,
    "grafana": alerts.grafana,
    "azure-monitor": alerts.azure_monitor,
    "datadog": alerts.datadog,
    "opsgenie": alerts.opsgenie,
    "newrelic": alerts.newrelic,
    "splunk": alerts.splunk,
    "sns": alerts.sns,
    "github": changes.github,
    "gitlab": changes.gitlab,
    "argocd": changes.argocd,
    "jenkins": changes.jenkins,
    "cdevents": changes.cdevents,
    "jira": changes.jira,
    "pagerduty": changes.pagerduty,
    "servicenow": changes.servicenow,
    "rundeck": changes.rundeck,
    "awx": changes.awx,
}
"""Route name (``events`` or an adapter's ``name``) -> its payload builder."""


def served(settings: Settings) -> list[str]:
    """Return the routes served with ``settings``: ``events``, then each adapter's name."""
    return ["events", *(adapter.name for adapter in build_adapters(settings))]


class MissingBuilder(LookupError):
    """The gateway serves a source that has no payload builder in ``BUILDERS``."""


def builders_for(names: Iterable[str]) -> dict[str, Builder]:
    """Return the builder of each route name, in order.

    Raises:
        MissingBuilder: Some names have no builder; the message lists them all.
    """
    names = list(names)
    missing = [name for name in names if name not in BUILDERS]
    if missing:
        msg = (
            f"no payload builder for {', '.join(repr(n) for n in missing)}: the gateway serves "
            "these sources but the benchmark cannot load them; add a builder per source to "
            "bench/gateway_payloads/ (BUILDERS in its __init__.py)"
        )
        raise MissingBuilder(msg)
    return {name: BUILDERS[name] for name in names}


__all__ = [
    "BUILDERS",
    "MAPPINGS",
    "SNS_CERT_URL",
    "Builder",
    "Draw",
    "Keys",
    "MissingBuilder",
    "Request",
    "builders_for",
    "route",
    "served",
]
