"""`mttr demo` (what `make demo` runs) end to end: report printed, nothing left running.

The printed MTTR table must be what `mttr report --format json` returns from the
database the demo keeps.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from streams.devtools.simulate import service_names
from streams.present.availability import signed
from streams.present.durations import human
from streams.present.summary import REPORT_DURATIONS
from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.processes import mttr

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in args:
            found.append(args)
    return found


def test_demo_reports_and_cleans_up(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    result = mttr("demo", settings=Settings(var_dir=var_dir), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "simulating 90 days of 12 services (seed 1)" in out
    assert re.search(r"mttr\.events \(\d{4,} events\)", out)
    # the sample's incidents, worked out in docs/incident-model.md
    assert "incidents of events.jsonl" in out
    # checkout: TTD 2m 10s, TTA 3m 55s, TTM 14m, TTR 17m 40s, caused by checkout-412
    assert "checkout/production" in out
    assert "17m 40s" in out and "3m 55s" in out and "checkout-412" in out and "rollback" in out
    assert "43m 20s" in out  # search: 02:15 -> 02:58:20
    assert "1h 5m" in out  # auth: 14:00 -> 15:05
    assert out.count("dead-letter <-") == 3
    assert "nothing left running" in out
    assert _processes_mentioning(str(var_dir)) == []
    leftovers = subprocess.run(["pgrep", "-f", f"{var_dir}"], capture_output=True, check=False)
    assert leftovers.stdout == b""

    # the report it printed is `mttr report` on the kept database
    demo_dir = var_dir / "demo"
    assert not (demo_dir / "kafka").exists()
    html = demo_dir / "report.html"
    assert f"HTML report (opens offline): {html}" in out.replace("\n", "")
    assert html.stat().st_size > 10_000
    report = mttr("report", "--format", "json", settings=Settings(var_dir=demo_dir))
    assert report.returncode == 0, report.stderr
    rows = json.loads(report.stdout)
    assert {row["service"] for row in rows} >= set(service_names(12))
    table = _report_lines(out)
    for row in rows:
        key = (row["service"], row["environment"], row["severity"])
        assert table[key][:2] == [str(row["incidents"]), human(row["mttr_seconds"])], key
        assert table[key][2:] == [human(row[name]) for name in REPORT_DURATIONS[1:]], key
    assert "owners of 12 services loaded through the worker (owners.yaml)" in out
    assert "DORA's four keys per team, production" in out
    client = connect(Settings(var_dir=demo_dir))
    try:
        teams = client.query(
            "SELECT team, sum(changes_deployed), countIf(lead_time_p50_seconds > 0) "
            "FROM mttr.dora_monthly_by_team WHERE environment = 'production' GROUP BY team"
        ).result_rows
        pending = client.query("SELECT count() FROM mttr.pending_changes").result_rows[0][0]
    finally:
        client.close()
    assert {team for team, _, _ in teams} == {
        "payments", "discovery", "identity", "platform", "fulfilment"
    }  # fmt: skip
    assert all(changes > 0 and months > 0 for _, changes, months in teams), teams
    assert pending > 0

    # availability: the sample objectives, loaded through the worker, for the last
    # full month and the current one, as `mttr report --section availability` gives them
    assert "12 availability objectives loaded through the worker (objectives.yaml)" in out
    assert "No availability objectives" not in out
    printed = _availability_lines(out)
    months = sorted({month for month, _, _ in printed})
    assert len(months) == 2 and months[0] < months[1]
    critical = {"checkout", "payments", "cart", "auth"}
    for service in service_names(12):
        for month in months:
            cells = printed[(month, service, "production")]
            assert cells[3] == ("99.9%" if service in critical else "99.5%"), (month, service)
    availability = mttr(
        "report", "--section", "availability", "--format", "json",
        settings=Settings(var_dir=demo_dir),
    )  # fmt: skip
    assert availability.returncode == 0, availability.stderr
    for row in json.loads(availability.stdout):
        key = (row["month"][:7], row["service"], row["environment"])
        if key[0] not in months:
            continue
        cells = printed.pop(key)
        assert cells[0] == row["team"]
        assert cells[3:5] == [f"{row['objective'] * 100:g}%", human(row["error_budget_seconds"])]
        if key[0] == months[0]:  # the last full month is over: its numbers no longer change
            consumed = (
                f"{human(row['budget_consumed_seconds'])} ({row['budget_consumed_ratio']:.0%})"
            )
            assert cells[1:3] == [human(row["downtime_seconds"]),
                                  f"{row['availability'] * 100:.3f}%"], key  # fmt: skip
            assert cells[5:] == [consumed, signed(row["budget_remaining_seconds"])], key
    assert printed == {}  # the demo printed exactly the report's rows of those months

    # the retrospective: last month's reviews where one is required, the top recurring failures
    last = months[0]
    assert f"Reviews (postmortems) of the incidents resolved in {last}" in out
    required = [
        row for row in _section(demo_dir, "reviews")
        if row["month"][:7] == last and row["review_required"]
    ]  # fmt: skip
    assert required and sum(row["reviewed"] for row in required) > 0
    counts = ("resolved", "review_required", "reviewed", "reviewed_on_time", "overdue")
    assert _review_lines(out, last) == {
        (r["service"], r["environment"], r["severity"]): [str(r[name]) for name in counts]
        for r in required
    }
    recurring = _section(demo_dir, "recurring")[:8]
    tail = out.split("Recurring failures, most recurrences within 30 days first", 1)[1]
    assert recurring and all(row["fingerprint"] in tail for row in recurring)


def _section(demo_dir: Path, section: str) -> list[dict[str, Any]]:
    """Rows of `mttr report --section SECTION --format json` on the demo's database."""
    answer = mttr(
        "report", "--section", section, "--format", "json", settings=Settings(var_dir=demo_dir)
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    rows: list[dict[str, Any]] = json.loads(answer.stdout)
    return rows


def _review_lines(out: str, month: str) -> dict[tuple[str, str, str], list[str]]:
    """The counts of the printed review table's rows of ``month``, by (service, env, severity)."""
    section = out.split("Reviews (postmortems) of the incidents resolved in", 1)[1]
    section = section.split("Recurring failures", 1)[0]
    cells: dict[tuple[str, str, str], list[str]] = {}
    for line in section.splitlines():
        parts = [part.strip() for part in line.strip("│ ").split("│")]
        if len(parts) == 11 and parts[0] == month:
            cells[(parts[1], parts[2], parts[3])] = parts[4:9]
    return cells


def _availability_lines(out: str) -> dict[tuple[str, str, str], list[str]]:
    """Cells after (month, service, env) of the printed availability table."""
    section = out.split("Availability and error budgets, last month and this month", 1)[1]
    cells: dict[tuple[str, str, str], list[str]] = {}
    for line in section.splitlines():
        parts = [part.strip() for part in line.strip("│ ").split("│")]
        if len(parts) == 10 and re.fullmatch(r"\d{4}-\d{2}", parts[0]):
            cells[(parts[0], parts[1], parts[2])] = parts[3:]
    return cells


def _report_lines(out: str) -> dict[tuple[str, str, str], list[str]]:
    """Cells of the printed "MTTR by service and severity" table, by (service, env, severity)."""
    section = out.split("MTTR by service and severity", 1)[1]
    cells: dict[tuple[str, str, str], list[str]] = {}
    for line in section.splitlines():
        parts = [part.strip() for part in line.strip("│ ").split("│")]
        if len(parts) == 9 and parts[3].isdigit():
            cells[(parts[0], parts[1], parts[2])] = parts[3:]
    return cells


def test_demo_on_a_clickhouse_server(tmp_path: Path) -> None:
    """``mttr demo --clickhouse server``: the same pipeline through ``mttr clickhouse``."""
    var_dir = tmp_path / "var"
    args = ("demo", "--clickhouse", "server", "--services", "2", "--days", "14")
    result = mttr(*args, settings=Settings(var_dir=var_dir), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "migrating ClickHouse (server http://mttr@127.0.0.1:" in out
    assert "17m 40s" in out and "checkout-412" in out and "1h 5m" in out
    assert out.count("dead-letter <-") == 3
    assert "stopped Kafka, ClickHouse and the worker; nothing left running" in out
    assert _processes_mentioning(str(var_dir)) == []
    server_dir = var_dir / "demo" / "clickhouse-server"
    assert f"mttr clickhouse start --data-dir {server_dir}" in out.replace("\n", "")
    assert (server_dir / "data").is_dir()
