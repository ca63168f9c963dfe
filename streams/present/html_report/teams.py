"""The report's per-team table: MTTR and DORA's four keys of each team over the window.

A team's numbers are computed over the team's own incidents, deploys and
changes together (docs/metrics.md, "Per team"): counts are summed, rates are
the team's totals divided, quantiles are taken over all the team's values,
never averaged over services. Owners come from ``mttr.service_owner_periods``
(an incident at its start, a deploy when it succeeded, a change when it
landed); unowned services are the team ``(unowned)``. ``team_rows`` queries,
``teams_section`` renders (pure).
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from clickhouse_connect.driver.client import Client

from streams.present.durations import human
from streams.present.html_report.shape import plain
from streams.storage.measures import REPORT_MEASURES, select_list
from streams.storage.report import UNOWNED, WITH_TEAM, ReportQuery

SINCE = "{since:DateTime64(3, 'UTC')}"
OWNER_AT = (
    "ASOF LEFT JOIN mttr.service_owner_periods AS o "
    "ON o.service = x.service AND x.{at} >= o.valid_from"
)


def _query(client: Client, sql: str, params: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result = client.query(sql, parameters=params)
    rows = [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    return {str(row.pop("team")) or UNOWNED: {k: plain(v) for k, v in row.items()} for row in rows}


def team_rows(client: Client, query: ReportQuery, now: datetime) -> list[dict[str, Any]]:
    """Return one row per team with incidents, deploys or deployed changes in the window.

    The window (``query.since``) applies to resolution, deploy months and
    deployment of changes; ``query.service`` and ``query.severity`` filter the
    incidents, and ``query.service`` the changes (deploys have no severity and
    are read per team).
    """
    params: dict[str, Any] = {}
    incidents, changes, months = ["1"], ["1"], ["1"]
    if query.since is not None:
        params["since"] = now - query.since
        incidents.append(f"resolved_at >= {SINCE}")
        changes.append(f"deployed_at >= {SINCE}")
        months.append(f"month >= toStartOfMonth(toDate({SINCE}, 'UTC'))")
    if query.service:
        params["service"] = query.service
        incidents.append("service = {service:String}")
        changes.append("service = {service:String}")
    if query.severity:
        params["severity"] = query.severity
        incidents.append("severity = {severity:String}")
    resolved = _query(
        client,
        f"SELECT team, {select_list(REPORT_MEASURES)} "
        f"FROM {WITH_TEAM} WHERE {' AND '.join(incidents)} GROUP BY team",
        params,
    )
    deploys = _query(
        client,
        "SELECT team, sum(deployments) AS deployments, "
        "sum(failed_deployments) AS failed_deployments "
        f"FROM mttr.dora_monthly_by_team WHERE {' AND '.join(months)} GROUP BY team",
        params,
    )
    lead = _query(
        client,
        "SELECT ifNull(o.team, '') AS team, count() AS changes_deployed, "
        "quantileExactInclusive(0.5)(lead_time_seconds) AS lead_time_p50_seconds "
        f"FROM (SELECT * FROM mttr.change_lead_times WHERE {' AND '.join(changes)}) AS x "
        f"{OWNER_AT.format(at='landed_at')} GROUP BY team",
        params,
    )
    rows = []
    for team in sorted({*resolved, *deploys, *lead}, key=lambda t: (t == UNOWNED, t)):
        row: dict[str, Any] = {"team": team, "incidents": 0, "deployments": 0,
                               "failed_deployments": 0, "changes_deployed": 0}  # fmt: skip
        for part in (resolved, deploys, lead):
            row.update(part.get(team, {}))
        failed, total = row["failed_deployments"], row["deployments"]
        row["change_failure_rate"] = failed / total if total else None
        rows.append(row)
    return rows


def teams_section(rows: list[dict[str, Any]]) -> str:
    """Return the HTML of the per-team table (a "no owners" note when there are no rows)."""
    head = (
        '<section class="table" id="teams"><h2>Per team</h2><p class="note">'
        "Each team's incidents (owner at the start), deploys (owner when they succeeded) and "
        "changes (owner when they landed) in the period; rates and quantiles over the team's "
        "own totals. Owners: <code>mttr owners load</code>.</p>"
    )
    if not rows:
        return head + '<p class="empty">No incidents, deploys or changes.</p></section>'
    columns = ("team", "incidents", "MTTR", "p50", "p90", "deploys", "change failure rate",
               "changes deployed", "lead time p50")  # fmt: skip
    header = "".join(f"<th>{escape(name)}</th>" for name in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(cell)}</td>"
            for cell in (
                row["team"],
                str(row["incidents"]),
                human(row.get("mttr_seconds")),
                human(row.get("p50_seconds")),
                human(row.get("p90_seconds")),
                str(row["deployments"]),
                "-" if row["change_failure_rate"] is None else f"{row['change_failure_rate']:.0%}",
                str(row["changes_deployed"]),
                human(row.get("lead_time_p50_seconds")),
            )
        )
        + "</tr>"
        for row in rows
    )
    return f"{head}<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table></section>"
