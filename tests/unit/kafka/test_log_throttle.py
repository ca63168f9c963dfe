"""RepeatThrottle: one line per kind of client message per interval, with a count of repeats."""

from __future__ import annotations

import logging

import pytest

from streams.kafka.log_throttle import RepeatThrottle, throttle_client_logs


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def record(
    msg: str, *args: object, name: str = "aiokafka.conn", level: int = logging.ERROR
) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_info_records_are_never_dropped() -> None:
    """Rebalance history (INFO) must stay complete: who owned which partition when."""
    throttle = RepeatThrottle(interval=30, clock=Clock())
    line = "Setting newly assigned partitions %s for group %s"
    assert all(
        throttle.filter(record(line, {i}, "g", name="aiokafka.consumer", level=logging.INFO))
        for i in range(5)
    )


def test_first_passes_repeats_dropped_then_counted() -> None:
    clock = Clock()
    throttle = RepeatThrottle(interval=30, clock=clock)
    shown = []
    for step in range(61):  # 0.0 .. 6.0 s after the first: one every 100 ms
        clock.now = 1000.0 + step * 0.1
        rec = record("Unable connect to node with id %s: %s", 1, "refused")
        if throttle.filter(rec):
            shown.append(rec.getMessage())
    assert shown == ["Unable connect to node with id 1: refused"]
    clock.now = 1031.0
    rec = record("Unable connect to node with id %s: %s", 1, "refused")
    assert throttle.filter(rec)
    assert rec.getMessage() == (
        "Unable connect to node with id 1: refused [60 more like this in the last 31s not shown]"
    )


def test_kinds_are_throttled_separately() -> None:
    throttle = RepeatThrottle(interval=30, clock=Clock())
    assert throttle.filter(record("Unable to update metadata from %s", [1]))
    assert throttle.filter(record("Heartbeat failed: %s", "x", name="aiokafka.consumer"))
    assert throttle.filter(record("Unable to update metadata from %s", [1], name="aiokafka.x"))
    assert not throttle.filter(record("Unable to update metadata from %s", [2]))


def test_percent_in_arguments_survives_the_count_suffix() -> None:
    clock = Clock()
    throttle = RepeatThrottle(interval=1, clock=clock)
    assert throttle.filter(record("failed: %s", "100% busy"))
    assert not throttle.filter(record("failed: %s", "100% busy"))
    clock.now += 2
    rec = record("failed: %s", "100% busy")
    assert throttle.filter(rec)
    assert rec.getMessage() == "failed: 100% busy [1 more like this in the last 2s not shown]"


def test_installed_on_the_client_loggers(caplog: pytest.LogCaptureFixture) -> None:
    throttle = throttle_client_logs(interval=60)
    try:
        with caplog.at_level(logging.ERROR, logger="aiokafka"):
            for _ in range(50):
                logging.getLogger("aiokafka.conn").error("Unable connect to node with id %s", 1)
        assert [r.getMessage() for r in caplog.records] == ["Unable connect to node with id 1"]
    finally:
        for name in list(logging.Logger.manager.loggerDict):
            if name.startswith("aiokafka"):
                logging.getLogger(name).removeFilter(throttle)
        logging.getLogger("aiokafka").removeFilter(throttle)
