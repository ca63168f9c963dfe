"""The performance goals, read from the results of the pipeline and scaling benchmarks.

Each goal is a measured value against a target, reported as met or missed
by how much (in the goal's unit and relative to the target), or as not
measured when its part did not run. Never asserted: the exit status of a
benchmark does not depend on its goals. ``pipeline_goals`` reads the result
dict of ``python -m bench pipeline``, ``scaling_goals`` the medians of
``python -m bench scaling``; both are written into each part's JSON, and
``python -m bench all`` prints them together at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.table import Table

FLAT = 1.2  # the storm's per-event cost is "flat" when the last window costs at most this much
STATE_AT = 100_000  # open incidents the state goal is stated for


@dataclass(frozen=True)
class Goal:
    """One goal: ``measured`` must be at least (or at most) ``target``."""

    name: str
    measured: float | None
    target: float
    at_least: bool
    unit: str  # "x" (a ratio), "%" (a share, as a fraction), "ms" or "B"
    note: str = ""
    counts: bool = True  # False: shown, not judged (a capped or wrong run)

    @property
    def met(self) -> bool | None:
        """Return whether the goal is met (None: not measured, or not judged; see ``verdict``)."""
        if self.measured is None:
            return None
        reached = self.measured >= self.target if self.at_least else self.measured <= self.target
        return None if reached and not self.counts else reached

    def show(self, value: float) -> str:
        """Return ``value`` in the goal's unit."""
        if self.unit == "x":
            return f"{value:.2f}x"
        if self.unit == "%":
            return f"{value:.0%}"
        return f"{value:,.0f} {self.unit}"

    @property
    def verdict(self) -> str:
        """Return 'met', 'missed by <gap> (<share of the target>)', 'not judged' or 'not measured'.

        A figure that does not count (a capped or wrong run) is not judged
        when it reaches the target, and still missed when even it falls short.
        """
        if self.measured is None:
            return "not measured"
        met = self.met
        if met is None:
            return "not judged"
        if met:
            return "met"
        gap = abs(self.measured - self.target)
        side = "short" if self.at_least else "over"
        return f"missed by {self.show(gap)} ({gap / self.target:.0%} {side})"

    def as_dict(self) -> dict[str, Any]:
        """Return the goal as JSON-ready values."""
        return {
            "goal": self.name,
            "measured": self.measured,
            "target": f"{'>=' if self.at_least else '<='} {self.show(self.target)}",
            "met": self.met,
            "verdict": self.verdict,
            "note": self.note,
        }


def _row(rows: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((r for r in rows if r.get("contender") == name), None)


def _ratio(ours: dict[str, Any] | None, quix: dict[str, Any] | None, column: str) -> float | None:
    if ours is None or quix is None or not quix[column]:
        return None
    return round(float(ours[column]) / float(quix[column]), 3)


def throughput_goals(rows: list[dict[str, Any]]) -> list[Goal]:
    """Return ours against Quix Streams: events/s and CPU per event (median rows)."""
    ours, quix = _row(rows, "ours"), _row(rows, "quix")
    note = "" if ours and quix else "needs ours and quix"
    counts = bool(ours and quix and ours["counts"] and quix["counts"])
    if ours and quix and not counts:
        note = "a row does not count (see the throughput table)"
    return [
        Goal("Throughput, ours / Quix Streams (events/s)",
             _ratio(ours, quix, "events_per_second"), 1.5, at_least=True, unit="x", note=note,
             counts=counts),
        Goal("CPU per event after joining, ours / Quix Streams",
             _ratio(ours, quix, "cpu_seconds_per_million"), 0.6, at_least=False, unit="x",
             note=note, counts=counts),
    ]  # fmt: skip


def storm_goals(storm: dict[str, Any] | None) -> list[Goal]:
    """Return the storm's rate against the spread-out rate, and its cost's flatness (ours)."""
    run = _row((storm or {}).get("runs", []), "ours")
    note = "storm not run" if run is None else ""
    if run is not None:
        note = "capped: rate so far, last window reached" if run.get("capped") else ""
        note = note if run.get("counts") or run.get("capped") else f"wrong: {run.get('output')}"
    window = (storm or {}).get("window", 5_000)
    counts = bool(run and run.get("counts"))
    return [
        Goal("Alert storm rate, share of the spread-out rate (ours)",
             run.get("share_of_spread") if run else None, 0.5, at_least=True, unit="%",
             note=note, counts=counts),
        Goal(f"Alert storm CPU per event, last / first {window:,} events (flat)",
             run.get("last_over_first") if run else None, FLAT, at_least=False, unit="x",
             note=note, counts=counts),
    ]  # fmt: skip


def latency_goals(latency: list[dict[str, Any]]) -> list[Goal]:
    """Return ours' p99 latency on the paced stream, on chDB and on a ClickHouse server."""
    goals = []
    for engine in ("chDB", "ClickHouse server"):
        run = next(
            (r for r in latency if r.get("contender") == "ours" and r.get("engine") == engine),
            None,
        )
        note = "not run" if run is None else str(run.get("error", ""))
        p99 = run.get("p99_ms") if run else None
        goals.append(Goal(f"p99 latency, event to row, {engine}", p99, 1000, False, "ms", note))
    return goals


def state_goal(state: dict[str, Any] | None) -> Goal:
    """Return ours' RSS per open incident (the goal is stated at 100,000 open incidents)."""
    opened = (state or {}).get("open_incidents")
    if opened is None:
        note = str((state or {}).get("error", "not run"))
    else:
        note = "" if opened == STATE_AT else f"measured at {opened:,} open incidents"
    measured = (state or {}).get("rss_bytes_per_open_incident")
    return Goal(f"State, RSS per open incident at {STATE_AT:,} open", measured, 2048, False,
                "B", note, counts=opened == STATE_AT)  # fmt: skip


def pipeline_goals(result: dict[str, Any]) -> list[Goal]:
    """Return every goal the pipeline benchmark's ``result`` dict measures."""
    return [
        *throughput_goals(result.get("throughput", [])),
        *storm_goals(result.get("storm")),
        *latency_goals(result.get("latency", [])),
        state_goal(result.get("state")),
    ]


def scaling_goals(medians: list[dict[str, Any]], partitions: int) -> list[Goal]:
    """Return the speed-ups of 2 and 3 workers over one on the server (``scaling`` medians)."""
    goals = []
    for workers, target in ((2, 1.7), (3, 2.4)):
        entry = next((e for e in medians if e["workers"] == workers), None)
        note = "" if partitions == 8 else f"{partitions} partitions (the goal is for 8)"
        if entry is not None and not entry["ok"]:
            note = "a check failed (see the scaling table)"
        speedup = entry.get("speedup") if entry else None
        goals.append(Goal(f"Scaling, {workers} workers / 1 on a ClickHouse server", speedup,
                          target, True, "x", note if entry else "not run",
                          counts=bool(entry and entry["ok"])))  # fmt: skip
    return goals


def table(goals: list[Goal], title: str = "Performance goals") -> Table:
    """Return the printed goals table: measured, target, verdict, note."""
    view = Table(title=title)
    for name in ("goal", "measured", "target", "verdict", "note"):
        view.add_column(name, justify="right" if name == "measured" else "left")
    for goal in goals:
        measured = "-" if goal.measured is None else goal.show(goal.measured)
        target = f"{'≥' if goal.at_least else '≤'} {goal.show(goal.target)}"
        view.add_row(goal.name, measured, target, goal.verdict, goal.note)
    return view
