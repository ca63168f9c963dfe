"""The terminal table of DORA's four keys per team and month (``mttr.dora_monthly_by_team``)."""

from __future__ import annotations

from clickhouse_connect.driver.client import Client
from rich.table import Table

from streams.present.durations import human
from streams.storage.report import UNOWNED


def dora_team_table(client: Client, environment: str = "production", months: int = 3) -> Table:
    """Return the four keys of each team in ``environment`` for its latest ``months`` months.

    Numbers are the view's (docs/metrics.md, "Per team"): rates from the team's
    totals, quantiles over the team's changes and incidents. Unowned services
    are the team ``(unowned)``.
    """
    rows = client.query(
        "SELECT month, team, deployments, deploys_per_day, change_failure_rate, "
        "changes_deployed, lead_time_p50_seconds, lead_time_p90_seconds, "
        "median_time_to_restore_seconds, failed_deployment_recovery_p50_seconds "
        "FROM mttr.dora_monthly_by_team WHERE environment = {environment:String} "
        "AND dateDiff('month', month, (SELECT max(month) FROM mttr.dora_monthly_by_team)) "
        "< {months:UInt32} "
        "ORDER BY month DESC, team = '', team",
        parameters={"environment": environment, "months": months},
    ).result_rows
    table = Table(title=f"DORA's four keys per team, {environment} (mttr.dora_monthly_by_team)")
    columns = ("month", "team", "deploys", "per day", "change failure", "changes",
               "lead time p50", "lead time p90", "restore p50", "recovery p50")  # fmt: skip
    for column in columns:
        table.add_column(column, no_wrap=True)
    for month, team, deploys, per_day, failure, changes, p50, p90, restore, recovery in rows:
        table.add_row(
            f"{month:%Y-%m}", team or UNOWNED, str(deploys), f"{per_day:.2f}",
            "-" if failure is None else f"{failure:.0%}", str(changes), human(p50), human(p90),
            human(restore), human(recovery),
        )  # fmt: skip
    return table
