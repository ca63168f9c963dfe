"""Why input is refused: the contract's and ``decode()``'s reasons, and dead-letter records.

- The contract (tests/unit/schemas/): ``parse()`` validates an event dict with
  ``EVENT_ADAPTER``; ``rejection()`` is the one-line reason it is refused.
- ``decode()`` (tests/unit/ingest/test_decode_*.py): ``invalid()`` and ``reason()``
  of raw bytes read from ``ORIGIN`` under the size ``LIMIT``.
- The hostile corpus (tests/unit/ingest/test_hostile_decode*.py): ``decode_entry()``
  decodes a corpus entry on its topic, ``assert_dead_letter()`` builds its
  dead-letter record and checks headers and size limits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.events import EVENT_ADAPTER, AlertEvent, DeployEvent, TicketEvent
from streams.ingest.deadletter import TRUNCATED_BYTES, dead_letter_record
from streams.ingest.decode import MAX_REASON_CHARS, Invalid, Origin, decode, format_validation_error
from tests.support.hostile_corpus import Entry

LIMIT = 1024 * 1024  # 1 MiB, the default message size limit

# --- the contract -------------------------------------------------------------------------

NOT_A_STRING = (
    "occurred_at: must be an RFC 3339 string with a UTC offset, e.g. 2026-03-01T12:00:00Z"
)


def parse(data: dict[str, Any]) -> AlertEvent | DeployEvent | TicketEvent:
    return EVENT_ADAPTER.validate_python(data)


def rejection(data: dict[str, Any]) -> str:
    """Return the one-line reason ``data`` is rejected (fails if it is accepted)."""
    with pytest.raises(ValidationError) as info:
        parse(data)
    return format_validation_error(info.value)


# --- decode() -----------------------------------------------------------------------------

ORIGIN = Origin("alerts", 3, 42)


def invalid(
    raw: bytes | None,
    *,
    expected_type: str | None = "alert",
    max_bytes: int = LIMIT,
    origin: Origin = ORIGIN,
) -> Invalid:
    result = decode(raw, origin, expected_type=expected_type, max_bytes=max_bytes)
    assert isinstance(result, Invalid), result
    return result


def reason(raw: bytes | None, **kwargs: Any) -> str:
    return invalid(raw, **kwargs).reason


# --- the hostile corpus and dead-letter records -------------------------------------------

TOPICS = {"alert": "alerts", "deploy": "deploys", "ticket": "tickets"}
TOPIC_TYPES = {topic: kind for kind, topic in TOPICS.items()}
REJECTED_AT = datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC)
# Header values besides the reason are short; the reason is at most 2000 characters.
MAX_HEADER_BYTES = MAX_REASON_CHARS * 4 + 200


def decode_entry(entry: Entry, raw: bytes | None = None) -> Invalid:
    kind = entry.topic
    result = decode(
        entry.raw if raw is None else raw,
        Origin(TOPICS[kind], 1, 7),
        expected_type=kind,
        max_bytes=LIMIT,
    )
    assert isinstance(result, Invalid), f"{entry.file} was accepted: {result}"
    return result


def assert_dead_letter(invalid: Invalid) -> bytes:
    """Build the dead-letter record; check headers and size limits. Returns the value."""
    value, headers = dead_letter_record(invalid, REJECTED_AT, LIMIT)
    names = [name for name, _ in headers]
    assert names[:5] == [
        "reason",
        "source_topic",
        "source_partition",
        "source_offset",
        "rejected_at",
    ]
    found = dict(headers)
    assert found["reason"].decode("utf-8") == invalid.reason
    assert found["source_topic"] == invalid.origin.topic.encode()
    assert all(isinstance(v, bytes) and len(v) <= MAX_HEADER_BYTES for _, v in headers)
    assert len(value) <= LIMIT
    if len(invalid.raw) <= LIMIT:
        assert value == invalid.raw
        assert "truncated" not in found
    else:
        assert value == invalid.raw[:TRUNCATED_BYTES]
        assert found["truncated"] == b"true"
        assert found["original_bytes"] == str(len(invalid.raw)).encode()
    return value
