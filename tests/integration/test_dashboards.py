"""Every panel query of every provisioned dashboard, run on chDB against seeded data.

Each target's ``rawSql`` is expanded as Grafana and the ClickHouse plugin
expand it (tests/support/grafana_queries.py: ``$__conditionalAll``, template
variables, time macros) for a fixed time range covering the seed, with the
variables set to All, to one value and to two values, and must return rows.
Time-series targets (format 0) must return a time column first, sorted
ascending, then numbers, optionally with string label columns (Grafana turns
such a "long" frame into one series per label). A column named like a filter
variable holds only selected values.

The seed has every service x environment x severity with resolved incidents
(some above their SLA target, some caused by a deploy), one open incident
each, incidents re-written in several versions and incidents deleted by a
marker version, so that a query reading incidents without FINAL shows up as
duplicates or wrong counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from schemas.events import SEVERITIES
from streams.engine.incident import INCIDENT_COLUMNS
from streams.ingest.rows import EVENT_COLUMNS
from streams.settings import Settings
from streams.storage.clickhouse import connect, load_migrations, migrate
from tests.support.grafana_queries import (
    FORMAT_TIME_SERIES,
    PanelQuery,
    TimeRange,
    Variable,
    custom_options,
    expand,
    load_dashboards,
    panel_queries,
)

pytestmark = pytest.mark.integration

SERVICES = ("checkout", "payments", "search")
ENVIRONMENTS = ("prod", "staging")
TARGETS = {"critical": 3600, "high": 14400, "medium": 86400, "low": 259200}
START = datetime(2025, 9, 1, tzinfo=UTC)  # a Monday
DAYS = 70
# The dashboard time range and a plausible panel interval for it.
TIME = TimeRange(START, START + timedelta(days=DAYS + 7), 3 * 3600)

DASHBOARDS = {d["uid"]: d for d in load_dashboards().values()}
QUERIES = panel_queries(load_dashboards())
SELECTIONS = ("all", "one", "two")
TIME_TYPES = {"Date", "Date32", "DateTime", "DateTime64"}
NUMERIC_PREFIXES = ("Int", "UInt", "Float", "Decimal", "Bool")
STRING_TYPES = {"String", "FixedString"}


# --- seed ------------------------------------------------------------------------


@dataclass
class Seed:
    """The rows inserted, and the incidents FINAL must return."""

    incident_rows: list[dict[str, Any]]
    event_rows: list[dict[str, Any]]

    @property
    def current(self) -> list[dict[str, Any]]:
        newest: dict[str, dict[str, Any]] = {}
        for row in self.incident_rows:
            kept = newest.get(row["incident_id"])
            if kept is None or row["version"] > kept["version"]:
                newest[row["incident_id"]] = row
        return [row for row in newest.values() if not row["is_deleted"]]


def incident(
    incident_id: str,
    key: tuple[str, str, str],
    started: datetime,
    ttr_s: float | None,
    *,
    tta_s: float | None = 90.0,
    cause: str | None = None,
) -> dict[str, Any]:
    """Return one incident row (version 1); ``ttr_s`` None makes it open."""
    service, environment, severity = key
    ttd_s = 30.0
    detected = started + timedelta(seconds=ttd_s)
    resolved = None if ttr_s is None else started + timedelta(seconds=ttr_s)
    ttm_s = None if ttr_s is None else ttr_s / 2
    return {
        "incident_id": incident_id,
        "service": service,
        "environment": environment,
        "status": "open" if ttr_s is None else "resolved",
        "severity": severity,
        "category": "availability",
        "title": f"{service} {severity} trouble ({incident_id})",
        "started_at": started,
        "detected_at": detected,
        "acknowledged_at": None if tta_s is None else detected + timedelta(seconds=tta_s),
        "identified_at": None,
        "mitigated_at": None if ttm_s is None else started + timedelta(seconds=ttm_s),
        "resolved_at": resolved,
        "ttd_seconds": ttd_s,
        "tta_seconds": tta_s,
        "tti_seconds": None,
        "ttm_seconds": ttm_s,
        "ttr_seconds": ttr_s,
        "alert_count": 2,
        "alert_ids": [f"{incident_id}-a1", f"{incident_id}-a2"],
        "ticket_ids": [],
        "event_count": 3,
        "cause_deploy_id": cause,
        "fix_deploy_id": None,
        "repair_action": None,
        "reopen_count": 0,
        "completed": 0 if ttr_s is None else 1,
        "quality_flags": [],
        "is_deleted": 0,
        "version": 1,
        "updated_at": resolved or started,
    }


def deploy(deploy_id: str, service: str, environment: str, at: datetime) -> dict[str, Any]:
    return {
        "event_id": f"ev-{deploy_id}",
        "type": "deploy",
        "service": service,
        "environment": environment,
        "occurred_at": at,
        "source": "ci",
        "status": "succeeded",
        "subject_id": deploy_id,
        "severity": None,
        "category": None,
        "kind": "release",
        "raw": f'{{"deploy_id":"{deploy_id}"}}',
        "kafka_topic": "deploys",
        "kafka_partition": 0,
        "kafka_offset": 0,
        "ingested_at": at + timedelta(seconds=1),
    }


def make_seed() -> Seed:
    """Return a deterministic history: four resolved incidents and one open per key."""
    incidents: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for service, environment in product(SERVICES, ENVIRONMENTS):
        for day in range(0, DAYS, 5):  # a deploy every five days, none of them failed
            at = START + timedelta(days=day, hours=10)
            events.append(deploy(f"dep-{service}-{environment}-{day}", service, environment, at))
    for c, key in enumerate(product(SERVICES, ENVIRONMENTS, SEVERITIES)):
        service, environment, severity = key
        for k, share in enumerate((0.4, 0.9, 1.3, 2.1)):  # k = 2, 3 breach the SLA target
            started = START + timedelta(hours=(c * 29 + k * 389) % (DAYS * 24))
            cause = None
            if k == 0:  # caused by a deploy ten minutes earlier
                cause = f"dep-{service}-{environment}-cause-{c}"
                events.append(deploy(cause, service, environment, started - timedelta(minutes=10)))
            row = incident(
                f"inc-{c:02d}-{k}",
                key,
                started,
                TARGETS[severity] * share,
                tta_s=None if k == 3 else 60.0 + c,
                cause=cause,
            )
            if k == 1:  # first written open with another severity, then resolved
                other = SEVERITIES[(SEVERITIES.index(severity) + 1) % len(SEVERITIES)]
                early = incident(row["incident_id"], (service, environment, other), started, None)
                incidents.append(early)
                row = dict(row, version=2)
            incidents.append(row)
            if k == 2 and c % 4 == 0:  # then merged away: the delete marker hides it
                incidents.append(dict(row, version=row["version"] + 1, is_deleted=1))
        opened = START + timedelta(days=DAYS) - timedelta(hours=c + 1)
        incidents.append(incident(f"open-{c:02d}", key, opened, None))
    events.append(dict(events[0], ingested_at=events[0]["ingested_at"] + timedelta(minutes=1)))
    return Seed(incidents, events)


@dataclass
class Database:
    client: Client
    seed: Seed


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    client = connect(Settings(var_dir=tmp_path_factory.mktemp("dashboards") / "var"))
    try:
        migrate(client, load_migrations())
        seed = make_seed()
        for table, columns, rows in (
            ("mttr.incidents", INCIDENT_COLUMNS, seed.incident_rows),
            ("mttr.events", EVENT_COLUMNS, seed.event_rows),
        ):
            # consecutive versions of an incident land in different parts: only FINAL merges them
            for part in (rows[::2], rows[1::2]):
                client.insert(
                    table, [[r[c] for c in columns] for r in part], column_names=list(columns)
                )
        yield Database(client, seed)
    finally:
        client.close()


# --- variables -------------------------------------------------------------------


def variable_options(db: Database, definition: dict[str, Any]) -> tuple[str, ...]:
    """Run a query variable's SQL (or parse a custom one) and return its option values."""
    if definition["type"] == "custom":
        return custom_options(definition["query"])
    sql = expand(definition["query"], {}, TIME)
    result = db.client.query(sql)
    assert len(result.column_names) == 1, f"${definition['name']}: one column expected"
    return tuple(str(row[0]) for row in result.result_rows)


@pytest.fixture(scope="module")
def options(db: Database) -> dict[str, dict[str, tuple[str, ...]]]:
    """Return the options of every variable, per dashboard uid."""
    return {
        uid: {v["name"]: variable_options(db, v) for v in d["templating"]["list"]}
        for uid, d in DASHBOARDS.items()
    }


def selected_variables(
    dashboard_options: dict[str, tuple[str, ...]], selection: str
) -> dict[str, Variable]:
    """Return every variable set to All, to its first option or to its first two."""
    count = {"all": None, "one": 1, "two": 2}[selection]
    return {
        name: Variable(name, values, None if count is None else values[:count])
        for name, values in dashboard_options.items()
    }


def test_variable_options_come_from_the_data(options: dict[str, Any]) -> None:
    for uid, dashboard_options in options.items():
        assert dashboard_options["service"] == SERVICES, uid
        assert dashboard_options["environment"] == ENVIRONMENTS, uid
        assert dashboard_options["severity"] == SEVERITIES, f"{uid}: severity order"
    assert options["mttr-incident-drilldown"]["status"] == ("open", "resolved")


# --- every panel ---------------------------------------------------------------------


def base_type(column_type: Any) -> str:
    return str(column_type.base_type)


def is_numeric(column_type: Any) -> bool:
    return base_type(column_type).startswith(NUMERIC_PREFIXES)


def run(db: Database, query: PanelQuery, variables: dict[str, Variable]) -> Any:
    sql = expand(query.target["rawSql"], variables, TIME)
    try:
        return db.client.query(sql)
    except Exception as exc:  # show the SQL that failed
        pytest.fail(f"{query.name} failed: {exc}\n--- expanded SQL ---\n{sql}")


def check_time_series(name: str, result: Any) -> None:
    """Check a format-0 result: time first (ascending), then numbers or string labels."""
    types = [base_type(t) for t in result.column_types]
    assert types[0] in TIME_TYPES, f"{name}: first column {types[0]}, expected a time"
    times = [row[0] for row in result.result_rows]
    assert None not in times, f"{name}: NULL time"
    assert times == sorted(times), f"{name}: rows must be sorted by time"
    rest = list(zip(result.column_names[1:], result.column_types[1:], strict=True))
    numeric = [column for column, kind in rest if is_numeric(kind)]
    other = [(c, base_type(k)) for c, k in rest if not is_numeric(k)]
    assert numeric, f"{name}: no numeric column"
    assert all(kind in STRING_TYPES for _, kind in other), f"{name}: columns {other}"


@pytest.mark.parametrize("selection", SELECTIONS)
@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_panel_query_returns_data(
    db: Database, options: dict[str, Any], query: PanelQuery, selection: str
) -> None:
    variables = selected_variables(options[query.dashboard], selection)
    result = run(db, query, variables)
    name = f"{query.name} ({selection})"
    assert result.row_count > 0, f"{name}: no rows"
    numeric = [i for i, t in enumerate(result.column_types) if is_numeric(t)]
    values = [row[i] for row in result.result_rows for i in numeric]
    assert any(v is not None for v in values), f"{name}: no numeric value"
    if query.target["format"] == FORMAT_TIME_SERIES:
        check_time_series(name, result)
    for column, variable in variables.items():
        if column in result.column_names:
            shown = set(result.result_columns[result.column_names.index(column)])
            assert shown <= set(variable.values), f"{name}: {column} {shown} not selected"
    if "incident_id" in result.column_names:
        ids = result.result_columns[result.column_names.index("incident_id")]
        assert len(ids) == len(set(ids)), f"{name}: an incident listed twice"


def named_query(uid: str, title: str) -> PanelQuery:
    return next(q for q in QUERIES if q.dashboard == uid and q.panel["title"] == title)


def matches(row: dict[str, Any], variables: dict[str, Variable]) -> bool:
    return all(row[name] in v.values for name, v in variables.items() if name in row)


@pytest.mark.parametrize("selection", SELECTIONS)
def test_drilldown_lists_every_current_incident_once(
    db: Database, options: dict[str, Any], selection: str
) -> None:
    uid = "mttr-incident-drilldown"
    variables = selected_variables(options[uid], selection)
    result = run(db, named_query(uid, "Incidents"), variables)
    listed = result.result_columns[result.column_names.index("incident_id")]
    expected = {r["incident_id"] for r in db.seed.current if matches(r, variables)}
    assert sorted(listed) == sorted(expected)
    summary = run(db, named_query(uid, "Incidents in the time range"), variables)
    assert summary.first_item["incidents"] == len(expected)


@pytest.mark.parametrize("selection", SELECTIONS)
def test_overview_counts_open_incidents_once(
    db: Database, options: dict[str, Any], selection: str
) -> None:
    uid = "mttr-overview"
    variables = selected_variables(options[uid], selection)
    expected = {
        r["incident_id"] for r in db.seed.current if r["status"] == "open" and matches(r, variables)
    }
    count = run(db, named_query(uid, "Open incidents"), variables)
    assert count.first_item["open_incidents"] == len(expected) > 0
    listed = run(db, named_query(uid, "Open incidents, oldest first"), variables)
    assert sorted(listed.result_columns[0]) == sorted(expected)
