"""What every history converter shares: saved API answers in, events and item errors out.

A converter reads the JSON a tool's REST API returned (saved to files by the
user, parsed by the CLI) and gives the events the live webhooks of the same
changes give. It builds, for each change, the body the tool's webhook would
carry and hands it to the live adapter's pure ``convert``, so both paths
share one mapping and one id rule: importing a history and then receiving
the same changes live stores each event once.

Errors name the file and the item, in the file's own terms, e.g.
``incidents.json: incidents[3].log_entries[0].created_at: missing``; a bad
item never costs the good ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol, runtime_checkable

from streams.gateway.adapters.base import PayloadError

_INDEX = re.compile(r"\.(\d+)(?=[.:;\s]|$)")


@dataclass(frozen=True)
class Document:
    """One saved API answer: the file it came from (for errors) and its parsed JSON."""

    name: str
    payload: Any


@dataclass
class Imported:
    """The outcome of a conversion.

    ``events`` are valid contract events, one per ``event_id``, ordered by
    ``occurred_at``; ``errors`` name the file and item of what could not be
    converted; ``ignored`` counts the items the live adapter ignores too
    (e.g. a PagerDuty ``notify_log_entry``, a GitHub ``inactive`` status).
    """

    events: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ignored: int = 0

    def finished(self) -> Imported:
        """Return the events deduplicated by ``event_id`` (first wins) in ``occurred_at`` order."""
        unique: dict[str, dict[str, Any]] = {}
        for event in self.events:
            unique.setdefault(event["event_id"], event)
        ordered = sorted(unique.values(), key=lambda e: parse_time(e["occurred_at"]))  # stable
        errors = list(dict.fromkeys(self.errors))  # one bad incident, said once
        return Imported(events=ordered, errors=errors, ignored=self.ignored)


@runtime_checkable
class Importer(Protocol):
    """The history converter of one source, configured like its live adapter."""

    name: ClassVar[str]

    def convert(self, documents: Sequence[Document]) -> Imported:
        """Return the events of every item of ``documents`` and the errors of the others."""


def get(item: Any, key: str, path: str, kind: type | tuple[type, ...] = str) -> Any:
    """Return ``item[key]``; ``PayloadError`` naming ``path.key`` when absent, null or mistyped."""
    where = f"{path}.{key}" if path else key
    if not isinstance(item, dict):
        msg = f"{path or 'top level'}: expected an object, got {type(item).__name__}"
        raise PayloadError(msg)
    value = item.get(key)
    if value is None:
        msg = f"{where}: missing"
        raise PayloadError(msg)
    if not isinstance(value, kind) or isinstance(value, bool):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        msg = f"{where}: expected {names}, got {type(value).__name__}"
        raise PayloadError(msg)
    return value


def instant(item: Any, key: str, path: str) -> datetime:
    """Return ``item[key]`` as an aware datetime; ``PayloadError`` naming the path otherwise."""
    value = get(item, key, path)
    try:
        return parse_time(value)
    except ValueError:
        where = f"{path}.{key}" if path else key
        msg = f"{where}: not an ISO 8601 time with a UTC offset: {value!r}"
        raise PayloadError(msg) from None


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 time with an offset (``Z``, ``+00:00`` or ``+0000``); ``ValueError``."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None or "T" not in value:
        msg = f"not a time with a UTC offset: {value!r}"
        raise ValueError(msg)
    return parsed


def located(error: PayloadError, renames: Sequence[tuple[str, str]]) -> str:
    """Return an adapter's error with its webhook paths renamed to the file's item paths.

    ``renames`` maps a webhook path prefix (``event.data``) to the item it
    was built from (``incidents[3]``); the longest prefix wins, and indexes
    are written ``[0]`` as in the file paths.
    """
    message = str(error)
    for old, new in sorted(renames, key=lambda pair: -len(pair[0])):
        pattern = rf"(?<![\w.\]]){re.escape(old)}(?=[.:;\s]|$)"
        message = re.sub(pattern, new.replace("\\", "\\\\"), message)
    return _INDEX.sub(r"[\1]", message)
