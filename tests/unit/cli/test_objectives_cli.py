"""``mttr objectives`` without a database: help, line-numbered problems, ``--check``.

A file with a problem is refused before ClickHouse is opened; loading is tested
on real ClickHouse in tests/integration/test_availability.py.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from tests.support.availability_cases import OBJECTIVES_CSV, OBJECTIVES_YAML
from tests.support.reference_loads import (
    assert_invalid_options_exit_2,
    assert_options_have_help,
    run_cli,
)

run = partial(run_cli, "objectives")


@pytest.mark.parametrize("command", ["load", "list"])
def test_every_option_has_help(command: str) -> None:
    assert_options_have_help("objectives", command)


@pytest.mark.parametrize(
    ("name", "text"), [("slo.yaml", OBJECTIVES_YAML), ("slo.csv", OBJECTIVES_CSV)]
)
def test_check_validates_without_a_database(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, out, _ = run("load", "--check", str(path))
    assert (code, out) == (0, f"{name}: 2 valid objective periods; nothing written\n")


def test_a_bad_file_prints_every_problem_with_its_line_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "slo.csv"
    path.write_text(
        "service,environment,objective,valid_from\nshop,prod,99.9,\nshop,,0.99,yesterday\n",
        encoding="utf-8",
    )
    code, out, err = run("load", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"error: {path}:2: objective: must be a fraction between 0 and 1 with at most 6 "
        "decimals, e.g. 0.999 for 99.9%",
        f"error: {path}:3: environment is missing",
        f"error: {path}:3: valid_from: must be an RFC 3339 string with a UTC offset, "
        "e.g. 2026-03-01T12:00:00Z",
        "error: 3 problems in slo.csv; nothing loaded",
    ]


def test_invalid_options_exit_2(tmp_path: Path) -> None:
    assert_invalid_options_exit_2("objectives", tmp_path / "slo.yaml", OBJECTIVES_YAML)
