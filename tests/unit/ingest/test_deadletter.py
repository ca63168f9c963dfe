"""Dead letters: headers, truncation, the invalid-ratio limit and IngestPipeline.split."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streams.errors import DlqLimitExceeded, MttrError
from streams.ingest.deadletter import (
    TRUNCATED_BYTES,
    DlqLimit,
    dead_letter_headers,
    dead_letter_record,
)
from streams.ingest.decode import Decoded, Invalid, Origin
from streams.ingest.pipeline import IngestPipeline
from streams.ingest.types import RawMessage
from tests.support.factories import alert, as_line, deploy, ticket

REJECTED_AT = datetime(2026, 3, 2, 10, 0, 5, 123456, tzinfo=UTC)


# --- headers and record -----------------------------------------------------------------


def test_headers_exact() -> None:
    bad = Invalid(b"{", "not valid JSON: café", Origin("alerts", 3, 42))
    assert dead_letter_headers(bad, REJECTED_AT) == [
        ("reason", "not valid JSON: café".encode()),
        ("source_topic", b"alerts"),
        ("source_partition", b"3"),
        ("source_offset", b"42"),
        ("rejected_at", b"2026-03-02T10:00:05.123+00:00"),
    ]


def test_rejected_at_always_has_milliseconds() -> None:
    bad = Invalid(b"", "empty message (null value)", Origin("tickets", 0, 0))
    headers = dict(dead_letter_headers(bad, datetime(2026, 3, 2, 10, 0, tzinfo=UTC)))
    assert headers["rejected_at"] == b"2026-03-02T10:00:00.000+00:00"


def test_record_keeps_a_small_value_unchanged() -> None:
    bad = Invalid(b"garbage", "not valid JSON", Origin("deploys", 1, 7))
    value, headers = dead_letter_record(bad, REJECTED_AT, max_bytes=1024)
    assert value == b"garbage"
    assert [name for name, _ in headers] == [
        "reason",
        "source_topic",
        "source_partition",
        "source_offset",
        "rejected_at",
    ]


def test_record_truncates_an_oversized_value() -> None:
    raw = b"x" * 200_000
    reason = "message of 200000 bytes exceeds the 100000 byte limit"
    value, headers = dead_letter_record(
        Invalid(raw, reason, Origin("alerts", 0, 9)), REJECTED_AT, max_bytes=100_000
    )
    assert TRUNCATED_BYTES == 65536
    assert value == b"x" * 65536
    assert headers == [
        ("reason", b"message of 200000 bytes exceeds the 100000 byte limit"),
        ("source_topic", b"alerts"),
        ("source_partition", b"0"),
        ("source_offset", b"9"),
        ("rejected_at", b"2026-03-02T10:00:05.123+00:00"),
        ("truncated", b"true"),
        ("original_bytes", b"200000"),
    ]


def test_record_at_exactly_max_bytes_is_not_truncated() -> None:
    raw = b"y" * 1024
    value, headers = dead_letter_record(
        Invalid(raw, "r", Origin("a", 0, 0)), REJECTED_AT, max_bytes=1024
    )
    assert value == raw
    assert "truncated" not in dict(headers)


# --- DlqLimit ---------------------------------------------------------------------------


def record_all(limit: DlqLimit, pattern: str) -> None:
    """Record a pattern like ``"vvvxx"``: v = valid, x = invalid."""
    for flag in pattern:
        limit.record(flag == "v")


def test_does_not_trip_before_the_window_is_full() -> None:
    limit = DlqLimit(max_invalid_ratio=0.5, window=10)
    record_all(limit, "x" * 9)  # 9 of 9 invalid, but the window is not full yet
    with pytest.raises(DlqLimitExceeded):
        limit.record(False)


def test_half_invalid_does_not_trip_at_ratio_one_half() -> None:
    limit = DlqLimit(max_invalid_ratio=0.5, window=10)
    record_all(limit, "xxxxxvvvvv")
    record_all(limit, "vxvxvxvxvx")  # keeps exactly 5 of the last 10 invalid


def test_six_of_ten_invalid_trips_at_ratio_one_half() -> None:
    limit = DlqLimit(max_invalid_ratio=0.5, window=10)
    record_all(limit, "vvvvxxxxx")
    with pytest.raises(DlqLimitExceeded):
        limit.record(False)


def test_trips_on_the_message_that_crosses_the_ratio() -> None:
    limit = DlqLimit(max_invalid_ratio=0.5, window=10)
    record_all(limit, "vvvvvxxxxx")  # 5 of 10: at the limit, not over it
    with pytest.raises(DlqLimitExceeded):
        limit.record(False)  # the oldest "v" leaves the window: 6 of 10


def test_sliding_window_forgets_old_invalids() -> None:
    limit = DlqLimit(max_invalid_ratio=0.5, window=10)
    record_all(limit, "xxxxx" + "v" * 10)  # the 5 invalids have left the window
    record_all(limit, "xxxxx")  # 5 of 10 again: fine (would be 10 if never forgotten)
    with pytest.raises(DlqLimitExceeded):
        limit.record(False)  # 6 of 10


def test_ratio_one_never_trips() -> None:
    limit = DlqLimit(max_invalid_ratio=1.0, window=10)
    record_all(limit, "x" * 50)


def test_error_message_explains_how_to_recover() -> None:
    limit = DlqLimit(max_invalid_ratio=0.5, window=10)
    record_all(limit, "vvvvxxxxx")
    with pytest.raises(DlqLimitExceeded) as info:
        limit.record(False)
    assert isinstance(info.value, MttrError)
    assert str(info.value) == (
        "6 of the last 10 messages were invalid (limit 50%); stopping instead of "
        "dead-lettering the topic. Fix the producer, or raise MTTR_DLQ_MAX_INVALID_RATIO / "
        "set MTTR_DLQ_LIMIT_ENABLED=false, then restart."
    )


# --- IngestPipeline.split ---------------------------------------------------------------

TOPIC_TYPES = {"alerts": "alert", "deploys": "deploy", "tickets": "ticket"}


async def send_nowhere(key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]) -> None:
    raise AssertionError("split() must not send anything")


def pipeline(limit: DlqLimit | None) -> IngestPipeline:
    return IngestPipeline(
        topic_types=TOPIC_TYPES,
        max_bytes=4096,
        sink=None,  # type: ignore[arg-type]  # split() never touches the sink
        send_dead_letter=send_nowhere,
        limit=limit,
        retry_max_delay=0.01,
    )


def message(topic: str, offset: int, value: bytes | None) -> RawMessage:
    return RawMessage(key=b"checkout", value=value, origin=Origin(topic, 0, offset))


def mixed_batch() -> list[RawMessage]:
    return [
        message("alerts", 0, as_line(alert(event_id="a-1"))),
        message("alerts", 1, b"[]"),
        message("deploys", 0, as_line(deploy(event_id="d-1"))),
        message("deploys", 1, as_line(alert(event_id="a-2"))),
        message("tickets", 0, None),
        message("tickets", 1, as_line(ticket(event_id="t-1"))),
        message("tickets", 2, b"{" + b" " * 5000 + b"}"),
        message("alerts", 2, as_line(alert(event_id="a-3", status="resolved"))),
    ]


def test_split_keeps_order_and_reasons() -> None:
    valid, invalid = pipeline(DlqLimit(max_invalid_ratio=0.5, window=10)).split(mixed_batch())
    assert [(v.origin, v.event.event_id) for v in valid] == [
        (Origin("alerts", 0, 0), "a-1"),
        (Origin("deploys", 0, 0), "d-1"),
        (Origin("tickets", 0, 1), "t-1"),
        (Origin("alerts", 0, 2), "a-3"),
    ]
    assert all(isinstance(v, Decoded) for v in valid)
    assert [(i.origin, i.reason) for i in invalid] == [
        (Origin("alerts", 0, 1), "expected a JSON object, got list"),
        (Origin("deploys", 0, 1), "event type 'alert' does not belong on topic 'deploys'"),
        (Origin("tickets", 0, 0), "empty message (null value)"),
        (Origin("tickets", 0, 2), "message of 5002 bytes exceeds the 4096 byte limit"),
    ]


def test_split_without_a_limit() -> None:
    valid, invalid = pipeline(None).split(mixed_batch())
    assert (len(valid), len(invalid)) == (4, 4)


def test_unknown_topic_accepts_any_type() -> None:
    valid, invalid = pipeline(None).split([message("other", 0, as_line(deploy()))])
    assert (len(valid), invalid) == (1, [])


def test_split_records_every_message_in_the_limit() -> None:
    limit = DlqLimit(max_invalid_ratio=0.5, window=10)
    pipe = pipeline(limit)
    pipe.split(mixed_batch())  # 8 messages, 4 invalid: window not full
    pipe.split([message("alerts", 3, as_line(alert()))])  # 9 messages, 4 invalid
    with pytest.raises(DlqLimitExceeded, match="6 of the last 10 messages were invalid"):
        pipe.split([message("alerts", 4, b"[]"), message("alerts", 5, b"[]")])
