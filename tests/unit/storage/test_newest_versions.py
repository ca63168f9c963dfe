"""A flush writes only the newest version of each incident (incident-model.md, "Versions")."""

from __future__ import annotations

from typing import Any

from streams.storage.incident_writer import newest_versions


def _row(incident_id: str, version: int, **fields: Any) -> dict[str, Any]:
    return {"incident_id": incident_id, "version": version, **fields}


def test_superseded_versions_of_a_flush_are_not_written() -> None:
    rows = [
        _row("a", 1, status="open"),
        _row("b", 4, status="open"),
        _row("a", 2, status="open"),
        _row("a", 3, status="resolved"),
        _row("b", 4, status="open"),  # a duplicate re-emits the same version: kept once
    ]
    assert newest_versions(rows) == [_row("a", 3, status="resolved"), _row("b", 4, status="open")]


def test_a_delete_marker_is_the_newest_version_of_its_incident() -> None:
    rows = [_row("a", 1, is_deleted=0), _row("a", 2, is_deleted=1), _row("c", 1, is_deleted=0)]
    assert newest_versions(rows) == [_row("a", 2, is_deleted=1), _row("c", 1, is_deleted=0)]


def test_an_older_version_after_a_newer_one_changes_nothing() -> None:
    rows = [_row("a", 5), _row("a", 4)]
    assert newest_versions(rows) == [_row("a", 5)]
