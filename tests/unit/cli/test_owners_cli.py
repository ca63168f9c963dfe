"""``mttr owners`` without a database: help, line-numbered problems and exit codes, ``--check``.

A file with a problem is refused before ClickHouse is opened, so none is
needed here; loading is tested on real ClickHouse in tests/integration/test_owners.py.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from tests.support.ownership import CATALOG_YAML, OWNERS_YAML
from tests.support.reference_loads import (
    assert_invalid_options_exit_2,
    assert_options_have_help,
    run_cli,
)

run = partial(run_cli, "owners")


@pytest.mark.parametrize("command", ["load", "import-backstage", "list"])
def test_every_option_has_help(command: str) -> None:
    assert_options_have_help("owners", command)


@pytest.mark.parametrize(
    ("name", "text", "errors"),
    [
        ("bad.yaml", "- service: checkout\n  team: payments\n- service: search\n",
         ["{path}:3: team is missing"]),
        ("bad.yaml", "- service: checkout\n  team: payments\n  valid_from: 2026-03-15 10:00\n",
         ["{path}:3: valid_from: must be an RFC 3339 string with a UTC offset, "
          "e.g. 2026-03-01T12:00:00Z"]),
        ("bad.yaml", "- service: checkout\n  team: payments\n  owner: x\n",
         ["{path}:3: unknown field 'owner' (expected service, team, valid_from)"]),
        ("bad.yaml", "- service: checkout\n  team: a\n  valid_from: 2026-03-15T00:00:00Z\n"
                     "- service: checkout\n  team: b\n  valid_from: 2026-03-15T01:00:00+01:00\n",
         ["{path}:4: checkout from 2026-03-15T00:00:00Z is owned by 'a' at {path}:1, here by "
          "'b': give one team per service and valid_from"]),
        ("bad.yaml", "- service: checkout\n  team: [payments\n",
         ["{path}:3: not valid YAML: expected ',' or ']', but got '<stream end>'"]),
        ("bad.csv", "service,team,valid_from\ncheckout,,\n", ["{path}:2: team is missing"]),
        ("bad.csv", "service,team,valid_from\ncheckout,a,15/03/2026\n",
         ["{path}:2: valid_from: must be an RFC 3339 string with a UTC offset, "
          "e.g. 2026-03-01T12:00:00Z"]),
        ("bad.csv", "service,team,since\n",
         ["{path}:1: unknown column 'since' (expected service,team,valid_from)"]),
        ("bad.csv", "service,team,valid_from\ncheckout,a,\nsearch,s,\ncheckout,b,\n",
         ["{path}:4: checkout from the beginning is owned by 'a' at {path}:2, here by 'b': "
          "give one team per service and valid_from"]),
    ],
)  # fmt: skip
def test_a_bad_file_prints_every_problem_with_its_line_and_exits_1(
    tmp_path: Path, name: str, text: str, errors: list[str]
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, out, err = run("load", str(path))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        *(f"error: {e.format(path=path)}" for e in errors),
        f"error: {len(errors)} problems in {name}; nothing loaded",
    ]


def test_check_validates_without_a_database(tmp_path: Path) -> None:
    path = tmp_path / "owners.yaml"
    path.write_text(OWNERS_YAML, encoding="utf-8")
    code, out, _ = run("load", "--check", str(path))
    assert (code, out) == (0, "owners.yaml: 2 valid ownership periods; nothing written\n")
    catalog = tmp_path / "catalog-info.yaml"
    catalog.write_text(CATALOG_YAML, encoding="utf-8")
    code, out, _ = run("import-backstage", "--check", str(tmp_path))
    assert (code, out) == (
        0,
        "1 catalog files (1 other entities ignored): 2 valid ownership periods; nothing written\n",
    )


def test_backstage_problems_and_conflicts_across_files(tmp_path: Path) -> None:
    for folder, owner in (("a", "group:payments"), ("b", "group:default/storefront")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "catalog-info.yaml").write_text(
            f"kind: Component\nmetadata:\n  name: checkout\nspec:\n  owner: {owner}\n"
        )
    (tmp_path / "c.yaml").write_text("kind: Component\nmetadata: {name: search}\n")
    code, _, err = run("import-backstage", str(tmp_path), str(tmp_path / "c.yaml"))
    assert code == 1
    first, second = (tmp_path / f / "catalog-info.yaml" for f in "ab")
    assert err.splitlines() == [
        f"error: {tmp_path / 'c.yaml'}:1: spec.owner is missing",
        f"error: {second}:1: checkout from the beginning is owned by 'payments' at {first}:1, "
        "here by 'storefront': give one team per service and valid_from",
        "error: 2 problems in 3 catalog files (0 other entities ignored); nothing loaded",
    ]


def test_invalid_options_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "owners.yaml"
    assert_invalid_options_exit_2("owners", path, OWNERS_YAML)
    code, _, err = run("import-backstage", "--valid-from", "2026-03-01", str(path))
    assert code == 2 and "Invalid value for '--valid-from': must be an RFC 3339 string" in err
