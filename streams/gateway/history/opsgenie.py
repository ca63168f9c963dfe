"""Opsgenie alert history (REST API answers with the alert logs) to the events of the webhooks.

Input: saved alerts of the Alert API (``GET /v2/alerts/{id}``, or the items of
``GET /v2/alerts``), each with a ``logs`` array holding every entry of its
``GET /v2/alerts/{id}/logs`` pages, merged with ``jq`` (docs/sources/import.md).
A file is a JSON array of such alerts, or an answer whose ``data`` is that
array or one alert.

Per alert, the outgoing webhook bodies Opsgenie sent for it are rebuilt and
converted by the live adapter (``adapters/opsgenie.py``): ``Create`` at the
alert's ``createdAt``, and ``Acknowledge`` / ``Close`` at the ``createdAt`` of
each log entry whose ``log`` reads ``Alert acknowledged via ...`` /
``Alert closed via ...`` (any case), the time the adapter's ``event_id``
expects (never the millisecond half of the entry's ``offset``). So the ids
are those of the live events (``opsgenie-<id>-<action>-<epoch ms>``), the
mode, service, severity and close status settings apply alike, and every
other log entry is ignored, as the webhooks of those actions are. A
``closed`` alert whose logs hold no close entry is an error (its logs were
cut short; a partial history would misstate its timeline). The alert is as
the REST API shows it now: its current message, tags, teams and priority go
on every imported event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from streams.gateway.adapters import opsgenie
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.epoch_time import ms_from_datetime
from streams.gateway.adapters.opsgenie import OpsgenieConfig
from streams.gateway.history.base import Document, Imported, get, instant, located

SOURCE = opsgenie.SOURCE
ACTIONS = {"acknowledged": "Acknowledge", "closed": "Close"}
"""The verb of an alert log entry ``Alert <verb> via <channel>`` -> the webhook action."""
_LOG = re.compile(r"\s*alert\s+(?P<verb>acknowledged|closed)\s+via\b", re.IGNORECASE)
_NS_PER_MS = 1_000_000
_COPIED = ("message", "tags", "tinyId", "entity", "alias", "priority", "source")


@dataclass(frozen=True)
class OpsgenieHistory:
    """The ``Importer`` of ``mttr import opsgenie``, configured like ``OpsgenieAdapter``."""

    name: ClassVar[str] = SOURCE
    config: OpsgenieConfig

    def convert(self, documents: Sequence[Document]) -> Imported:
        """Return the events of the creation, acknowledgements and close of every alert."""
        return convert(documents, self.config)


@dataclass(frozen=True)
class _Action:
    name: str  # Create, Acknowledge, Close
    at_ms: int
    path: str  # of the time's source: the alert's createdAt or the log entry
    owner: str | None  # the log entry's owner: who acted


def convert(documents: Sequence[Document], config: OpsgenieConfig) -> Imported:
    """Convert saved Opsgenie alerts (each with its ``logs``) into ticket or alert events."""
    result = Imported()
    for document in documents:
        alerts = _alerts(document.payload)
        if alerts is None:
            result.errors.append(
                f"{document.name}: top level: expected an array of alerts, or an Opsgenie "
                "answer whose data is one"
            )
            continue
        for path, alert in alerts:
            try:
                _alert(document.name, path, alert, config, result)
            except PayloadError as exc:
                result.errors.append(f"{document.name}: {exc}")
    return result.finished()


def _alerts(payload: Any) -> list[tuple[str, Any]] | None:
    """Return the (path, alert) pairs of a file, or None when it holds no alerts."""
    if isinstance(payload, list):
        return [(f"[{index}]", alert) for index, alert in enumerate(payload)]
    if isinstance(payload, dict) and isinstance(payload.get("data"), list):
        return [(f"data[{index}]", alert) for index, alert in enumerate(payload["data"])]
    if isinstance(payload, dict) and isinstance(payload.get("data"), dict):
        return [("data", payload["data"])]
    return None


def _alert(name: str, path: str, alert: Any, config: OpsgenieConfig, result: Imported) -> None:
    alert_id = get(alert, "id", path)
    created_ms = ms_from_datetime(instant(alert, "createdAt", path))
    if alert.get("logs") is None:
        msg = f"{path}.logs: missing (add each alert's logs: docs/sources/import.md)"
        raise PayloadError(msg)
    actions = [_Action("Create", created_ms, f"{path}.createdAt", None)]
    other = 0  # log entries of no converted action (notifications, views, notes ...)
    for index, entry in enumerate(get(alert, "logs", path, list)):
        entry_path = f"{path}.logs[{index}]"
        match = _LOG.match(get(entry, "log", entry_path))
        if match is None:
            other += 1
            continue
        at_ms = ms_from_datetime(instant(entry, "createdAt", entry_path))
        owner = entry.get("owner") if isinstance(entry.get("owner"), str) else None
        verb = ACTIONS[match.group("verb").lower()]
        actions.append(_Action(verb, at_ms, f"{entry_path}.createdAt", owner))
    if alert.get("status") == "closed" and not any(a.name == "Close" for a in actions):
        msg = (
            f"{path}: the alert is closed but its logs hold no 'Alert closed via ...' entry "
            "(save every page of its logs: docs/sources/import.md)"
        )
        raise PayloadError(msg)
    result.ignored += other
    renames = [("alert.alertId", f"{path}.id"), ("alert.createdAt", f"{path}.createdAt"),
               ("alert.teams", f"{path}.teams"), ("alert", path)]  # fmt: skip
    for action in sorted(actions, key=lambda a: a.at_ms):  # stable: Create first
        body = {"action": action.name, "alert": _webhook(alert, alert_id, created_ms, action)}
        try:
            converted = opsgenie.convert(body, config)
        except PayloadError as exc:
            where = [("alert.updatedAt", action.path), *renames]
            result.errors.append(f"{name}: {located(exc, where)}")
            continue
        if converted.ignored is not None:
            result.ignored += 1
        result.events.extend(converted.events)


def _webhook(
    alert: dict[str, Any], alert_id: str, created_ms: int, action: _Action
) -> dict[str, Any]:
    """Return the ``alert`` object of the webhook of ``action``, built from the REST alert.

    ``updatedAt`` is the action's time in nanoseconds, as Opsgenie sends it;
    ``teams`` are the team ids (the webhook lists ids, the REST API objects);
    ``description`` goes only with ``Create``, as Opsgenie sends it;
    ``username`` is the log entry's ``owner`` (none for ``Create``).
    """
    body: dict[str, Any] = {key: alert[key] for key in _COPIED if key in alert}
    body["alertId"] = alert_id
    body["createdAt"] = created_ms
    body["updatedAt"] = action.at_ms * _NS_PER_MS
    teams = alert.get("teams")
    if isinstance(teams, list):
        body["teams"] = [t.get("id") if isinstance(t, dict) else t for t in teams]
    if action.name == "Create" and "description" in alert:
        body["description"] = alert["description"]
    if action.owner is not None:
        body["username"] = action.owner
    return body
