"""The pipeline benchmark's alert storm (bench/pipeline/storm.py) and how a run is read.

The storm must be deterministic from its seed, have the promised shape (one
key, every alert firing and resolving several times, 1% sent twice, roughly
in time order), and give exactly one incident through the engine, with the
fields ``storm.expected`` derives by hand; ``storm.check`` must accept that
incident and name what differs in a wrong one. ``storm_run.windows`` turns
progress points and CPU samples into the first and last windows' costs.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import orjson
import pytest

from bench.pipeline import storm
from bench.pipeline.contract import COMPARED_COLUMNS
from bench.pipeline.dataset import Dataset
from bench.pipeline.storm_run import cpu_at, windows
from tests.support.engine import only, run


def _sent(dataset: Dataset) -> list[dict[str, Any]]:
    return [orjson.loads(value) for _, _, value in dataset.messages]


@pytest.fixture(scope="module")
def small() -> tuple[Dataset, dict[str, Any]]:
    """A 1,000-event storm and the engine's one incident for it (the engine is slow on it)."""
    dataset = storm.build(1_000, 100)
    return dataset, only(run(_sent(dataset)))


def test_same_seed_same_messages_other_seed_other_messages() -> None:
    assert storm.build(1_000, 100).messages == storm.build(1_000, 100).messages
    assert storm.build(1_000, 100, seed=2).messages != storm.build(1_000, 100).messages


def test_shape_one_key_cycles_duplicates_and_order() -> None:
    dataset = storm.build(2_000, 200)
    sent = _sent(dataset)
    assert len(dataset.events) == 2_000
    assert len(sent) == 2_020  # 1% twice
    assert {(e["service"], e["environment"]) for e in sent} == {("storm", "production")}
    assert {key for _, key, _ in dataset.messages} == {b"storm"}
    per_alert = Counter((e["alert_id"], e["status"]) for e in dataset.events)
    assert set(per_alert.values()) == {5}  # 5 firings and 5 resolutions per alert
    assert len({alert for alert, _ in per_alert}) == 200
    assert len({e["event_id"] for e in sent}) == 2_000
    times = [datetime.fromisoformat(str(e["occurred_at"])) for e in sent]
    assert times != sorted(times)  # shuffled within blocks ...
    assert all(a <= b for a, b in zip(times[:-100:50], times[100::50], strict=False))  # ... only
    hours = (max(times) - min(times)).total_seconds() / 3600
    assert 1.5 < hours <= 2.0


def test_the_engine_makes_exactly_the_expected_incident(
    small: tuple[Dataset, dict[str, Any]],
) -> None:
    dataset, row = small
    wanted = storm.expected(dataset)
    assert wanted["alert_count"] == 100
    assert wanted["event_count"] == 1_000
    incidents = {row["incident_id"]: tuple(row[name] for name in COMPARED_COLUMNS)}
    assert storm.check(incidents, wanted) == []


def test_check_names_what_is_wrong(small: tuple[Dataset, dict[str, Any]]) -> None:
    dataset, row = small
    wanted = storm.expected(dataset)
    wrong = dict(row, event_count=999, alert_ids=row["alert_ids"][:-1])
    incidents = {row["incident_id"]: tuple(wrong[name] for name in COMPARED_COLUMNS)}
    assert storm.check(incidents, wanted) == [
        "alert_count 99, expected 100",
        "event_count 999, expected 1000",
    ]
    assert storm.check({}, wanted) == ["0 incidents instead of one"]


def test_sizes_that_cannot_make_several_cycles_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 2 cycles"):
        storm.build(1_000, 500)
    with pytest.raises(ValueError, match="at least 2 cycles"):
        storm.build(1_001, 100)


def test_windows_cost_the_first_and_last_events_between_progress_points() -> None:
    samples = [(float(t), t * 0.5) for t in range(101)]  # half a core from t = 0
    points = [(10.0, 400), (20.0, 1_000), (60.0, 4_000), (70.0, 4_600), (80.0, 5_000)]
    assert cpu_at(samples, 10.5) == pytest.approx(5.25)
    figures = windows(points, samples, joined=0.0, window=1_000, ingested=[(5.0, 5_050)])
    assert figures["first"] == {
        "from_event": 0, "to_event": 1_000, "seconds": 20.0, "cpu_us_per_event": 10_000.0,
        "ingested": 5_050,
    }  # fmt: skip
    assert figures["last"] == {
        "from_event": 4_000, "to_event": 5_000, "seconds": 20.0, "cpu_us_per_event": 10_000.0,
        "ingested": 0,
    }  # fmt: skip
    assert figures["last_over_first"] == 1.0
    assert windows(points[:1], samples, 0.0, 1_000) == {"window": 1_000, "reached": 400}
