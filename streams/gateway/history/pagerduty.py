"""PagerDuty incident history (REST API answers) to the ticket events of the live webhooks.

Input, any mix of saved answers (see docs/sources/import.md for the ``curl``):

* ``GET /incidents``: ``{"incidents": [...]}``, each incident optionally with
  its own ``log_entries`` array (``GET /incidents/{id}/log_entries``, merged
  in with ``jq``);
* ``GET /log_entries?include[]=incidents``: ``{"log_entries": [...]}``, each
  entry with its full ``incident``; an entry whose ``incident`` is only a
  reference takes the incident from the ``incidents`` of any file.

Per incident, its ``trigger_log_entry``, ``acknowledge_log_entry`` and
``resolve_log_entry`` in time order become the webhook event types
``incident.triggered``, ``incident.acknowledged`` and ``incident.resolved``.
PagerDuty has no reopen log entry: a trigger entry after a resolve entry is
``incident.reopened``, and an acknowledge entry after a resolve entry is
``incident.reopened`` then ``incident.acknowledged`` at the same time. Other
log entry types are ignored, as the live adapter ignores their webhooks.
Each change is converted by the live adapter (``adapters/pagerduty.py``) from
a webhook body built of the incident and the entry's ``created_at``, so the
ids are those of the live events (``pagerduty-<incident>-<status>-<second>``).
The incident is as the REST API shows it now: its current title, service and
priority are those of every imported event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from streams.gateway.adapters import pagerduty
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.pagerduty import PagerDutyConfig
from streams.gateway.history.base import Document, Imported, get, instant, located

SOURCE = pagerduty.SOURCE
EVENT_TYPES = {
    "trigger_log_entry": "incident.triggered",
    "acknowledge_log_entry": "incident.acknowledged",
    "resolve_log_entry": "incident.resolved",
}
_ORDER = {name: rank for rank, name in enumerate(EVENT_TYPES)}  # same second: trigger first


@dataclass(frozen=True)
class PagerDutyHistory:
    """The ``Importer`` of ``mttr import pagerduty``, configured like ``PagerDutyAdapter``."""

    name: ClassVar[str] = SOURCE
    config: PagerDutyConfig

    def convert(self, documents: Sequence[Document]) -> Imported:
        """Return the ticket events of every status log entry of ``documents``."""
        return convert(documents, self.config)


@dataclass(frozen=True)
class _Entry:
    document: str
    path: str
    entry_id: str
    kind: str
    at: datetime
    created_at: str
    incident_id: str


@dataclass(frozen=True)
class _Incident:
    where: str  # "incidents[3]", or "other.json: incidents[3]" seen from another file
    document: str
    body: dict[str, Any]


def convert(documents: Sequence[Document], config: PagerDutyConfig) -> Imported:
    """Convert saved ``/incidents`` and ``/log_entries`` answers into ticket events.

    Returns:
        The events (deduplicated, in time order), the errors naming file and
        item, and the number of ignored log entries.
    """
    result = Imported()
    incidents: dict[str, _Incident] = {}
    entries: dict[str, _Entry] = {}
    for document in documents:
        try:
            _read(document, incidents, entries, result)
        except PayloadError as exc:
            result.errors.append(f"{document.name}: {exc}")
    by_incident: dict[str, list[_Entry]] = {}
    for entry in entries.values():
        by_incident.setdefault(entry.incident_id, []).append(entry)
    for incident_id, group in by_incident.items():
        group.sort(key=lambda e: (e.at, _ORDER[e.kind], e.entry_id))
        incident = incidents.get(incident_id)
        if incident is None:
            for entry in group:
                result.errors.append(
                    f"{entry.document}: {entry.path}.incident.id: incident {incident_id!r} is in "
                    "none of the files (save GET /incidents too, or list the log entries with "
                    "include[]=incidents)"
                )
            continue
        _convert_incident(incident, group, config, result)
    return result.finished()


def _read(
    document: Document,
    incidents: dict[str, _Incident],
    entries: dict[str, _Entry],
    result: Imported,
) -> None:
    payload = document.payload
    if not isinstance(payload, dict) or not ({"incidents", "log_entries"} & payload.keys()):
        msg = "top level: expected an object with incidents or log_entries (a PagerDuty answer)"
        raise PayloadError(msg)
    for index, incident in enumerate(_items(payload, "incidents")):
        path = f"incidents[{index}]"
        try:
            incident_id = get(incident, "id", path)
            incidents.setdefault(incident_id, _Incident(path, document.name, incident))
            for number, entry in enumerate(_items(incident, "log_entries", path)):
                where = f"{path}.log_entries[{number}]"
                _entry(document, where, entry, incident_id, entries, result)
        except PayloadError as exc:
            result.errors.append(f"{document.name}: {exc}")
    for index, entry in enumerate(_items(payload, "log_entries")):
        path = f"log_entries[{index}]"
        try:
            reference = get(entry, "incident", path, dict)
            incident_id = get(reference, "id", f"{path}.incident")
            if reference.get("type") == "incident":  # included in full (include[]=incidents)
                incidents.setdefault(
                    incident_id, _Incident(f"{path}.incident", document.name, reference)
                )
            _entry(document, path, entry, incident_id, entries, result)
        except PayloadError as exc:
            result.errors.append(f"{document.name}: {exc}")


def _items(parent: dict[str, Any], key: str, path: str = "") -> list[Any]:
    """Return the array ``parent[key]`` (empty when absent); ``PayloadError`` if not an array."""
    value = parent.get(key)
    if value is None:
        return []
    return list(get(parent, key, path, list))


def _entry(
    document: Document,
    path: str,
    entry: Any,
    incident_id: str,
    entries: dict[str, _Entry],
    result: Imported,
) -> None:
    try:
        kind = get(entry, "type", path)
        if kind not in EVENT_TYPES:
            result.ignored += 1
            return
        entry_id = get(entry, "id", path)
        at = instant(entry, "created_at", path)
    except PayloadError as exc:
        result.errors.append(f"{document.name}: {exc}")
        return
    entries.setdefault(
        entry_id, _Entry(document.name, path, entry_id, kind, at, entry["created_at"], incident_id)
    )


def _convert_incident(
    incident: _Incident, group: list[_Entry], config: PagerDutyConfig, result: Imported
) -> None:
    resolved = False
    for entry in group:
        if entry.kind == "resolve_log_entry":
            event_types = ["incident.resolved"]
        elif resolved:
            event_types = ["incident.reopened"]
            if entry.kind == "acknowledge_log_entry":
                event_types.append("incident.acknowledged")
        else:
            event_types = [EVENT_TYPES[entry.kind]]
        resolved = entry.kind == "resolve_log_entry"
        where = incident.where
        if incident.document != entry.document:
            where = f"{incident.document}: {incident.where}"
        renames = [("event.occurred_at", f"{entry.path}.created_at"), ("event.data", where)]
        for event_type in event_types:
            body = {
                "event": {
                    "event_type": event_type,
                    "occurred_at": entry.created_at,
                    "data": incident.body,
                }
            }
            try:
                result.events.extend(pagerduty.convert(body, config).events)
            except PayloadError as exc:
                result.errors.append(f"{entry.document}: {located(exc, renames)}")
