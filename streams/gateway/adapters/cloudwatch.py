"""CloudWatch alarm state changes (the ``Message`` of an SNS notification) to alert events.

CloudWatch publishes a JSON text to the alarm's SNS topic on each state change
(``AlarmName``, ``AlarmDescription``, ``AWSAccountId``, ``NewStateValue``,
``NewStateReason``, ``StateChangeTime``, ``Region``, ``AlarmArn``,
``OldStateValue``, ``Trigger``). One alert event per message:

========================  ===========================================
``NewStateValue``         alert
========================  ===========================================
``ALARM``                 ``firing``
``OK``                    ``resolved`` (whatever the old state: an alarm
                          may go ALARM -> INSUFFICIENT_DATA -> OK; a
                          resolution of an alarm that never fired
                          belongs to no incident)
``INSUFFICIENT_DATA``     ignored: missing data says nothing of the service
========================  ===========================================

* ``occurred_at`` is ``StateChangeTime`` (``2015-06-03T17:43:27.123+0000``
  written as RFC 3339, ``+00:00``), never the arrival or SNS ``Timestamp``.
* ``alert_id`` is ``AlarmArn``; without it (older messages), or beyond the
  contract's 256 characters, ``cw-`` and a hash of account, region and name.
* ``event_id`` is ``cw-`` and a SHA-256 of the alarm, the new state and
  ``StateChangeTime``: a retried or replayed delivery, or the same change
  published to two subscribed topics, has the same id.
* ``service``: the first of ``SnsConfig.services`` (longest alarm name
  prefix), a metric dimension named in ``service_dimensions`` (default
  ``service``), the alarm name up to ``name_separator`` (default ``-``:
  ``checkout-high-latency`` -> ``checkout``), ``default_service``; none: 400.
* ``severity`` from ``severities`` (alarm name prefix), else ``severity``
  (default ``high``); ``environment`` by ``AWSAccountId``, else ``environment``.
* ``name`` is ``AlarmName`` (cut to 128 characters), ``summary``
  ``AlarmDescription`` or else ``NewStateReason``; labels: account, region,
  old state, reason, namespace, metric and dimensions.

A message that is not JSON or has no ``AlarmName``/``NewStateValue`` is not a
CloudWatch alarm: ``ignored``. JSON paths in errors start with ``Message.``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson

from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.payload import checked, require
from streams.gateway.adapters.sns_config import SnsConfig, by_prefix

SOURCE = "sns"
STATUS = {"ALARM": "firing", "OK": "resolved"}
STATES = frozenset({"ALARM", "OK", "INSUFFICIENT_DATA"})
MAX_NAME = 128
MAX_ID = 256
MAX_TEXT = 4096
_OFFSET = re.compile(r"([+-][0-9]{2})([0-9]{2})$")


def is_alarm(message: str) -> dict[str, Any] | None:
    """Return the parsed alarm if ``message`` is a CloudWatch alarm JSON text, else None."""
    try:
        alarm = orjson.loads(message)
    except orjson.JSONDecodeError:
        return None
    if isinstance(alarm, dict) and "AlarmName" in alarm and "NewStateValue" in alarm:
        return alarm
    return None


def convert_alarm(alarm: dict[str, Any], config: SnsConfig) -> Converted:
    """Return the alert event of one CloudWatch alarm state change (see the module doc).

    Args:
        alarm: The parsed ``Message`` of the notification (``is_alarm``).
        config: Service, severity and environment mapping.

    Returns:
        One alert event, or ``ignored`` for ``INSUFFICIENT_DATA``.

    Raises:
        PayloadError: A field is missing or wrong, or no service can be
            derived; the message names the path (``Message.StateChangeTime``).
    """
    state = _text(alarm, "NewStateValue")
    if state not in STATES:
        msg = f"Message.NewStateValue: expected ALARM, OK or INSUFFICIENT_DATA, got {state!r}"
        raise PayloadError(msg)
    name = _text(alarm, "AlarmName")
    if state == "INSUFFICIENT_DATA":
        return Converted(ignored=f"alarm {name[:MAX_NAME]!r} is INSUFFICIENT_DATA: not converted")
    changed = _text(alarm, "StateChangeTime")
    account = _text(alarm, "AWSAccountId")
    region = _optional(alarm, "Region") or ""
    arn = _optional(alarm, "AlarmArn")
    alert_id = arn if arn and len(arn) <= MAX_ID else "cw-" + _digest(account, region, name)[:40]
    service, service_path = _service(alarm, name, config)
    reason = _optional(alarm, "NewStateReason")
    description = _optional(alarm, "AlarmDescription")
    event: dict[str, Any] = {
        "event_id": "cw-" + _digest(alert_id, state, changed)[:40],
        "type": "alert",
        "source": SOURCE,
        "service": service,
        "environment": config.account_environments.get(account, config.environment),
        "occurred_at": _OFFSET.sub(r"\1:\2", changed),
        "alert_id": alert_id,
        "name": name[:MAX_NAME],
        "status": STATUS[state],
        "severity": by_prefix(config.severities, name) or config.severity,
        "labels": _labels(alarm, account, region, reason),
    }
    if summary := (description or reason or "").strip():
        event["summary"] = summary[:MAX_TEXT]
    paths = {"occurred_at": "Message.StateChangeTime", "name": "Message.AlarmName",
             "service": service_path, "alert_id": "Message.AlarmArn",
             "labels": "Message.Trigger"}  # fmt: skip
    return Converted(events=[checked(event, paths)])


def _text(alarm: dict[str, Any], field: str) -> str:
    try:
        value: str = require(alarm, field)
    except PayloadError as exc:
        msg = f"Message.{exc}"
        raise PayloadError(msg) from None
    if not value.strip():
        msg = f"Message.{field}: must not be blank"
        raise PayloadError(msg)
    return value


def _optional(alarm: dict[str, Any], field: str) -> str | None:
    value = alarm.get(field)
    if value is None or isinstance(value, str):
        return value
    msg = f"Message.{field}: expected str, got {type(value).__name__}"
    raise PayloadError(msg)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _dimensions(alarm: dict[str, Any]) -> list[tuple[str, str]]:
    """The (name, value) metric dimensions of a single-metric or metric-math alarm trigger."""
    trigger = alarm.get("Trigger")
    if not isinstance(trigger, dict):
        return []
    lists = [trigger.get("Dimensions")]
    for metric in trigger.get("Metrics") or []:
        if isinstance(metric, dict):
            stat = metric.get("MetricStat")
            inner = stat.get("Metric") if isinstance(stat, dict) else None
            lists.append(inner.get("Dimensions") if isinstance(inner, dict) else None)
    found = []
    for dimensions in lists:
        for item in dimensions if isinstance(dimensions, list) else []:
            if isinstance(item, dict):
                name, value = item.get("name"), item.get("value")
                if isinstance(name, str) and isinstance(value, str) and value.strip():
                    found.append((name, value))
    return found


def _service(alarm: dict[str, Any], name: str, config: SnsConfig) -> tuple[str, str]:
    if (mapped := by_prefix(config.services, name)) is not None:
        return mapped, "Message.AlarmName"
    dimensions = _dimensions(alarm)
    for wanted in config.service_dimensions:
        for dimension, value in dimensions:
            if dimension.casefold() == wanted:
                return value, "Message.Trigger.Dimensions"
    if config.name_separator:
        head, separator, _ = name.partition(config.name_separator)
        if separator and head.strip():
            return head.strip(), "Message.AlarmName"
    if config.default_service is not None:
        return config.default_service, "Message.AlarmName"
    msg = (
        f"Message.AlarmName: no service for alarm {name[:MAX_NAME]!r}: no configured prefix, "
        f"no dimension {'/'.join(config.service_dimensions) or '(none)'}, "
        f"no {config.name_separator!r} in the name and no default service"
    )
    raise PayloadError(msg)


def _labels(alarm: dict[str, Any], account: str, region: str, reason: str | None) -> dict[str, str]:
    labels = {"aws_account": account, "aws_region": region}
    if isinstance(old := alarm.get("OldStateValue"), str):
        labels["old_state"] = old
    if reason:
        labels["reason"] = reason[:MAX_TEXT]
    trigger = alarm.get("Trigger")
    if isinstance(trigger, dict):
        for key, label in (("Namespace", "namespace"), ("MetricName", "metric")):
            if isinstance(value := trigger.get(key), str) and value:
                labels[label] = value[:MAX_TEXT]
    for dimension, value in _dimensions(alarm)[:48]:
        labels[f"dimension.{dimension}"[:256]] = value[:MAX_TEXT]
    return {key: value for key, value in labels.items() if value}
