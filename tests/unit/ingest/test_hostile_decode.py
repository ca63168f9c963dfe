"""Hostile input at the edge: every corpus message ends as ``Invalid`` with its reason.

The corpus (tests/fixtures/hostile/, indexed by tests/support/hostile_corpus.py)
pins one exact reason prefix per message; the dead-letter record of each is
checked, and a hostile batch through the real ingest pipeline reaches the
``mttr.events`` sink only as bound column values. docs/security.md ("Producers
→ Kafka") and docs/events.md, "Dead letters". The properties are in
test_hostile_decode_properties.py.
"""

from __future__ import annotations

import asyncio

import orjson
import pytest

from streams.ingest.deadletter import TRUNCATED_BYTES, DlqLimit
from streams.ingest.decode import MAX_REASON_CHARS, Decoded, Invalid, Origin, decode
from streams.ingest.pipeline import IngestPipeline
from streams.ingest.rows import EVENT_COLUMNS
from streams.ingest.types import RawMessage
from streams.storage.sink import TableSink
from tests.support.factories import as_line, deploy
from tests.support.hostile_corpus import CORPUS, Entry, oversized_entries, sql_events
from tests.support.recording_client import RecordingClient
from tests.support.rejections import LIMIT, TOPIC_TYPES, TOPICS, assert_dead_letter, decode_entry

# Valid events published to the wrong topic: only the topic makes them invalid.
MISPLACED = {"alert_on_deploys_topic.json", "ticket_on_alerts_topic.json"}


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
# (tests/support/recording_client.py: any call but a prepared insert of bound data fails)


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
