"""Forwarded bundles: grouped by service in batch order, size-capped, read back exactly."""

from __future__ import annotations

import orjson
import pytest

from streams.ingest import bundle as bundles
from streams.ingest.bundle import BundleError, bundle, is_bundle, unbundle
from streams.ingest.decode import Decoded, Origin, decode


def _event(service: str, n: int, padding: int = 0) -> Decoded:
    raw = orjson.dumps(
        {
            "event_id": f"{service}-{n}",
            "type": "ticket",
            "service": service,
            "occurred_at": "2026-03-02T10:00:00Z",
            "ticket_id": f"T-{n}",
            "url": "https://tickets.example/" + "x" * padding,
            "status": "opened",
        }
    )
    result = decode(raw, Origin("tickets", n % 3, 100 + n), expected_type=None, max_bytes=1 << 22)
    assert isinstance(result, Decoded)
    return result


def test_one_message_per_service_in_batch_order_with_origins() -> None:
    events = [_event("api", 1), _event("web", 2), _event("api", 3), _event("é-svc", 4)]
    messages = bundle(events)
    assert [key for key, _ in messages] == [b"api", b"web", "é-svc".encode()]
    api = unbundle(messages[0][1])
    assert api == [(events[0].origin, events[0].raw), (events[2].origin, events[2].raw)]
    assert unbundle(messages[2][1]) == [(events[3].origin, events[3].raw)]


def test_a_service_over_the_size_cap_is_split_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundles, "MAX_BUNDLE_BYTES", 1000)
    events = [_event("api", n, padding=300) for n in range(5)]  # about 500 bytes each
    messages = bundle(events)
    assert len(messages) > 1
    assert {key for key, _ in messages} == {b"api"}
    read = [raw for _, value in messages for _, raw in unbundle(value)]
    assert read == [e.raw for e in events]  # split, never reordered
    assert all(len(value) <= 1000 for _, value in messages)


def test_empty_batch_gives_no_message() -> None:
    assert bundle([]) == []


@pytest.mark.parametrize(
    "value", [b"", b"not json", b"{}", b"[[1, 2]]", b'[["t", "x", 1, "r"]]', None]
)
def test_unreadable_bundles_raise_a_clear_error(value: bytes | None) -> None:
    with pytest.raises(BundleError, match="unreadable forwarded bundle"):
        unbundle(value)


def test_bundle_header() -> None:
    assert is_bundle([("mttr-bundle", b"1")])
    assert not is_bundle([("source_topic", b"x")])
    assert not is_bundle(None)
