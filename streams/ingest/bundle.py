"""Forwarded bundles: a batch's events of one service travel to correlation as one message.

Ingest re-partitions every valid event by service (see docs/architecture.md,
"Why the extra hop"). Sending each event as its own message made the hop
cost a produce and a consume per event; while a backlog is read, a batch
holds several events of most services. ``bundle`` groups a batch's events by
service, in batch order, into messages of at most ``MAX_BUNDLE_BYTES``; each
item keeps the event's original bytes and its source topic, partition and
offset (for the audit trail and dead letters). The message carries the
header ``mttr-bundle: 1``; a message without it is a single forwarded event
(what earlier versions wrote), still accepted.
"""

from __future__ import annotations

from typing import Any

import orjson

from streams.ingest.decode import Decoded, Origin

BUNDLE_HEADER = "mttr-bundle"
MAX_BUNDLE_BYTES = 512 * 1024
_ITEM_OVERHEAD = 64  # brackets, quotes, partition and offset digits


class BundleError(ValueError):
    """A forwarded bundle that cannot be read (only a foreign producer writes one)."""


def bundle(events: list[Decoded]) -> list[tuple[bytes, bytes]]:
    """Return ``(key, value)`` messages: each service's events, in order, size-capped."""
    by_service: dict[str, list[list[Any]]] = {}
    sizes: dict[str, int] = {}
    messages: list[tuple[bytes, bytes]] = []
    for decoded in events:
        service = decoded.event.service
        origin = decoded.origin
        item = [origin.topic, origin.partition, origin.offset, decoded.raw.decode("utf-8")]
        size = len(decoded.raw) + len(origin.topic) + _ITEM_OVERHEAD
        items = by_service.get(service)
        if items and sizes[service] + size > MAX_BUNDLE_BYTES:  # full: send it, start anew
            messages.append((service.encode(), orjson.dumps(items)))
            items = None
        if items is None:
            items = by_service[service] = []
            sizes[service] = 0
        items.append(item)
        sizes[service] += size
    messages.extend((s.encode(), orjson.dumps(items)) for s, items in by_service.items())
    return messages


def unbundle(value: bytes | None) -> list[tuple[Origin, bytes]]:
    """Return each bundled event's source origin and original bytes; raises ``BundleError``."""
    try:
        items = orjson.loads(value or b"")
        if not isinstance(items, list):
            msg = f"expected a JSON array, got {type(items).__name__}"
            raise TypeError(msg)
        return [
            (Origin(str(topic), int(partition), int(offset)), str(raw).encode("utf-8"))
            for topic, partition, offset, raw in items
        ]
    except (orjson.JSONDecodeError, TypeError, ValueError) as exc:
        msg = f"unreadable forwarded bundle: {exc}"
        raise BundleError(msg) from exc


def is_bundle(headers: Any) -> bool:
    """Return whether a forwarded message is a bundle (header ``mttr-bundle``)."""
    return any(name == BUNDLE_HEADER for name, _ in (headers or ()))
