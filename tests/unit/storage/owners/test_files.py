"""Ownership files (streams/storage/owners/files.py): exact rows, every problem with its line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from streams.storage.owners.files import parse_csv, parse_owner_file, parse_yaml
from streams.storage.owners.rows import BEGINNING, OwnerRow, Parsed

MARCH_15 = datetime(2026, 3, 15, tzinfo=UTC)
TIME_HINT = "must be an RFC 3339 string with a UTC offset, e.g. 2026-03-01T12:00:00Z"


def problems(parsed: Parsed) -> list[str]:
    return [str(problem) for problem in parsed.problems]


def test_yaml_rows_with_and_without_valid_from() -> None:
    text = (
        "# owners\n"
        "- service: checkout\n"
        "  team: payments\n"
        "- service: checkout\n"
        "  team: storefront\n"
        "  valid_from: 2026-03-15T01:00:00.1239+01:00\n"  # unquoted: YAML's timestamp tag
        "- {service: search, team: discovery, valid_from: null}\n"
        '- service: "42"\n'
        "  team: 'ops'\n"
        '  valid_from: "2026-03-15T00:00:00Z"\n'
    )
    assert parse_yaml(text, "o.yaml") == Parsed(
        rows=(
            OwnerRow("checkout", "payments", BEGINNING, "o.yaml:2"),
            OwnerRow("checkout", "storefront", MARCH_15.replace(microsecond=123000), "o.yaml:4"),
            OwnerRow("search", "discovery", BEGINNING, "o.yaml:7"),
            OwnerRow("42", "ops", MARCH_15, "o.yaml:8"),
        )
    )


def test_yaml_problems_name_their_lines() -> None:
    text = (
        "- service: checkout\n"  # 1
        "  team: payments\n"
        "- service: search\n"  # 3
        "  team:\n"  # 4: missing team
        "- service: auth\n"
        "  team: 42\n"  # 6: a number
        "  valid_from: 2026-03-15\n"  # 7: a date
        "- service: x\n"
        "  team: t\n"
        "  owner: y\n"  # 10: unknown field
        "- service: a\n"
        "  service: b\n"  # 12: repeated key
        "  team: c\n"
        "- just a string\n"  # 14
        "- service: checkout\n"  # 15: same period, other team
        "  team: storefront\n"
        "- service: checkout\n"  # 17: same period, same team: dropped quietly
        "  team: payments\n"
        "- service: ' '\n"  # 19: blank
        "  team: [a, b]\n"  # 20: a list
        "  valid_from: 2026-03-15T00:00:00\n"  # 21: no offset
    )
    parsed = parse_yaml(text, "o.yaml")
    assert parsed.rows == (OwnerRow("checkout", "payments", BEGINNING, "o.yaml:1"),)
    assert problems(parsed) == [
        "o.yaml:4: team is missing",
        'o.yaml:6: team: must be a string, not a number (quote it: "42")',
        f"o.yaml:7: valid_from: {TIME_HINT}",
        "o.yaml:10: unknown field 'owner' (expected service, team, valid_from)",
        "o.yaml:12: 'service' is given twice (also at line 11)",
        "o.yaml:14: each item must be a mapping with service, team and optional valid_from, "
        "not a string",
        "o.yaml:15: checkout from the beginning is owned by 'payments' at o.yaml:1, here by "
        "'storefront': give one team per service and valid_from",
        "o.yaml:19: service: must not be blank",
        "o.yaml:20: team: must be a single value, not a list",
        "o.yaml:21: valid_from: timestamp has no UTC offset (naive timestamps are rejected; "
        "add Z or +HH:MM)",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "o.yaml: empty: the file must be a YAML list of mappings with service, team and "
             "optional valid_from ([] for none)"),
        ("service: checkout\nteam: x\n", "o.yaml:1: the file must be a YAML list of mappings "
         "with service, team and optional valid_from, not a mapping"),
        ("- service: [checkout\n", "o.yaml:2: not valid YAML: expected ',' or ']', but got "
         "'<stream end>'"),
        ("- service: a\n  team: b\n---\n- service: c\n  team: d\n", "o.yaml:4: a second YAML "
         "document: the file must be a YAML list of mappings with service, team and optional "
         "valid_from"),
    ],
)  # fmt: skip
def test_yaml_file_shape_problems(text: str, problem: str) -> None:
    assert problems(parse_yaml(text, "o.yaml")) == [problem]


def test_empty_yaml_list_is_no_rows() -> None:
    assert parse_yaml("[]\n", "o.yaml") == Parsed()


def test_csv_rows_columns_in_any_order_and_blank_lines() -> None:
    text = (
        "\ufeffteam, service ,valid_from\r\n"
        "payments,checkout,\r\n"
        "\r\n"
        'storefront,checkout,"2026-03-15T00:00:00Z"\r\n'
    )
    assert parse_csv(text.removeprefix("\ufeff"), "o.csv") == Parsed(
        rows=(
            OwnerRow("checkout", "payments", BEGINNING, "o.csv:2"),
            OwnerRow("checkout", "storefront", MARCH_15, "o.csv:4"),
        )
    )
    assert parse_csv("service,team\nsearch,discovery\n", "o.csv").rows == (
        OwnerRow("search", "discovery", BEGINNING, "o.csv:2"),
    )


def test_csv_problems_name_their_lines() -> None:
    text = (
        "service,team,valid_from\n"
        "checkout,payments,\n"
        "search,,\n"  # 3
        "auth,sre,yesterday\n"  # 4
        "x,y\n"  # 5
        '"multi\nline",t,\n'  # 6-7: a quoted line break is a control character
        "checkout,storefront,1970-01-01T00:00:00Z\n"  # 8: the beginning, written out
    )
    parsed = parse_csv(text, "o.csv")
    assert parsed.rows == (OwnerRow("checkout", "payments", BEGINNING, "o.csv:2"),)
    assert problems(parsed) == [
        "o.csv:3: team is missing",
        f"o.csv:4: valid_from: {TIME_HINT}",
        "o.csv:5: 2 fields, the header has 3 (service,team,valid_from)",
        "o.csv:6: service: must not contain control characters or line breaks",
        "o.csv:8: checkout from the beginning is owned by 'payments' at o.csv:2, here by "
        "'storefront': give one team per service and valid_from",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("service,owner,valid_from\n", ["o.csv:1: unknown column 'owner' (expected "
         "service,team,valid_from)", "o.csv:1: the header has no 'team' column"]),
        ("service,team,team\n", ["o.csv:1: column 'team' is given twice"]),
        ("", ["o.csv: empty: the file needs the header line service,team,valid_from"]),
        ('service,team\n"a,b\n', ["o.csv:2: not valid CSV: unexpected end of data"]),
    ],
)  # fmt: skip
def test_csv_header_and_syntax_problems(text: str, expected: list[str]) -> None:
    assert problems(parse_csv(text, "o.csv")) == expected


def test_csv_with_only_its_header_is_no_rows() -> None:
    assert parse_csv("service,team,valid_from\n", "o.csv") == Parsed()


def test_the_suffix_picks_the_format(tmp_path: Path) -> None:
    (tmp_path / "o.YML").write_text("- {service: a, team: b}\n", encoding="utf-8")
    (tmp_path / "o.csv").write_bytes(b"\xef\xbb\xbfservice,team\na,b\n")
    (tmp_path / "o.json").write_text("[]", encoding="utf-8")
    (tmp_path / "latin.csv").write_bytes(b"service,team\nk\xf6ln,b\n")
    assert parse_owner_file(tmp_path / "o.YML").rows[0].origin == f"{tmp_path}/o.YML:1"
    assert parse_owner_file(tmp_path / "o.csv").rows[0].service == "a"
    assert problems(parse_owner_file(tmp_path / "o.json")) == [
        f"{tmp_path}/o.json: unknown format: name it .yaml, .yml or .csv"
    ]
    assert problems(parse_owner_file(tmp_path / "latin.csv")) == [
        f"{tmp_path}/latin.csv:2: not UTF-8 text"
    ]
