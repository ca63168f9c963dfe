"""``mttr objectives`` without a database: help, line-numbered problems, ``--check``.

A file with a problem is refused before ClickHouse is opened; loading is tested
on real ClickHouse in tests/integration/test_availability.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from streams.cli import main
from tests.support.availability_cases import OBJECTIVES_CSV, OBJECTIVES_YAML

# pointed at nothing, so a test that wrongly got as far as loading fails loudly
ENV = {"MTTR_CLICKHOUSE_URL": "http://127.0.0.1:9/", "MTTR_WEB_PORT": "9"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["objectives", *args], env=ENV)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("command", ["load", "list"])
def test_every_option_has_help(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    options = [line.strip() for line in out.splitlines() if line.strip().startswith("--")]
    assert options and all(len(line.split("  ")) > 1 for line in options), out
    assert "MTTR_CLICKHOUSE_URL" in out


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
    path = tmp_path / "slo.yaml"
    path.write_text(OBJECTIVES_YAML, encoding="utf-8")
    code, _, err = run("load", "--source", " ", str(path))
    assert code == 2 and "Invalid value for '--source': must not be blank" in err
    code, _, err = run("list", "--at", "yesterday")
    assert code == 2 and "Invalid value for '--at'" in err
