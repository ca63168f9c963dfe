"""Ingest's per-partition progress and the input watermark derived from it."""

from __future__ import annotations

from streams.ingest.decode import Origin
from streams.ingest.progress import WATERMARK_HEADER, SourceOffsets, SourceProgress, parse_watermark

ALERTS0, TICKETS0 = ("alerts", 0), ("tickets", 0)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def progress(stall_s: float = 30.0) -> tuple[SourceProgress, Clock]:
    clock = Clock()
    return SourceProgress(stall_s=stall_s, clock=clock), clock


def test_no_assignment_means_caught_up() -> None:
    tracker, _ = progress()
    assert tracker.watermark() is None
    assert tracker.lagging() == {}


def test_unread_partition_with_messages_holds_the_watermark_at_zero() -> None:
    """tickets[0] has offsets 0-9 and nothing was read from it: it could hold anything."""
    tracker, _ = progress()
    tracker.update_offsets(SourceOffsets(ends={ALERTS0: 5, TICKETS0: 10}, starts={}))
    tracker.observe(Origin("alerts", 0, 4), 5_000)
    assert tracker.lagging() == {TICKETS0: 0}
    assert tracker.watermark() == 0


def test_partition_starting_at_its_end_is_caught_up() -> None:
    """Committed offset 10 = end 10 (restart with nothing new): nothing holds back."""
    tracker, _ = progress()
    tracker.update_offsets(SourceOffsets(ends={TICKETS0: 10}, starts={TICKETS0: 10}))
    assert tracker.watermark() is None


def test_lagging_partitions_report_their_newest_event_time() -> None:
    """alerts[0] read to offset 2 (newest 9 000 ms) of 5; tickets[0] to 7 (newest 3 000) of
    10: watermark = min(9 000, 3 000). An out-of-order older event does not lower it.
    """
    tracker, _ = progress()
    tracker.update_offsets(SourceOffsets(ends={ALERTS0: 5, TICKETS0: 10}, starts={}))
    tracker.observe_all(
        [
            (Origin("alerts", 0, 0), 1_000),
            (Origin("alerts", 0, 1), 9_000),
            (Origin("alerts", 0, 2), 8_000),
            (Origin("tickets", 0, 7), 3_000),
        ]
    )
    assert tracker.lagging() == {ALERTS0: 9_000, TICKETS0: 3_000}
    assert tracker.watermark() == 3_000
    tracker.observe(Origin("tickets", 0, 9), 4_000)  # tickets[0] done (next offset 10 = end)
    assert tracker.watermark() == 9_000
    tracker.observe(Origin("alerts", 0, 4), None)  # an invalid message ends alerts[0]
    assert tracker.watermark() is None


def test_new_messages_make_a_caught_up_partition_lag_again() -> None:
    tracker, _ = progress()
    tracker.update_offsets(SourceOffsets(ends={ALERTS0: 1}, starts={}))
    tracker.observe(Origin("alerts", 0, 0), 7_000)
    assert tracker.watermark() is None
    tracker.update_offsets(SourceOffsets(ends={ALERTS0: 3}, starts={}))
    assert tracker.watermark() == 7_000


def test_revoked_partitions_are_forgotten() -> None:
    tracker, _ = progress()
    tracker.update_offsets(SourceOffsets(ends={ALERTS0: 5, TICKETS0: 10}, starts={}))
    tracker.observe(Origin("tickets", 0, 1), 3_000)
    tracker.update_offsets(SourceOffsets(ends={ALERTS0: 5}, starts={ALERTS0: 5}))
    assert tracker.watermark() is None
    tracker.update_offsets(
        SourceOffsets(ends={ALERTS0: 5, TICKETS0: 10}, starts={ALERTS0: 5, TICKETS0: 4})
    )
    assert tracker.lagging() == {TICKETS0: 0}  # assigned again: progress starts afresh


def test_partition_stuck_below_its_end_counts_as_caught_up_after_the_stall_time() -> None:
    """Position 9 of end 10 with nothing delivered for 30 s (e.g. a transaction marker)."""
    tracker, clock = progress(stall_s=30.0)
    tracker.update_offsets(SourceOffsets(ends={ALERTS0: 10}, starts={}))
    tracker.observe(Origin("alerts", 0, 8), 2_000)
    assert tracker.watermark() == 2_000
    clock.now += 29.9
    assert tracker.watermark() == 2_000
    clock.now += 0.1
    assert tracker.watermark() is None
    tracker.update_offsets(SourceOffsets(ends={ALERTS0: 11}, starts={}))  # a new message
    assert tracker.watermark() == 2_000


def test_parse_watermark_header() -> None:
    assert parse_watermark([("source_topic", b"alerts"), (WATERMARK_HEADER, b"1234")]) == 1234
    assert parse_watermark([("source_topic", b"alerts")]) is None
    assert parse_watermark(None) is None
    assert parse_watermark([(WATERMARK_HEADER, b"soon")]) is None
