"""Objective rows (rows.py), files (files.py) and the worker's JSON form (wire.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from streams.storage.objectives.files import parse_csv, parse_objective_file, parse_yaml
from streams.storage.objectives.rows import ObjectiveRow, check_conflicts, parse_objective
from streams.storage.objectives.wire import from_body, to_body
from streams.storage.owners.rows import BEGINNING
from streams.storage.sources import diff
from tests.support.availability_cases import OBJECTIVES_CSV, OBJECTIVES_YAML

SEPTEMBER = datetime(2026, 9, 1, tzinfo=UTC)


def row(
    objective: float = 0.999,
    severity: str = "high",
    start: datetime = BEGINNING,
    origin: str = "f:1",
) -> ObjectiveRow:
    return ObjectiveRow("shop", "prod", objective, severity, start, origin)


def test_yaml_and_csv_give_the_same_rows() -> None:
    yaml = parse_yaml(OBJECTIVES_YAML, "o.yaml")
    csv = parse_csv(OBJECTIVES_CSV, "o.csv")
    assert yaml.problems == csv.problems == ()
    assert yaml.rows == (row(origin="o.yaml:2"), row(0.9995, "medium", SEPTEMBER, "o.yaml:5"))
    assert [(r.key, r.value) for r in csv.rows] == [(r.key, r.value) for r in yaml.rows]


@pytest.mark.parametrize("text", ["0.999", ".5", "0.000001", "0.999999", " 0.9 "])
def test_objectives_accepted(text: str) -> None:
    assert parse_objective(text) == float(text)


@pytest.mark.parametrize(
    "text", ["99.9", "99.9%", "1", "1.0", "0", "0.0", "0.9999999", "9.99e-1", "-0.5", "", "x"]
)
def test_objectives_refused(text: str) -> None:
    with pytest.raises(ValueError, match="must be a fraction between 0 and 1"):
        parse_objective(text)


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("- service: shop\n  objective: 0.999\n", ["f.yaml:1: environment is missing"]),
        ("- service: shop\n  environment: prod\n  objective: 99.9\n",
         ["f.yaml:3: objective: must be a fraction between 0 and 1 with at most 6 decimals, "
          "e.g. 0.999 for 99.9%"]),
        ("- service: shop\n  environment: prod\n  objective: 0.99\n  min_severity: major\n",
         ["f.yaml:4: min_severity: must be one of critical, high, medium, low"]),
        ("- service: shop\n  environment: 7\n  objective: 0.99\n  slo: x\n",
         ['f.yaml:2: environment: must be a string, not a number (quote it: "7")',
          "f.yaml:4: unknown field 'slo' (expected service, environment, objective, "
          "valid_from, min_severity)"]),
        ("- service: shop\n  environment: prod\n  objective: 0.99\n"
         "- service: shop\n  environment: prod\n  objective: 0.995\n",
         ["f.yaml:4: shop in prod from the beginning has objective 0.99 (high or worse) at "
          "f.yaml:1, here 0.995 (high or worse): give one objective per service, environment "
          "and valid_from"]),
        ("{}\n", ["f.yaml:1: the file must be a YAML list of mappings with service, "
                  "environment, objective and optional valid_from and min_severity, not a "
                  "mapping"]),
    ],
)  # fmt: skip
def test_yaml_problems(text: str, problems: list[str]) -> None:
    parsed = parse_yaml(text, "f.yaml")
    assert [str(p) for p in parsed.problems] == problems  # a load with problems loads nothing


def test_csv_needs_the_required_columns_and_repeats_are_dropped() -> None:
    parsed = parse_csv("service,objective\nshop,0.9\n", "f.csv")
    assert [str(p) for p in parsed.problems] == ["f.csv:1: the header has no 'environment' column"]
    same = parse_csv("service,environment,objective\nshop,prod,0.99\nshop,prod,0.990\n", "f.csv")
    assert same.problems == () and len(same.rows) == 1


def test_a_file_needs_a_known_suffix(tmp_path: Path) -> None:
    path = tmp_path / "slo.json"
    path.write_text("[]")
    assert [str(p) for p in parse_objective_file(path).problems] == [
        f"{path}: unknown format: name it .yaml, .yml or .csv"
    ]


def test_wire_round_trip_and_numbers() -> None:
    rows = (row(origin="rows[0]"), row(0.000001, "low", SEPTEMBER, "rows[1]"))
    source, parsed = from_body(to_body("file", rows))
    assert (source, parsed.rows, parsed.problems) == ("file", rows, ())
    body = {"source": "file", "rows": [{"service": "shop", "environment": "prod",
                                        "objective": 0.999, "min_severity": None}]}  # fmt: skip
    assert from_body(body)[1].rows == (row(origin="rows[0]"),)
    bad = {"source": "file", "rows": [{"service": "shop", "environment": "prod",
                                       "objective": True, "valid_from": 5}]}  # fmt: skip
    assert [str(p) for p in from_body(bad)[1].problems] == [
        "rows[0]: objective: must be a string, not a boolean",
        "rows[0]: valid_from: must be a string, not a number",
    ]


def test_conflicts_and_the_plan_of_a_load() -> None:
    checked = check_conflicts([row(), row(origin="f:2"), row(0.99, origin="f:3")])
    assert checked.rows == (row(),) and len(checked.problems) == 1
    current = {row().key: row().value, row(start=SEPTEMBER).key: (0.99, "high")}
    given = {row().key: row().value, row(start=SEPTEMBER).key: (0.995, "high")}
    given[("shop", "staging", BEGINNING)] = (0.9, "low")
    counts, writes = diff(current, given)
    assert counts == {"added": 1, "changed": 1, "removed": 0, "unchanged": 1}
    assert writes == [
        (("shop", "prod", SEPTEMBER), (0.995, "high"), False),
        (("shop", "staging", BEGINNING), (0.9, "low"), False),
    ]
    counts, writes = diff(current, {})
    assert counts["removed"] == 2 and all(deleted for _, _, deleted in writes)
