"""Azure Monitor alerts (common alert schema) to alert events (``POST /webhooks/azure-monitor``).

An action group's webhook action with "Enable the common alert schema" sends
``{"schemaId": "azureMonitorCommonAlertSchema", "data": {"essentials": ...,
"alertContext": ..., "customProperties": ...}}`` (Microsoft Learn, "Common
alert schema"). One alert instance per request; any other ``schemaId`` (or
none: the legacy metric, log and activity-log payloads) is a 400 asking for
the common schema.

======================================  ==========================================
event field                             from ``data.essentials``
======================================  ==========================================
``alert_id``                            ``alertId`` (the alert instance's ARM id)
``status``                              ``monitorCondition``: Fired -> firing,
                                        Resolved -> resolved
``occurred_at``                         ``firedDateTime`` (firing),
                                        ``resolvedDateTime`` (resolved)
``starts_at``                           ``firedDateTime``
``severity``                            ``severity``: Sev0 critical, Sev1 high,
                                        Sev2 medium, Sev3 and Sev4 low
``name`` / ``summary``                  ``alertRule`` / ``description``
======================================  ==========================================

A resolved notification without ``resolvedDateTime`` (Microsoft documents it
for metric alerts only) takes ``data.alertContext.condition.windowEndTime``,
the end of the evaluation window that cleared the condition; with neither,
it is a 400. The service is, in order: the custom property named
``service_property`` (``data.customProperties``, else
``data.alertContext.properties``), then ``services`` looked up by each
``alertTargetIDs`` entry (full resource id, then its last segment, the
resource name), each ``configurationItems`` entry and ``alertRule``. The
environment is the custom property ``environment``, else the configured one.
``event_id`` is ``azure-monitor-<alert instance guid>-<status>``: an alert
instance fires and resolves once (a new firing is a new instance), and Azure
re-sends the same body when it retries.

Azure action groups cannot sign or add headers: the gateway token travels in
the webhook URL (``token_auth``). Sources of the fixtures:
tests/fixtures/azure-monitor/SOURCES.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.mapping import check_names, fold
from streams.gateway.adapters.payload import checked, optional_str, parse_json, require

SOURCE = "azure-monitor"
SCHEMA_ID = "azureMonitorCommonAlertSchema"
ESSENTIALS = "data.essentials"
STATUSES: Mapping[str, str] = {"fired": "firing", "resolved": "resolved"}
SEVERITIES: Mapping[str, str] = {
    "sev0": "critical",
    "sev1": "high",
    "sev2": "medium",
    "sev3": "low",
    "sev4": "low",
}
LABELS = ("alertRule", "severity", "signalType", "monitoringService", "monitorCondition")
MAX_LABELS = 64


@dataclass(frozen=True)
class AzureMonitorConfig:
    """How Azure Monitor alerts name their service and environment; built at start-up.

    Attributes:
        services: Resource id, resource name, configuration item or alert rule
            (any case) -> service.
        service_property: The custom property (of the alert rule or action
            group) naming the service; it wins over ``services``.
        environment: Environment of alerts without an ``environment`` property.

    Raises:
        ValueError: A service or the environment is not a valid contract name.
    """

    services: Mapping[str, str] = field(default_factory=dict)
    service_property: str = "service"
    environment: str = "production"

    def __post_init__(self) -> None:
        check_names([self.environment, *self.services.values()])
        object.__setattr__(self, "services", fold(self.services, "services", None))


@dataclass(frozen=True)
class AzureMonitorAdapter:
    """The ``Adapter`` of ``POST /webhooks/azure-monitor``: unsigned, the gateway token applies."""

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = True
    config: AzureMonitorConfig = field(default_factory=AzureMonitorConfig)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the alert event of one notification in ``body``; headers unused."""
        return convert(parse_json(body), self.config)


def convert(payload: Any, config: AzureMonitorConfig) -> Converted:
    """Return the one alert event of a common-alert-schema notification.

    Raises:
        PayloadError: Not the common alert schema, or a field missing or
            unknown; the message names the JSON path.
    """
    if not isinstance(payload, dict):
        msg = f"expected a JSON object, got {type(payload).__name__}"
        raise PayloadError(msg)
    schema = payload.get("schemaId")
    if schema != SCHEMA_ID:
        msg = (
            f"schemaId: expected {SCHEMA_ID!r}, got {schema!r}: enable the common alert "
            "schema on the action group's webhook action"
        )
        raise PayloadError(msg)
    condition = require(payload, f"{ESSENTIALS}.monitorCondition")
    status = STATUSES.get(condition.strip().casefold())
    if status is None:
        msg = f"{ESSENTIALS}.monitorCondition: expected Fired or Resolved, got {condition!r}"
        raise PayloadError(msg)
    alert_id = require(payload, f"{ESSENTIALS}.alertId")
    fired_at = require(payload, f"{ESSENTIALS}.firedDateTime")
    fired = (fired_at, f"{ESSENTIALS}.firedDateTime")
    occurred_at, time_path = fired if status == "firing" else _resolved(payload)
    severity = require(payload, f"{ESSENTIALS}.severity")
    if severity.strip().casefold() not in SEVERITIES:
        msg = f"{ESSENTIALS}.severity: expected Sev0 to Sev4, got {severity!r}"
        raise PayloadError(msg)
    properties = _properties(payload)
    service, service_path = _service(payload, properties, config)
    event: dict[str, Any] = {
        "event_id": f"azure-monitor-{alert_id.rstrip('/').rpartition('/')[2]}-{status}",
        "type": "alert",
        "source": SOURCE,
        "service": service,
        "environment": properties.get("environment") or config.environment,
        "occurred_at": occurred_at,
        "starts_at": fired_at,
        "alert_id": alert_id,
        "name": require(payload, f"{ESSENTIALS}.alertRule"),
        "status": status,
        "severity": SEVERITIES[severity.strip().casefold()],
        "labels": _labels(payload, properties),
    }
    if description := optional_str(payload, f"{ESSENTIALS}.description"):
        event["summary"] = description[:4096]
    paths = {
        "event_id": f"{ESSENTIALS}.alertId",
        "alert_id": f"{ESSENTIALS}.alertId",
        "service": service_path,
        "environment": "data.customProperties.environment",
        "occurred_at": time_path,
        "starts_at": f"{ESSENTIALS}.firedDateTime",
        "name": f"{ESSENTIALS}.alertRule",
        "summary": f"{ESSENTIALS}.description",
        "labels": "data.customProperties",
    }
    return Converted(events=[checked(event, paths)])


def _resolved(payload: dict[str, Any]) -> tuple[str, str]:
    """Return the resolution time and its path: ``resolvedDateTime``, else the window's end."""
    if (resolved := optional_str(payload, f"{ESSENTIALS}.resolvedDateTime")) is not None:
        return resolved, f"{ESSENTIALS}.resolvedDateTime"
    context = payload["data"].get("alertContext")
    condition = context.get("condition") if isinstance(context, dict) else None
    window_end = condition.get("windowEndTime") if isinstance(condition, dict) else None
    if isinstance(window_end, str) and window_end:
        return window_end, "data.alertContext.condition.windowEndTime"
    msg = f"{ESSENTIALS}.resolvedDateTime: missing (and no alertContext.condition.windowEndTime)"
    raise PayloadError(msg)


def _properties(payload: dict[str, Any]) -> dict[str, str]:
    """Return the custom properties with string values (``customProperties`` wins)."""
    found: dict[str, str] = {}
    context = payload["data"].get("alertContext")
    for source in (context.get("properties") if isinstance(context, dict) else None,
                   payload["data"].get("customProperties")):  # fmt: skip
        if isinstance(source, dict):
            found.update({k: v for k, v in source.items() if isinstance(v, str) and v.strip()})
    return found


def _service(
    payload: dict[str, Any], properties: Mapping[str, str], config: AzureMonitorConfig
) -> tuple[str, str]:
    """Return the service and the JSON path it came from; ``PayloadError`` if none is found."""
    if service := properties.get(config.service_property):
        return service, f"data.customProperties.{config.service_property}"
    essentials = payload["data"]["essentials"]
    candidates: list[tuple[str, str]] = []
    for key in ("alertTargetIDs", "configurationItems"):
        items = essentials.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, str) and item.strip():
                path = f"{ESSENTIALS}.{key}.{index}"
                candidates.append((item, path))
                if key == "alertTargetIDs":
                    candidates.append((item.rstrip("/").rpartition("/")[2], path))
    candidates.append((essentials.get("alertRule") or "", f"{ESSENTIALS}.alertRule"))
    for value, path in candidates:
        if (mapped := config.services.get(value.strip().casefold())) is not None:
            return mapped, path
    msg = (
        f"{ESSENTIALS}: no service: set the custom property {config.service_property!r} "
        "or map a target resource, configuration item or alert rule in "
        "MTTR_AZURE_MONITOR_SERVICES"
    )
    raise PayloadError(msg)


def _labels(payload: dict[str, Any], properties: Mapping[str, str]) -> dict[str, str]:
    essentials = payload["data"]["essentials"]
    labels = {k: essentials[k] for k in LABELS if isinstance(essentials.get(k), str)}
    labels.update(properties)
    return {k[:256]: v[:4096] for k, v in sorted(labels.items())[:MAX_LABELS]}
