"""Jira issue history (REST API answers with the changelog) to the ticket events of the webhooks.

Input: saved answers of ``GET /rest/api/3/search?jql=...&expand=changelog``
(``{"issues": [...]}``) or of ``GET /rest/api/3/issue/{key}?expand=changelog``
(one issue), see docs/sources/import.md.

Per issue: its creation (``fields.created``) and every changelog history
with a ``status`` item (in time order) become the bodies the live webhook
sends, ``jira:issue_created`` and ``jira:issue_updated``, converted by the
live adapter (``adapters/jira.py``): same status, priority and service
mapping, same ids (``jira-<issue id>-created``,
``jira-<issue id>-changelog-<history id>``). The status and priority at each
change are read back from the changelog (the ``fromString`` of the first
change of each is the value at creation); the rest of the issue (summary,
components, labels) is as the REST API shows it now. An issue whose
changelog is cut short (``total`` above the histories held) is an error: a
partial history would misstate its timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from streams.gateway.adapters import jira
from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.jira import JiraConfig
from streams.gateway.history.base import Document, Imported, get, instant, located

SOURCE = jira.SOURCE
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class JiraHistory:
    """The ``Importer`` of ``mttr import jira``, configured like ``JiraAdapter``."""

    name: ClassVar[str] = SOURCE
    config: JiraConfig

    def convert(self, documents: Sequence[Document]) -> Imported:
        """Return the ticket events of the creation and transitions of every issue."""
        return convert(documents, self.config)


@dataclass(frozen=True)
class _Change:
    path: str  # of the history
    history_id: str | int
    at: datetime
    items: list[Any]
    status: tuple[str, str] | None  # (new status, path of the item's toString)
    priority: tuple[str | None, str | None] | None  # (before, after)


def convert(documents: Sequence[Document], config: JiraConfig) -> Imported:
    """Convert saved Jira issues (with changelog) into ticket events."""
    result = Imported()
    for document in documents:
        payload = document.payload
        if isinstance(payload, dict) and isinstance(payload.get("issues"), list):
            issues = [(f"issues[{i}]", issue) for i, issue in enumerate(payload["issues"])]
        elif isinstance(payload, dict) and "fields" in payload:
            issues = [("", payload)]
        else:
            result.errors.append(
                f"{document.name}: top level: expected a search answer (issues) or one issue"
            )
            continue
        for path, issue in issues:
            try:
                _issue(document.name, path, issue, config, result)
            except PayloadError as exc:
                result.errors.append(f"{document.name}: {exc}")
    return result.finished()


def _issue(name: str, path: str, issue: Any, config: JiraConfig, result: Imported) -> None:
    def at(sub: str) -> str:
        return f"{path}.{sub}" if path else sub

    issue_id = get(issue, "id", path, (str, int))
    key = get(issue, "key", path)
    fields = get(issue, "fields", path, dict)
    created = instant(fields, "created", at("fields"))
    current = get(get(fields, "status", at("fields"), dict), "name", at("fields.status"))
    changes = _changes(issue, path, key)
    statuses = [c for c in changes if c.status is not None]
    priorities = [c.priority for c in changes if c.priority is not None]
    status = _from(statuses[0]) if statuses else current
    priority = priorities[0][0] if priorities else _name(fields.get("priority"))
    renames = [("issue.id", at("id")), ("issue.key", at("key")), ("issue.fields", at("fields"))]
    base = {"id": issue_id, "key": key, "self": issue.get("self")}
    body = {
        "webhookEvent": "jira:issue_created",
        "timestamp": _ms(created),
        "issue": {**base, "fields": _fields(fields, status, priority)},
    }
    created_renames = [*renames, ("timestamp", at("fields.created"))]
    _convert(body, name, created_renames, config, result)
    for change in changes:
        if change.priority is not None:
            priority = change.priority[1]
        if change.status is None:
            continue
        new_status, status_path = change.status
        body = {
            "webhookEvent": "jira:issue_updated",
            "timestamp": _ms(change.at),
            "issue": {**base, "fields": _fields(fields, new_status, priority)},
            "changelog": {"id": change.history_id, "items": change.items},
        }
        change_renames = [
            *renames,
            ("issue.fields.status.name", status_path),
            ("timestamp", f"{change.path}.created"),
            ("changelog", change.path),
        ]
        _convert(body, name, change_renames, config, result)


def _changes(issue: dict[str, Any], path: str, key: str) -> list[_Change]:
    """Return the issue's changelog histories in time order; ``PayloadError`` if cut short."""
    where = f"{path}.changelog" if path else "changelog"
    if issue.get("changelog") is None:
        msg = f"{where}: missing (fetch the issues with expand=changelog)"
        raise PayloadError(msg)
    changelog = get(issue, "changelog", path, dict)
    histories = get(changelog, "histories", where, list)
    total = changelog.get("total")
    if isinstance(total, int) and total > len(histories):
        msg = (
            f"{where}: holds {len(histories)} of {total} changes; fetch the rest with "
            f"GET /rest/api/3/issue/{key}/changelog (see docs/sources/import.md)"
        )
        raise PayloadError(msg)
    changes = [_change(f"{where}.histories[{n}]", h) for n, h in enumerate(histories)]
    changes.sort(key=lambda c: (c.at, int(c.history_id) if str(c.history_id).isdigit() else 0))
    return changes


def _change(path: str, history: Any) -> _Change:
    history_id = get(history, "id", path, (str, int))
    items = get(history, "items", path, list)
    status: tuple[str, str] | None = None
    priority: tuple[str | None, str | None] | None = None
    for index, item in enumerate(items):
        item_path = f"{path}.items[{index}]"
        if not isinstance(item, dict):
            msg = f"{item_path}: expected an object, got {type(item).__name__}"
            raise PayloadError(msg)
        name = item.get("fieldId") or item.get("field")
        if name == "status":
            status = (get(item, "toString", item_path), f"{item_path}.toString")
        elif name == "priority":
            priority = (item.get("fromString"), item.get("toString"))
    return _Change(path, history_id, instant(history, "created", path), items, status, priority)


def _from(change: _Change) -> str:
    """Return the status before ``change`` (the ``fromString`` of its status item)."""
    for index, item in enumerate(change.items):
        if (item.get("fieldId") or item.get("field")) == "status":
            return str(get(item, "fromString", f"{change.path}.items[{index}]"))
    return ""


def _fields(fields: dict[str, Any], status: str, priority: str | None) -> dict[str, Any]:
    return {
        **fields,
        "status": {"name": status},
        "priority": None if priority is None else {"name": priority},
    }


def _name(priority: Any) -> str | None:
    if isinstance(priority, dict) and isinstance(priority.get("name"), str):
        return str(priority["name"])
    return priority if isinstance(priority, str) else None


def _ms(instant_: datetime) -> int:
    return (instant_ - _EPOCH) // timedelta(milliseconds=1)


def _convert(
    body: dict[str, Any],
    name: str,
    renames: list[tuple[str, str]],
    config: JiraConfig,
    result: Imported,
) -> None:
    try:
        converted = jira.convert(body, config)
    except PayloadError as exc:
        result.errors.append(f"{name}: {located(exc, renames)}")
        return
    if converted.ignored is not None:
        result.ignored += 1
    result.events.extend(converted.events)
