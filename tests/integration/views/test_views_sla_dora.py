"""The SLA, security and DORA views against the model, a changed SLA target, and the
hand-computed month of docs/metrics.md (tests/support/view_worked_month.py).

docs/metrics.md (``sla_compliance``, ``security_mttr``, ``dora_monthly`` and
their examples).

Each test runs once per snapshot state of the views (``MODES``: live,
refreshed, changed, rebuilt), on the databases built by ``db`` in
tests/integration/views/conftest.py; expectations come from the Python model
(tests/support/view_model.py), never from ClickHouse.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from streams.storage.clickhouse import load_migrations, migrate
from tests.support.view_database import Database, assert_same
from tests.support.view_history import DEFAULT_TARGETS
from tests.support.view_model import expected_dora, expected_security, expected_sla
from tests.support.view_worked_month import WORKED_MONTH

pytestmark = pytest.mark.integration


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


# --- the hand-computed month of docs/metrics.md (tests/support/view_worked_month.py) ------


def test_dora_monthly_worked_example_median_is_exact_interpolated_p50(db: Database) -> None:
    """checkout/prod, June 2026 (docs/metrics.md, dora_monthly example).

    Deploys dep-worked-0603 and -0615 -> deployments 2, 2/30 per day (the remediation
    run rem-worked-0610 is no deployment); an incident names -0603 as cause -> failed
    1, rate 0.5. Restored in June: ttr 600, 1200, 3000, 4000 (the last resolved
    06-30 23:59:59.999) -> p50 at position 1.5 =
    1200 + 0.5 x 1800 = 2100 (quantileExact would say 3000, ...Low 1200). The
    incident resolved 07-01 00:00:00.000 (ttr 100000) is July's; July has only a
    remediation run (rem-worked-0702), no deployment, so no row. The month column
    is `month`, the month's first day. No change is deployed in June (lead times NULL);
    the incident caused by -0603 (succeeded 09:00) was resolved 09:40: recovery 2400 s.
    """
    actual = db.rows("dora_monthly", ("month", "service", "environment"))
    month = WORKED_MONTH.date()
    assert actual[(month, "checkout", "prod")] == {
        "deployments": 2,
        "deploys_per_day": pytest.approx(2 / 30),
        "failed_deployments": 1,
        "change_failure_rate": 0.5,
        "median_time_to_restore_seconds": 2100.0,
        "changes_deployed": 0,
        "lead_time_p50_seconds": None,
        "lead_time_p90_seconds": None,
        "failed_deployment_recovery_p50_seconds": 2400.0,
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
