"""The provisioned Grafana dashboards: loading them, their panel targets and template variables.

``load_dashboards()`` reads grafana/provisioning/dashboards/json/, ``panels()``
and ``panel_queries()`` walk them (collapsed rows included); ``Variable`` and
``TimeRange`` are what a panel query is expanded with (``textbox()`` a textbox
variable), ``custom_options()`` the values of a custom variable.
tests/support/grafana_queries.py expands the SQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.support.paths import ROOT

DASHBOARD_DIR = ROOT / "grafana" / "provisioning" / "dashboards" / "json"
DATASOURCE = {"type": "grafana-clickhouse-datasource", "uid": "mttr-clickhouse"}
# sqlds/plugin-sdk FormatQueryOption: 0 = time series, 1 = table (2 logs, 3 trace, 4 multi).
FORMAT_TIME_SERIES, FORMAT_TABLE = 0, 1
ALL = "$__all"


@dataclass(frozen=True)
class Variable:
    """A multi-value template variable: its options and the current selection.

    ``text``: a textbox variable instead (no options; ``selected`` holds at most
    its one value, None or empty meaning the empty box).
    """

    name: str
    options: tuple[str, ...]
    selected: tuple[str, ...] | None = None  # None: "All"
    text: bool = False

    @property
    def current_value(self) -> str:
        """Return ``current.value.toString()`` as the plugin sees it."""
        if self.text:
            return self.selected[0] if self.selected else ""
        return ALL if self.selected is None else ",".join(self.selected)

    @property
    def values(self) -> list[str]:
        """Return the values substituted for the variable ("All": every option)."""
        return list(self.options if self.selected is None else self.selected)

    @property
    def value(self) -> str | list[str]:
        """Return the value Grafana formats: a textbox's string, else the list of values."""
        return self.current_value if self.text else self.values


@dataclass(frozen=True)
class TimeRange:
    """The dashboard time range and the panel interval Grafana computed for it."""

    start: datetime
    end: datetime
    interval_s: int


@dataclass(frozen=True)
class PanelQuery:
    """One target of one panel."""

    dashboard: str
    panel: dict[str, Any]
    target: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.dashboard}: {self.panel['title']} [{self.target['refId']}]"


def load_dashboards() -> dict[str, dict[str, Any]]:
    """Return every provisioned dashboard JSON by file name."""
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(DASHBOARD_DIR.glob("*.json"))
    }


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield every panel, including those nested in collapsed rows."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def panel_queries(dashboards: dict[str, dict[str, Any]]) -> list[PanelQuery]:
    """Return every target of every panel of every dashboard."""
    return [
        PanelQuery(dashboard["uid"], panel, target)
        for dashboard in dashboards.values()
        for panel in panels(dashboard)
        for target in panel.get("targets", [])
    ]


def textbox(name: str, value: str = "") -> Variable:
    """Return a textbox variable holding ``value`` ("" : the empty box)."""
    return Variable(name, (), (value,) if value else None, text=True)


def named_query(uid: str, title: str, ref_id: str = "A") -> PanelQuery:
    """Return the target ``ref_id`` of the panel titled ``title`` of dashboard ``uid``."""
    return next(
        q
        for q in panel_queries(load_dashboards())
        if q.dashboard == uid and q.panel["title"] == title and q.target["refId"] == ref_id
    )


def selection(
    uid: str, options: dict[str, tuple[str, ...]], **selected: tuple[str, ...] | str
) -> dict[str, Variable]:
    """Return the variables of dashboard ``uid``: those in ``selected`` set, others All/empty.

    ``options`` are the variables' options; a textbox is given its value as a string.
    """
    dashboard = next(d for d in load_dashboards().values() if d["uid"] == uid)
    variables: dict[str, Variable] = {}
    for definition in dashboard["templating"]["list"]:
        name, chosen = definition["name"], selected.get(definition["name"])
        if definition["type"] == "textbox":
            variables[name] = textbox(name, str(chosen or ""))
        else:
            variables[name] = Variable(
                name, options[name], None if chosen is None else tuple(chosen)
            )
    return variables


def custom_options(query: str) -> tuple[str, ...]:
    """Return the values of a custom variable (``a,b`` or ``text : value`` items)."""
    items = [item.strip() for item in re.split(r"(?<!\\),", query) if item.strip()]
    return tuple(item.split(" : ", 1)[-1].strip() for item in items)
