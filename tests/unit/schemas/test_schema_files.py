"""The committed JSON Schema files in schemas/json/ match the pydantic models."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from schemas.export import JSON_DIR, stale_files, write

EXPECTED_FILES = [
    "alert.schema.json",
    "change.schema.json",
    "deploy.schema.json",
    "event.schema.json",
    "ticket.schema.json",
]


def test_committed_files_are_up_to_date() -> None:
    assert stale_files() == [], "run `mttr schemas --write` and commit the result"


def test_the_expected_files_are_committed() -> None:
    assert sorted(p.name for p in JSON_DIR.glob("*.json")) == EXPECTED_FILES


@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_each_file_is_a_json_schema_with_id(name: str) -> None:
    schema = orjson.loads((JSON_DIR / name).read_bytes())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://mttr.dev/schemas/v1.1/{name}"


@pytest.mark.parametrize("kind", ["alert", "deploy", "ticket", "change"])
def test_models_forbid_unknown_fields_in_the_schema(kind: str) -> None:
    schema = orjson.loads((JSON_DIR / f"{kind}.schema.json").read_bytes())
    assert schema["additionalProperties"] is False
    assert schema["properties"]["type"]["const"] == kind


def test_stale_files_detects_a_changed_and_a_missing_file(tmp_path: Path) -> None:
    assert write(tmp_path) == EXPECTED_FILES
    assert stale_files(tmp_path) == []
    (tmp_path / "deploy.schema.json").write_bytes(b"{}\n")
    (tmp_path / "ticket.schema.json").unlink()
    assert sorted(stale_files(tmp_path)) == ["deploy.schema.json", "ticket.schema.json"]
