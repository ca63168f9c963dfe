"""The view tests' model and data: the documented quantile, the FINAL cases the seeded
history must contain, and the snapshot each mode really reads.

docs/metrics.md ("Snapshots" and the quantile example).

Each test runs once per snapshot state of the views (``MODES``: live,
refreshed, changed, rebuilt), on the databases built by ``db`` in
tests/integration/views/conftest.py; expectations come from the Python model
(tests/support/view_model.py), never from ClickHouse.
"""

from __future__ import annotations

import re

import pytest

from streams.storage.snapshots import in_use
from tests.support.view_database import Database
from tests.support.view_history import SERVICES
from tests.support.view_model import mtbf_gaps, quantile, resolved

pytestmark = pytest.mark.integration


def test_quantile_matches_the_documented_example() -> None:
    assert quantile([3000, 600, 1200], 0.5) == 1200
    assert quantile([3000, 600, 1200], 0.9) == pytest.approx(2640)
    assert quantile([3000, 600, 1200], 0.99) == pytest.approx(2964)
    assert quantile([5.0], 0.9) == 5.0
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.25) == pytest.approx(1.75)


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
    table = re.search(r"mttr\.dora_monthly__snapshot_\d+_\w+", text)
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
