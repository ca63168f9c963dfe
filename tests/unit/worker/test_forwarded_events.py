"""The correlate agent reads bundles, single forwarded events (earlier versions) and junk."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import orjson

from streams.ingest.bundle import BUNDLE_HEADER, bundle
from streams.ingest.decode import Decoded, Invalid, Origin, decode
from streams.ingest.types import RawMessage
from streams.worker.agents import _forwarded_events


class Writer:
    def __init__(self) -> None:
        self.dead: list[tuple[bytes | None, Invalid]] = []

    def dead_letter(self, key: bytes | None, invalid: Invalid) -> None:
        self.dead.append((key, invalid))


def _message(value: bytes, headers: list[tuple[str, bytes]]) -> Any:
    message = SimpleNamespace(
        key=b"api", value=value, headers=headers, topic="app-events-by-service",
        partition=2, offset=41,
    )  # fmt: skip
    return SimpleNamespace(message=message)


def _decoded(n: int) -> Decoded:
    raw = orjson.dumps({"event_id": f"e{n}", "type": "ticket", "service": "api",
                        "occurred_at": "2026-03-02T10:00:00Z", "ticket_id": "T",
                        "status": "opened"})  # fmt: skip
    result = decode(raw, Origin("tickets", 1, 7 + n), expected_type=None, max_bytes=1 << 20)
    assert isinstance(result, Decoded)
    return result


def test_a_bundle_yields_its_events_with_their_source_origins() -> None:
    events = [_decoded(0), _decoded(1)]
    [(key, value)] = bundle(events)
    writer = Writer()
    read = _forwarded_events(_message(value, [(BUNDLE_HEADER, b"1")]), writer)  # type: ignore[arg-type]
    assert read == [RawMessage(b"api", e.raw, e.origin) for e in events]
    assert writer.dead == []


def test_a_single_forwarded_event_of_an_earlier_version_is_still_read() -> None:
    event = _decoded(0)
    headers = [("source_topic", b"tickets"), ("source_partition", b"1"), ("source_offset", b"7")]
    read = _forwarded_events(_message(event.raw, headers), Writer())  # type: ignore[arg-type]
    assert read == [RawMessage(b"api", event.raw, Origin("tickets", 1, 7))]


def test_an_unreadable_bundle_is_dead_lettered_with_its_own_position() -> None:
    writer = Writer()
    read = _forwarded_events(_message(b"{oops", [(BUNDLE_HEADER, b"1")]), writer)  # type: ignore[arg-type]
    assert read == []
    [(key, invalid)] = writer.dead
    assert key == b"api" and invalid.raw == b"{oops"
    assert invalid.reason.startswith("unreadable forwarded bundle")
    assert invalid.origin == Origin("app-events-by-service", 2, 41)
