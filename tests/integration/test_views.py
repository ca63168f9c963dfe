"""Every analytics view (sql/005-009) against an independent Python model.

One real embedded ClickHouse (chDB) is built per snapshot state (``MODES``):
the schema from the migrations, a seeded incident history
(tests/support/view_history.py) and deploy events. The history contains what
``FINAL`` has to get right: incidents written in several versions (only the
highest counts), incidents whose newest version is a delete marker (they
vanish, also as a DORA cause), one incident deleted and then re-created, and
a deploy event stored twice under the same event_id.

The expectations never come from ClickHouse: they are computed in plain
Python (tests/support/view_model.py) from the "current incidents" (per incident_id
the highest version, dropped when it is a delete marker) following
docs/metrics.md, and every column of every row of every view is compared.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from streams.engine.incident import INCIDENT_COLUMNS
from streams.ingest.rows import EVENT_COLUMNS
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from streams.storage.snapshots import in_use, refresh
from tests.support.view_history import (
    DEFAULT_TARGETS,
    HISTORY_START,
    SERVICES,
    WORKED_MONTH,
    History,
    make_history,
)
from tests.support.view_model import (
    day_of,
    expected_bucketed,
    expected_by_service_severity,
    expected_dora,
    expected_mtbf,
    expected_rolling_30d,
    expected_security,
    expected_sla,
    monday_of,
    month_of,
    mtbf_gaps,
    quantile,
    resolved,
)

pytestmark = pytest.mark.integration


def test_quantile_matches_the_documented_example() -> None:
    assert quantile([3000, 600, 1200], 0.5) == 1200
    assert quantile([3000, 600, 1200], 0.9) == pytest.approx(2640)
    assert quantile([3000, 600, 1200], 0.99) == pytest.approx(2964)
    assert quantile([5.0], 0.9) == 5.0
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.25) == pytest.approx(1.75)


@dataclass
class Database:
    client: Client
    history: History
    mode: str

    def rows(self, view: str, key: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, Any]]:
        result = self.client.query(f"SELECT * FROM mttr.{view}")
        rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in result.named_results():
            group = tuple(row.pop(k) for k in key)
            assert group not in rows, f"{view}: duplicate group {group}"
            rows[group] = row
        return rows


# How the views are read (streams/storage/snapshots.py): "live" right after migrate;
# "refreshed" from snapshots taken after every insert; "changed" from snapshots
# taken before the recent writes (newer versions and delete markers of one
# service, deploys of another, the redelivered event), which are then read
# live; "rebuilt" after a refresh that built on the "changed" state.
MODES = ("live", "refreshed", "changed", "rebuilt")
RECENT = HISTORY_START + timedelta(days=90)


def is_recent_write(row: dict[str, Any]) -> bool:
    if "incident_id" in row:
        return row["service"] == "search" and row["updated_at"] >= RECENT
    return row["service"] == "auth" and row["occurred_at"] >= RECENT


def insert(client: Client, table: str, rows: list[dict[str, Any]], columns: list[str]) -> None:
    client.insert(table, [[r[c] for c in columns] for r in rows], column_names=columns)


@pytest.fixture(scope="module", params=MODES)
def db(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Database]:
    mode = request.param
    settings = Settings(var_dir=tmp_path_factory.mktemp(f"views-{mode}") / "var")
    client = connect(settings)
    try:
        migrate(client, load_migrations())
        history = make_history()
        rows = list(history.versions)
        random.Random(7).shuffle(rows)  # versions arrive in any order, across parts
        events = history.event_rows
        held = mode in ("changed", "rebuilt")
        recent = [r for r in rows if held and is_recent_write(r)]
        rows = [r for r in rows if not (held and is_recent_write(r))]
        recent_events = [e for e in events[:-1] if held and is_recent_write(e)] + events[-1:]
        events = [e for e in events[:-1] if not (held and is_recent_write(e))]
        columns, event_columns = list(INCIDENT_COLUMNS), list(EVENT_COLUMNS)
        for part in (rows[:120], rows[120:250], rows[250:]):
            insert(client, "mttr.incidents", part, columns)
        insert(client, "mttr.events", events, event_columns)
        if held:
            refresh(client, grace_s=0)
            assert recent and len(recent_events) > 1, "the test data has no recent writes"
            insert(client, "mttr.incidents", recent, columns)
        insert(client, "mttr.events", recent_events, event_columns)
        if mode == "refreshed":
            refresh(client, grace_s=0)
        if mode == "rebuilt":
            refresh(client, full=False, grace_s=0)
        yield Database(client, history, mode)
    finally:
        client.close()


# --- comparison ----------------------------------------------------------------


def assert_same(actual: dict[Any, dict[str, Any]], expected: dict[Any, dict[str, Any]]) -> None:
    """Compare two result sets keyed by group: same groups, same columns, same values."""
    assert expected, "the model produced no rows: the test data is broken"
    missing = sorted(set(expected) - set(actual), key=str)
    extra = sorted(set(actual) - set(expected), key=str)
    assert not missing and not extra, f"missing groups {missing[:5]}, extra groups {extra[:5]}"
    problems = []
    for key, want in expected.items():
        got = actual[key]
        assert set(got) == set(want), f"{key}: columns {sorted(got)} != {sorted(want)}"
        for column, value in want.items():
            if isinstance(value, float):
                ok = isinstance(got[column], float) and got[column] == pytest.approx(
                    value, rel=1e-9, abs=1e-6
                )
            else:
                ok = got[column] == value
            if not ok:
                problems.append(f"{key} {column}: got {got[column]!r}, expected {value!r}")
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems[:20])


# --- the data really has the cases the views must handle ----------------------


def test_history_covers_the_final_cases(db: Database) -> None:
    history = db.history
    ids = [r["incident_id"] for r in history.versions]
    current = history.current
    assert 280 <= len(current) <= 300
    assert sum(ids.count(i) >= 3 for i in set(ids)) >= 5  # 3-version incidents
    deleted = {r["incident_id"] for r in history.versions} - {r["incident_id"] for r in current}
    assert len(deleted) >= 10
    assert any(r["status"] == "open" for r in current)
    assert any(r["category"] == "security" for r in resolved(current))
    assert any(gap == 0.0 for gaps in mtbf_gaps(current).values() for gap in gaps)
    assert any(r["cause_deploy_id"] for r in current)
    # FINAL sanity: one row per current incident, the redelivered event stored once
    final = db.client.query("SELECT count(), uniqExact(incident_id) FROM mttr.incidents FINAL")
    assert final.result_rows == [(len(current), len(current))]
    events = db.client.query("SELECT count() FROM mttr.events FINAL").result_rows[0][0]
    assert events == len(history.events) == len(history.event_rows) - 1


# --- the views -----------------------------------------------------------------


def test_views_read_the_snapshots_of_their_mode(db: Database) -> None:
    """Snapshot modes really serve unchanged services from the snapshot, changed ones live."""
    assert in_use(db.client) == (db.mode != "live")
    if db.mode == "live":
        return
    text = db.client.query(
        "SELECT create_table_query FROM system.tables "
        "WHERE database = 'mttr' AND name = 'dora_monthly'"
    ).result_rows[0][0]
    table = re.search(r"mttr\.dora_monthly__snapshot_\d+", text)
    blocks = [int(b) for b in re.findall(r"_block_number > (\d+)", text)][:2]  # incidents, events
    assert table and len(blocks) == 2, text
    from_snapshot = db.client.query(f"SELECT DISTINCT service FROM {table.group()}").result_rows
    changed = {
        table: {
            s
            for (s,) in db.client.query(
                f"SELECT DISTINCT service FROM mttr.{table} WHERE _block_number > {block}"
            ).result_rows
        }
        for table, block in zip(("incidents", "events"), blocks, strict=True)
    }
    assert {s for (s,) in from_snapshot} == set(SERVICES)
    if db.mode == "changed":  # search's versions and auth's deploys came after the snapshot
        redelivered = db.history.event_rows[-1]["service"]
        assert changed == {"incidents": {"search"}, "events": {"auth", redelivered}}
    else:
        assert changed == {"incidents": set(), "events": set()}


def test_mttr_by_service_severity(db: Database) -> None:
    actual = db.rows("mttr_by_service_severity", ("service", "environment", "severity"))
    assert_same(actual, expected_by_service_severity(db.history.current))


@pytest.mark.parametrize(
    ("view", "bucket_column", "bucket"),
    [
        ("mttr_daily", "day", day_of),
        ("mttr_weekly", "week", monday_of),
        ("mttr_monthly", "month", month_of),
    ],
)
def test_bucketed_views(
    db: Database, view: str, bucket_column: str, bucket: Callable[[datetime], date]
) -> None:
    actual = db.rows(view, (bucket_column, "service", "environment", "severity"))
    assert_same(actual, expected_bucketed(db.history.current, bucket))


def test_mttr_rolling_30d(db: Database) -> None:
    actual = db.rows("mttr_rolling_30d", ("day", "service", "environment", "severity"))
    expected = expected_rolling_30d(db.history.current)
    assert len(expected) > 1000
    assert_same(actual, expected)


def test_mtbf_by_service(db: Database) -> None:
    actual = db.rows("mtbf_by_service", ("service", "environment"))
    assert_same(actual, expected_mtbf(db.history.current))


def test_open_incidents(db: Database) -> None:
    before = datetime.now(UTC)
    actual = db.rows("open_incidents", ("incident_id",))
    after = datetime.now(UTC)
    columns = (
        "service",
        "environment",
        "severity",
        "category",
        "title",
        "started_at",
        "detected_at",
        "acknowledged_at",
    )
    open_now = [i for i in db.history.current if i["status"] == "open"]
    expected = {(i["incident_id"],): {c: i[c] for c in columns} for i in open_now}
    ages = {key: row.pop("age_seconds") for key, row in actual.items()}
    assert_same(actual, expected)
    for (incident_id,), age in ages.items():
        started = next(i["started_at"] for i in open_now if i["incident_id"] == incident_id)
        low = (before - started).total_seconds() - 2
        high = (after - started).total_seconds() + 2
        assert low <= age <= high, (incident_id, age, low, high)


def test_sla_compliance_with_default_targets(db: Database) -> None:
    actual = db.rows("sla_compliance", ("month", "service", "environment", "severity"))
    assert_same(actual, expected_sla(db.history.current, DEFAULT_TARGETS))


def test_sla_target_change_is_an_insert_and_survives_migrate(db: Database) -> None:
    changed = DEFAULT_TARGETS | {"high": 7200}
    current = db.history.current
    assert expected_sla(current, changed) != expected_sla(current, DEFAULT_TARGETS)
    key = ("month", "service", "environment", "severity")
    changed_at = datetime.now(UTC).replace(microsecond=0)
    columns = ["severity", "target_seconds", "updated_at"]
    db.client.insert("mttr.severity_targets", [["high", 7200, changed_at]], column_names=columns)
    try:
        assert_same(db.rows("sla_compliance", key), expected_sla(current, changed))
        migrate(db.client, load_migrations())  # re-inserts the 1970 defaults: must not win
        assert_same(db.rows("sla_compliance", key), expected_sla(current, changed))
    finally:  # restore the default for the other tests of the module
        restored_at = changed_at + timedelta(seconds=1)
        db.client.insert(
            "mttr.severity_targets", [["high", 14400, restored_at]], column_names=columns
        )
    assert_same(db.rows("sla_compliance", key), expected_sla(current, DEFAULT_TARGETS))


def test_security_mttr(db: Database) -> None:
    actual = db.rows("security_mttr", ("service", "environment", "severity"))
    assert_same(actual, expected_security(db.history.current))


def test_dora_monthly(db: Database) -> None:
    actual = db.rows("dora_monthly", ("month", "service", "environment"))
    expected = expected_dora(db.history.current, db.history.events)
    assert any(row["failed_deployments"] for row in expected.values())
    # September has deploys but no resolved incident: the median is NULL there
    # (restores.median is Nullable, so the LEFT JOIN default is NULL, not 0)
    nothing_restored = [
        k for k, r in expected.items() if r["median_time_to_restore_seconds"] is None
    ]
    assert len(nothing_restored) >= 4
    assert_same(actual, expected)


# --- the hand-computed month of docs/metrics.md (tests/support/view_history.py) ------------


def test_dora_monthly_worked_example_median_is_exact_interpolated_p50(db: Database) -> None:
    """checkout/prod, June 2026 (docs/metrics.md, dora_monthly example).

    Deploys dep-worked-0603 and -0615 -> deployments 2, 2/30 per day; an incident
    names -0603 as cause -> failed 1, rate 0.5. Restored in June: ttr 600, 1200,
    3000, 4000 (the last resolved 06-30 23:59:59.999) -> p50 at position 1.5 =
    1200 + 0.5 x 1800 = 2100 (quantileExact would say 3000, ...Low 1200). The
    incident resolved 07-01 00:00:00.000 (ttr 100000) is July's; July has no
    deploy, so no row. The month column is `month`, the month's first day.
    """
    actual = db.rows("dora_monthly", ("month", "service", "environment"))
    month = WORKED_MONTH.date()
    assert actual[(month, "checkout", "prod")] == {
        "deployments": 2,
        "deploys_per_day": pytest.approx(2 / 30),
        "failed_deployments": 1,
        "change_failure_rate": 0.5,
        "median_time_to_restore_seconds": 2100.0,
    }
    assert [key for key in actual if key[0] > month] == []


def test_sla_compliance_worked_example_month_of_resolved_at(db: Database) -> None:
    """checkout/prod critical (target 3600 s): June has ttr 600, 1200, 3000, 4000 ->
    4 incidents, 1 breached (4000 > 3600), rate 0.25; the one resolved 2026-07-01
    00:00:00.000 UTC (ttr 100000) is July's: 1 of 1 breached.
    """
    actual = db.rows("sla_compliance", ("month", "service", "environment", "severity"))
    june, july = WORKED_MONTH.date(), date(2026, 7, 1)
    assert actual[(june, "checkout", "prod", "critical")] == {
        "target_seconds": 3600,
        "incidents": 4,
        "breached": 1,
        "breach_rate": 0.25,
    }
    assert actual[(july, "checkout", "prod", "critical")] == {
        "target_seconds": 3600,
        "incidents": 1,
        "breached": 1,
        "breach_rate": 1.0,
    }
