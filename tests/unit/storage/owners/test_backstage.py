"""Backstage catalogs (storage/owners/backstage.py): Components to rows, problems by line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from streams.storage.owners.backstage import (
    catalog_files,
    parse_catalog,
    parse_catalog_file,
    team_of,
)
from streams.storage.owners.rows import BEGINNING, OwnerRow, Parsed
from tests.support.ownership import CATALOG_YAML

START = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("owner", "team"),
    [
        ("group:default/payments", "payments"),
        ("group:payments", "payments"),
        ("Group:Default/payments", "payments"),
        ("default/payments", "payments"),
        ("payments", "payments"),
        ("group:ops/payments", "ops/payments"),
        ("user:jdoe", "user:jdoe"),
        ("user:default/jdoe", "user:default/jdoe"),
    ],
)
def test_team_of_strips_the_group_kind_and_the_default_namespace(owner: str, team: str) -> None:
    assert team_of(owner) == team


def test_a_multi_document_catalog_gives_one_row_per_component() -> None:
    parsed = parse_catalog(CATALOG_YAML + "---\n", "catalog-info.yaml", START)
    assert parsed == Parsed(
        rows=(
            OwnerRow("checkout", "platform", START, "catalog-info.yaml:8"),
            OwnerRow("search", "discovery", START, "catalog-info.yaml:16"),
        ),
        ignored=1,
    )


def test_component_problems_name_their_lines() -> None:
    text = (
        "kind: Component\n"  # 1
        "metadata:\n"
        "  name: checkout\n"
        "spec:\n"
        "  type: service\n"  # no owner
        "---\n"
        "kind: component\n"  # 7: the kind in any case
        "metadata:\n"
        "  name: ''\n"  # 9: empty name
        "spec:\n"
        "  owner: group:default/payments\n"
        "---\n"
        "metadata: {name: x}\n"  # 13: no kind
        "---\n"
        "- not an entity\n"  # 15
        "---\n"
        "kind: Component\n"  # 17
        "metadata: checkout\n"  # 18: not a mapping
        "spec: {owner: [a]}\n"  # 19: not a string
    )
    parsed = parse_catalog(text, "c.yaml", BEGINNING)
    assert parsed.rows == ()
    assert [str(p) for p in parsed.problems] == [
        "c.yaml:1: spec.owner is missing",
        "c.yaml:9: metadata.name is missing",
        "c.yaml:13: kind is missing",
        "c.yaml:15: a Backstage entity is a mapping, not a list",
        "c.yaml:18: metadata must be a mapping, not a string",
        "c.yaml:17: metadata.name is missing",
        "c.yaml:19: spec.owner: must be a single value, not a list",
    ]


def test_invalid_yaml_is_one_problem() -> None:
    parsed = parse_catalog("kind: Component\nmetadata: {name: x\n", "c.yaml", BEGINNING)
    assert [str(p) for p in parsed.problems] == [
        "c.yaml:3: not valid YAML: expected ',' or '}', but got '<stream end>'"
    ]


def test_directories_are_searched_for_catalog_files(tmp_path: Path) -> None:
    for folder in ("a", "b/c", ".git/d"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "a" / "catalog-info.yaml").write_text(CATALOG_YAML, encoding="utf-8")
    (tmp_path / "b" / "c" / "catalog-info.yml").write_text("", encoding="utf-8")
    (tmp_path / "b" / "other.yaml").write_text("", encoding="utf-8")
    (tmp_path / ".git" / "d" / "catalog-info.yaml").write_text("", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    explicit = tmp_path / "b" / "other.yaml"
    files, problems = catalog_files([tmp_path, explicit, tmp_path / "empty", tmp_path / "gone"])
    assert files == [
        tmp_path / "a" / "catalog-info.yaml",
        tmp_path / "b" / "c" / "catalog-info.yml",
        explicit,
    ]
    assert [str(p) for p in problems] == [
        f"{tmp_path}/empty: no catalog-info.yaml or catalog-info.yml under it",
        f"{tmp_path}/gone: no such file or directory",
    ]
    assert parse_catalog_file(files[0], START).rows[0].origin == f"{files[0]}:8"
    assert parse_catalog_file(files[1], START) == Parsed()
