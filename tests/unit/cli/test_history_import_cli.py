"""``mttr import``: the sources it lists, and ``--dry-run`` printing events without Kafka.

streams/cli/history_import.py; docs/sources/import.md.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from streams.cli import main
from tests.support.paths import FIXTURES

ENV = {"MTTR_OPSGENIE_SERVICE_TAG_PREFIX": "service="}


def test_the_help_lists_every_source() -> None:
    result = CliRunner().invoke(main, ["import", "--help"])
    assert result.exit_code == 0
    lines = [line.strip() for line in result.output.splitlines()]
    for source in ("pagerduty", "jira", "github", "opsgenie", "gitlab"):  # one line each
        assert any(line.startswith(f"{source} ") for line in lines), result.output


@pytest.mark.parametrize(
    ("source", "fixture", "summary"),
    [
        ("opsgenie", "opsgenie/history_alerts.json", "Converted 3 events (ticket=3) from 1 "
         "files; 1 items ignored, 0 errors"),
        ("gitlab", "gitlab/history_deployments.json", "Converted 4 events (deploy=4) from 1 "
         "files; 1 items ignored, 0 errors"),
    ],
)  # fmt: skip
def test_dry_run_prints_the_events_and_publishes_nothing(
    source: str, fixture: str, summary: str
) -> None:
    path = str(FIXTURES / fixture)
    result = CliRunner().invoke(main, ["import", source, "--dry-run", path], env=ENV)
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert {event["source"] for event in events} == {source}
    assert summary in result.stderr


def test_errors_name_the_file_and_item_and_exit_1(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "alerts.json"
    path.write_text('[{"id": "a1", "createdAt": "2021-12-14T10:11:48.514Z"}]')
    result = CliRunner().invoke(main, ["import", "opsgenie", "--dry-run", str(path)], env=ENV)
    assert result.exit_code == 1
    assert (
        f"error: {path}: [0].logs: missing (add each alert's logs: docs/sources/import.md)"
        in result.stderr
    )
