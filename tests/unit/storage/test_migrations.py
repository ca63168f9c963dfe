"""SQL migrations: statement splitting and the rules every sql/*.sql file follows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from streams.errors import ConfigError
from streams.storage.clickhouse import load_migrations, split_statements
from tests.support.paths import ROOT

SQL_DIR = ROOT / "sql"


# --- split_statements -------------------------------------------------------------------


def test_single_statement_without_semicolon() -> None:
    assert list(split_statements("SELECT 1")) == ["SELECT 1"]


def test_multiple_statements() -> None:
    text = "CREATE TABLE a (x Int8) ENGINE = Memory;\nCREATE TABLE b (y Int8) ENGINE = Memory;\n"
    assert list(split_statements(text)) == [
        "CREATE TABLE a (x Int8) ENGINE = Memory",
        "CREATE TABLE b (y Int8) ENGINE = Memory",
    ]


def test_multi_line_statement_keeps_its_lines() -> None:
    text = "CREATE TABLE t\n(\n    x Int8\n)\nENGINE = Memory;\n"
    assert list(split_statements(text)) == ["CREATE TABLE t\n(\n    x Int8\n)\nENGINE = Memory"]


def test_comment_lines_are_removed() -> None:
    text = (
        "-- header comment; with a semicolon;\n"
        "SELECT 1;\n"
        "    -- indented comment\n"
        "SELECT\n"
        "  -- inside a statement\n"
        "  2;\n"
    )
    assert list(split_statements(text)) == ["SELECT 1", "SELECT\n  2"]


def test_trailing_whitespace_and_blank_lines() -> None:
    text = "\n\nSELECT 1;   \n\n\t\nSELECT 2;\t\n   \n"
    assert list(split_statements(text)) == ["SELECT 1", "SELECT 2"]


def test_semicolon_at_end_of_text_without_newline() -> None:
    assert list(split_statements("SELECT 1;\nSELECT 2;")) == ["SELECT 1", "SELECT 2"]


def test_semicolon_inside_a_string_not_at_line_end_does_not_split() -> None:
    text = "INSERT INTO t VALUES ('a;b', 'c; d');\nSELECT 2;\n"
    assert list(split_statements(text)) == ["INSERT INTO t VALUES ('a;b', 'c; d')", "SELECT 2"]


def test_only_comments_and_whitespace_yield_nothing() -> None:
    assert list(split_statements("-- nothing here\n\n   \n-- still nothing;\n")) == []


def test_crlf_line_endings() -> None:
    assert list(split_statements("SELECT 1;\r\nSELECT 2;\r\n")) == ["SELECT 1", "SELECT 2"]


def test_trailing_comment_after_semicolon() -> None:
    text = "SELECT 1; -- the first\nSELECT 2;\n"
    assert list(split_statements(text)) == ["SELECT 1", "SELECT 2"]


# --- load_migrations --------------------------------------------------------------------


def test_loads_every_sql_file_in_sorted_order() -> None:
    migrations = load_migrations()
    names = [m.name for m in migrations]
    assert names == sorted(p.name for p in SQL_DIR.glob("*.sql"))
    assert names[:2] == ["001_database.sql", "002_events.sql"]


def test_file_names_are_numbered_and_unique() -> None:
    names = [m.name for m in load_migrations()]
    for name in names:
        assert re.fullmatch(r"\d{3}_[a-z0-9_]+\.sql", name), name
    numbers = [name[:3] for name in names]
    assert len(numbers) == len(set(numbers)), f"duplicate migration numbers: {numbers}"


IDEMPOTENT_CREATE = re.compile(
    r"CREATE\s+OR\s+REPLACE\s"  # CREATE OR REPLACE VIEW ...
    r"|CREATE\s+(?:[A-Z]+\s+){1,3}IF\s+NOT\s+EXISTS\s",  # CREATE [MATERIALIZED] VIEW IF NOT ...
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    ("statement", "idempotent"),
    [
        ("CREATE DATABASE IF NOT EXISTS mttr ENGINE = Atomic", True),
        ("CREATE TABLE IF NOT EXISTS mttr.t (x Int8) ENGINE = Memory", True),
        ("CREATE MATERIALIZED VIEW IF NOT EXISTS mttr.v TO mttr.t AS SELECT 1", True),
        ("CREATE OR REPLACE VIEW mttr.v AS SELECT 1", True),
        ("CREATE TABLE mttr.t (x Int8) ENGINE = Memory", False),
        ("CREATE VIEW mttr.v AS SELECT 'IF NOT EXISTS '", False),
    ],
)
def test_idempotency_rule_itself(statement: str, idempotent: bool) -> None:
    assert bool(IDEMPOTENT_CREATE.match(statement)) is idempotent


def test_every_create_is_idempotent() -> None:
    for migration in load_migrations():
        assert migration.statements, f"{migration.name} holds no statements"
        for statement in migration.statements:
            if re.match(r"CREATE\b", statement, re.IGNORECASE):
                assert IDEMPOTENT_CREATE.match(statement), (
                    f"{migration.name}: not idempotent: {statement.splitlines()[0]}"
                )


def test_no_statement_contains_comment_lines_or_semicolons_at_line_end() -> None:
    for migration in load_migrations():
        for statement in migration.statements:
            for line in statement.splitlines():
                assert not line.lstrip().startswith("--"), (migration.name, line)
                assert not line.rstrip().endswith(";"), (migration.name, line)


def test_001_creates_the_atomic_database() -> None:
    first = load_migrations()[0]
    assert first.name == "001_database.sql"
    assert first.statements[0] == "CREATE DATABASE IF NOT EXISTS mttr ENGINE = Atomic"


def test_002_creates_the_events_table() -> None:
    events = next(m for m in load_migrations() if m.name == "002_events.sql")
    assert len(events.statements) == 1
    assert events.statements[0].startswith("CREATE TABLE IF NOT EXISTS mttr.events\n(")
    assert events.statements[0].endswith(
        "ENGINE = ReplacingMergeTree(ingested_at)\nORDER BY event_id"
    )


def test_checksum_is_the_content_hash(tmp_path: Path) -> None:
    (tmp_path / "001_a.sql").write_text("SELECT 1;\n", encoding="utf-8")
    first = load_migrations(tmp_path)[0]
    (tmp_path / "001_a.sql").write_text("SELECT 2;\n", encoding="utf-8")
    second = load_migrations(tmp_path)[0]
    assert first.checksum != second.checksum
    # printf 'SELECT 1;\n' | sha256sum | cut -c1-16
    assert first.checksum == "b4e0497804e46e0a"


def test_folder_order_is_by_file_name(tmp_path: Path) -> None:
    for name in ["010_c.sql", "002_b.sql", "001_a.sql"]:
        (tmp_path / name).write_text(f"SELECT '{name}';\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("not a migration", encoding="utf-8")
    assert [m.name for m in load_migrations(tmp_path)] == ["001_a.sql", "002_b.sql", "010_c.sql"]


def test_empty_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no migrations found in"):
        load_migrations(tmp_path)
