"""The row rules (rows.py), the worker's JSON form (wire.py) and a load's plan (``diff``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from streams.storage.owners.rows import (
    BEGINNING,
    Given,
    OwnerRow,
    Problem,
    check_conflicts,
    check_row,
    describe_start,
    format_time,
    parse_time,
    team_label,
)
from streams.storage.owners.wire import from_body, to_body
from streams.storage.sources import diff

MARCH_15 = datetime(2026, 3, 15, tzinfo=UTC)


def row(service: str, team: str, valid_from: datetime = BEGINNING, origin: str = "f:1") -> OwnerRow:
    return OwnerRow(service, team, valid_from, origin)


def test_check_row_normalises_valid_from_to_utc_milliseconds() -> None:
    given = {
        "service": Given("checkout", "f:3"),
        "team": Given("payments", "f:4"),
        "valid_from": Given("2026-03-15T02:00:00.9999+02:00", "f:5"),
    }
    start = MARCH_15.replace(microsecond=999000)
    assert check_row(given, "f:2") == row("checkout", "payments", start, "f:2")


@pytest.mark.parametrize(
    ("given", "problems"),
    [
        ({}, ["f:1: service is missing", "f:1: team is missing"]),
        ({"service": Given("a", "f:2"), "team": Given("x" * 129, "f:3")},
         ["f:3: team: String should have at most 128 characters"]),
        ({"service": Given("a\tb", "f:2"), "team": Given("t", "f:3"),
          "valid_from": Given("1969-12-31T23:59:59Z", "f:4")},
         ["f:2: service: must not contain control characters or line breaks",
          "f:4: valid_from: timestamp 1969-12-31T23:59:59+00:00 is outside 1970-01-01 .. "
          "2100-01-01"]),
        ({"service": Given("a", "f:2"), "team": Given(None, "f:3", "must be a string"),
          "Team": Given("t", "f:4")},
         ["f:4: unknown field 'Team' (expected service, team, valid_from)",
          "f:3: team: must be a string"]),
    ],
)  # fmt: skip
def test_check_row_problems(given: dict[str, Given], problems: list[str]) -> None:
    result = check_row(given, "f:1")
    assert isinstance(result, list)
    assert [str(p) for p in result] == problems


def test_conflicts_keep_the_first_row_and_name_both_places() -> None:
    rows = [row("a", "x", origin="f:1"), row("a", "x", origin="f:2"), row("a", "y", origin="f:3"),
            row("a", "y", MARCH_15, "f:4")]  # fmt: skip
    checked = check_conflicts(rows)
    assert checked.rows == (rows[0], rows[3])
    assert checked.problems == (
        Problem("f:3", "a from the beginning is owned by 'x' at f:1, here by 'y': give one team "
                "per service and valid_from"),
    )  # fmt: skip


def test_times_and_labels() -> None:
    assert format_time(MARCH_15) == "2026-03-15T00:00:00Z"
    assert format_time(MARCH_15.replace(microsecond=5000)) == "2026-03-15T00:00:00.005Z"
    assert describe_start(BEGINNING) == "from the beginning"
    assert describe_start(MARCH_15) == "from 2026-03-15T00:00:00Z"
    assert parse_time("2026-03-15T01:00:00+01:00") == MARCH_15
    with pytest.raises(ValueError, match="must be an RFC 3339 string"):
        parse_time("2026-03-15")
    assert team_label("") == "(unowned)" and team_label("payments") == "payments"


def test_the_json_form_round_trips() -> None:
    rows = (row("checkout", "payments"), row("checkout", "storefront", MARCH_15))
    body = to_body("file", rows)
    assert body == {
        "source": "file",
        "rows": [
            {"service": "checkout", "team": "payments", "valid_from": "1970-01-01T00:00:00Z"},
            {"service": "checkout", "team": "storefront", "valid_from": "2026-03-15T00:00:00Z"},
        ],
    }
    source, parsed = from_body(body)
    assert source == "file"
    assert parsed.problems == ()
    assert [(r.service, r.team, r.valid_from, r.origin) for r in parsed.rows] == [
        ("checkout", "payments", BEGINNING, "rows[0]"),
        ("checkout", "storefront", MARCH_15, "rows[1]"),
    ]


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        ([], ["body: must be a JSON object with source and rows"]),
        ({"rows": [], "extra": 1}, ["extra: unknown field (expected source and rows)",
                                    "source: must be a string, e.g. file"]),
        ({"source": " ", "rows": {}}, ["source: must not be blank", "rows: must be a list of "
                                       "objects with service, team and optional valid_from"]),
        ({"source": "file", "rows": [1, {"service": "a", "team": 5, "valid_from": None},
                                     {"service": "a", "team": "t"}, {"service": "a", "team": "u"}]},
         ["rows[0]: must be an object with service, team and optional valid_from",
          "rows[1]: team: must be a string, not a number",
          "rows[3]: a from the beginning is owned by 't' at rows[2], here by 'u': give one team "
          "per service and valid_from"]),
    ],
)  # fmt: skip
def test_invalid_json_bodies(body: object, problems: list[str]) -> None:
    assert [str(p) for p in from_body(body)[1].problems] == problems


def test_plan_writes_only_the_difference() -> None:
    current = {("a", BEGINNING): "x", ("a", MARCH_15): "y", ("b", BEGINNING): "z"}
    rows = [row("a", "x"), row("a", "w", MARCH_15), row("c", "v")]
    assert diff(current, {r.key: r.value for r in rows}) == (
        {"added": 1, "changed": 1, "removed": 1, "unchanged": 1},
        [
            (("a", MARCH_15), "w", False),
            (("b", BEGINNING), "z", True),
            (("c", BEGINNING), "v", False),
        ],
    )
    again = [row("a", "x"), row("a", "y", MARCH_15), row("b", "z")]
    assert diff(current, {r.key: r.value for r in again})[1] == []
    assert diff({}, {}) == ({"added": 0, "changed": 0, "removed": 0, "unchanged": 0}, [])
