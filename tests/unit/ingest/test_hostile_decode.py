"""Hostile input at the edge: every corpus message and generated garbage ends as ``Invalid``.

The corpus (tests/fixtures/hostile/) pins one exact reason prefix per message.
The properties check that ``decode()`` is total (never raises), agrees with
the contract models (``Decoded`` only if ``EVENT_ADAPTER`` accepts the object
and its type belongs on the topic), keeps reasons bounded, and that hostile
but legal strings (SQL, quotes, backslashes, braces) pass through to the
``mttr.events`` row unchanged, handed to the client as column values only.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from schemas.events import EVENT_ADAPTER
from streams.ingest.deadletter import TRUNCATED_BYTES, DlqLimit, dead_letter_record
from streams.ingest.decode import MAX_REASON_CHARS, Decoded, Invalid, Origin, decode
from streams.ingest.pipeline import IngestPipeline
from streams.ingest.rows import EVENT_COLUMNS, event_to_row
from streams.ingest.types import RawMessage
from streams.storage.sink import TableSink
from tests.support.factories import alert, as_line, deploy
from tests.support.hostile_corpus import (
    CORPUS,
    Entry,
    MiB,
    oversized_entries,
    sql_events,
)
from tests.support.strategies import FIELDS, factories, hostile_text, json_values

LIMIT = MiB
TOPICS = {"alert": "alerts", "deploy": "deploys", "ticket": "tickets"}
TOPIC_TYPES = {topic: kind for kind, topic in TOPICS.items()}
REJECTED_AT = datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC)
# Header values besides the reason are short; the reason is at most 2000 characters.
MAX_HEADER_BYTES = MAX_REASON_CHARS * 4 + 200
# Valid events published to the wrong topic: only the topic makes them invalid.
MISPLACED = {"alert_on_deploys_topic.json", "ticket_on_alerts_topic.json"}


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


# --- the corpus -------------------------------------------------------------------------


def test_corpus_files_are_all_indexed() -> None:
    from tests.support.hostile_corpus import HERE

    stored = {p.name for p in HERE.iterdir() if p.suffix in (".bin", ".json")}
    assert stored == {entry.file for entry in CORPUS}
    assert len(CORPUS) == len({entry.file for entry in CORPUS})


@pytest.mark.parametrize("entry", CORPUS, ids=[e.file for e in CORPUS])
def test_corpus_entry_is_invalid_with_its_reason(entry: Entry) -> None:
    invalid = decode_entry(entry)
    assert invalid.reason.startswith(entry.reason), invalid.reason
    assert 0 < len(invalid.reason) <= MAX_REASON_CHARS
    assert invalid.raw == entry.raw
    assert_dead_letter(invalid)


@pytest.mark.parametrize("entry", CORPUS, ids=[e.file for e in CORPUS])
def test_corpus_entry_is_invalid_on_every_topic(entry: Entry) -> None:
    """No topic, and not the HTTP path (no expected type), turns an entry valid by accident."""
    for kind in TOPICS:
        result = decode(entry.raw, Origin(TOPICS[kind], 0, 0), expected_type=kind, max_bytes=LIMIT)
        if isinstance(result, Decoded):
            assert entry.http_ok and result.event.type == kind, entry.file
    anywhere = decode(entry.raw, Origin("-", 0, 0), expected_type=None, max_bytes=LIMIT)
    assert isinstance(anywhere, Decoded) == (entry.file in MISPLACED)


@pytest.mark.parametrize(("name", "raw", "reason"), oversized_entries(), ids=lambda v: str(v)[:20])
def test_oversized_messages_are_rejected_before_parsing(name: str, raw: bytes, reason: str) -> None:
    entry = Entry(name, "alert", reason, "oversized")
    invalid = decode_entry(entry, raw)
    assert invalid.reason == f"{reason} the {LIMIT} byte limit"
    value = assert_dead_letter(invalid)
    assert len(value) == TRUNCATED_BYTES
    # under a limit they fit in, the bytes parse: the size check came first, before orjson
    fits = decode(raw, Origin("alerts", 0, 0), expected_type="alert", max_bytes=len(raw))
    assert isinstance(fits, Invalid)  # now the summary padding is the fault (> 4096 chars)
    assert fits.reason.startswith("summary: String should have at most 4096")


def test_null_value_is_invalid() -> None:
    result = decode(None, Origin("alerts", 0, 0), expected_type="alert", max_bytes=LIMIT)
    assert isinstance(result, Invalid)
    assert result.reason == "empty message (null value)"
    assert_dead_letter(result)


# --- a batch through the real pipeline with a recording ClickHouse client ---------------


class RecordingClient:
    """Stands in for clickhouse-connect: records ``insert`` calls, fails on anything else.

    Any attempt to send SQL text (``command``, ``query``, ``raw_query``) fails the
    test, so values can only reach ClickHouse as bound column data.
    """

    def __init__(self) -> None:
        self.inserts: list[tuple[str, list[list[Any]], list[str]]] = []

    def insert(self, table: str, rows: list[list[Any]], column_names: list[str]) -> None:
        self.inserts.append((table, [list(r) for r in rows], list(column_names)))

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the sink called client.{name}(): SQL text, not bound data")


def test_a_hostile_batch_through_the_pipeline() -> None:
    """Every corpus entry interleaved with SQL-looking valid events, as the worker sees them."""
    client = RecordingClient()
    sink = TableSink(client, "mttr.events", EVENT_COLUMNS)  # type: ignore[arg-type]
    dead: list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]] = []

    async def send_dead_letter(
        key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]
    ) -> None:
        dead.append((key, value, headers))

    pipeline = IngestPipeline(
        topic_types=TOPIC_TYPES,
        max_bytes=LIMIT,
        sink=sink,
        send_dead_letter=send_dead_letter,
        limit=DlqLimit(max_invalid_ratio=0.5, window=10),
        retry_max_delay=0.01,
    )
    hostile: list[tuple[str, bytes | None]] = [(e.topic, e.raw) for e in CORPUS] + [
        ("alert", r) for _, r, _ in oversized_entries()
    ]
    hostile.append(("ticket", None))  # a tombstone
    valid = sql_events()
    valid += [deploy(event_id=f"filler-{i}") for i in range(len(hostile) - len(valid))]
    # one valid, one hostile: every window of 10 holds exactly 5 invalid, at the limit
    messages: list[RawMessage] = []
    for offset, (good, (kind, raw)) in enumerate(zip(valid, hostile, strict=True)):
        messages.append(RawMessage(b"k", as_line(good), Origin(TOPICS[good["type"]], 0, offset)))
        messages.append(RawMessage(b"k", raw, Origin(TOPICS[kind], 1, offset)))
    stats = asyncio.run(pipeline.process(messages))
    print(f"\nhostile sent={len(hostile)} dead-lettered={len(dead)} valid stored={stats.valid}")

    assert stats.valid == len(valid)
    assert len(dead) == len(hostile)
    assert all(dict(headers)["reason"] for _, _, headers in dead)
    [(table, rows, columns)] = client.inserts
    assert table == "mttr.events"
    assert columns == list(EVENT_COLUMNS)
    stored = {row[0]: dict(zip(columns, row, strict=True)) for row in rows}
    for event in valid:
        row = stored[event["event_id"]]
        assert orjson.loads(row["raw"]) == event
        assert row["service"] == event["service"]
        assert row["source"] == event.get("source", "custom")


# --- properties -------------------------------------------------------------------------

expected_types = st.sampled_from([None, "alert", "deploy", "ticket"])


def accepted_by_contract(raw: bytes, expected_type: str | None) -> bool:
    """The oracle: what ``decode`` must accept, computed from the models alone."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    if not isinstance(data, dict):
        return False
    try:
        event = EVENT_ADAPTER.validate_python(data)
    except ValidationError:
        return False
    return expected_type is None or event.type == expected_type


def check(raw: bytes, expected_type: str | None) -> Decoded | Invalid:
    topic = TOPICS.get(expected_type or "", "-")
    result = decode(raw, Origin(topic, 0, 0), expected_type=expected_type, max_bytes=LIMIT)
    assert isinstance(result, Decoded) == accepted_by_contract(raw, expected_type)
    if isinstance(result, Invalid):
        assert result.reason.strip()
        assert len(result.reason) <= MAX_REASON_CHARS
        assert_dead_letter(result)
    else:
        row = event_to_row(result, REJECTED_AT)
        assert row["raw"].encode("utf-8") == raw
        assert row["event_id"] == result.event.event_id
    return result


@settings(max_examples=300, derandomize=True, deadline=None)
@given(raw=st.binary(max_size=2000), expected_type=expected_types)
def test_arbitrary_bytes(raw: bytes, expected_type: str | None) -> None:
    check(raw, expected_type)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    factory=factories,
    position=st.integers(min_value=0),
    noise=st.binary(min_size=1, max_size=8),
    expected_type=expected_types,
)
def test_valid_event_with_bytes_spliced_in(
    factory: Any, position: int, noise: bytes, expected_type: str | None
) -> None:
    raw = as_line(factory(event_id="splice"))
    at = position % (len(raw) + 1)
    check(raw[:at] + noise + raw[at:], expected_type)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(value=json_values, expected_type=expected_types)
def test_arbitrary_json_values(value: Any, expected_type: str | None) -> None:
    check(orjson.dumps(value), expected_type)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(depth=st.integers(min_value=1, max_value=3000), opener=st.sampled_from(["[", '{"a":']))
def test_deep_nesting(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    nested = (opener * depth + "1" + closer * depth).encode()
    check(nested, "alert")
    check(as_line(alert(event_id="deep"))[:-1] + b',"labels":{"x":' + nested + b"}}", "alert")


@settings(
    max_examples=500,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    factory=factories,
    field=st.sampled_from(FIELDS),
    value=json_values,
    expected_type=expected_types,
)
def test_valid_event_with_one_field_replaced(
    factory: Any, field: str, value: Any, expected_type: str | None
) -> None:
    event = factory(event_id="one-field")
    event[field] = value
    result = check(orjson.dumps(event), expected_type)
    if isinstance(result, Decoded) and isinstance(value, str):
        assert getattr(result.event, field) == value or field in ("occurred_at", "starts_at")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(factory=factories, text=hostile_text.filter(lambda t: len(t) <= 128))
def test_legal_hostile_strings_pass_unchanged(factory: Any, text: str) -> None:
    """Any string allowed in free text is kept byte for byte, wherever it may go."""
    event = factory(event_id="legal")
    if event["type"] == "alert":
        event.update(summary=text, labels={text[:256]: text})
    elif event["type"] == "deploy":
        event.update(commit_sha=None, kind="hotfix")
    else:
        event.update(title=text, url=text)
    result = check(orjson.dumps(event), event["type"])
    assert isinstance(result, Decoded)
    assert orjson.loads(event_to_row(result, REJECTED_AT)["raw"]) == event
