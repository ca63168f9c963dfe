"""Service ownership on real ClickHouse: `mttr owners`, ``mttr.mttr_by_team``, the worker path.

The history is tests/support/ownership.py: checkout changes owner on
2026-03-15T00:00:00Z (payments before, storefront from then on), search has
no owner. Every expected number below is computed by hand from its table
(quantiles as docs/metrics.md: position q*(n-1), interpolated).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.ownership import (
    CATALOG_YAML,
    CORRECTED_YAML,
    OWNERS_YAML,
    by_team,
    seed_incidents,
)
from tests.support.processes import mttr
from tests.support.reference_loads import post_load, running_worker, seeded, write_file

pytestmark = pytest.mark.integration

MEASURES = ("incidents", "mttr_seconds", "p50_seconds", "p90_seconds", "mttd_seconds",
            "mtta_seconds")  # fmt: skip
# (team, environment, severity): incidents, mttr, p50, p90, mttd, mtta
SPLIT = {
    # c1 600 (tta 60), c2 1800 (tta 120): p90 = 600 + 0.9 * 1200
    ("payments", "prod", "high"): (2, 1200.0, 1200.0, 1680.0, 30.0, 90.0),
    # c3, 1 ms before the change
    ("payments", "prod", "critical"): (1, 300.0, 300.0, 300.0, 30.0, 60.0),
    # c4 at the change (no tta), c5 2700 (tta 90): p90 = 900 + 0.9 * 1800
    ("storefront", "prod", "high"): (2, 1800.0, 1800.0, 2520.0, 30.0, 90.0),
    # search has no owner
    ("", "prod", "high"): (1, 400.0, 400.0, 400.0, 30.0, 30.0),
}
# The corrected file moves the change to 2026-03-10T00:00:00Z: c2 and c3 move to storefront.
CORRECTED = {
    ("payments", "prod", "high"): (1, 600.0, 600.0, 600.0, 30.0, 60.0),
    ("storefront", "prod", "critical"): (1, 300.0, 300.0, 300.0, 30.0, 60.0),
    # 900, 1800, 2700: p90 at position 1.8 = 1800 + 0.8 * 900; tta (120 + 90) / 2
    ("storefront", "prod", "high"): (3, 1800.0, 1800.0, 2520.0, 30.0, 105.0),
    ("", "prod", "high"): (1, 400.0, 400.0, 400.0, 30.0, 30.0),
}
# Backstage (written after the file) owns checkout's first period and search.
WITH_BACKSTAGE = {
    ("platform", "prod", "high"): SPLIT[("payments", "prod", "high")],
    ("platform", "prod", "critical"): SPLIT[("payments", "prod", "critical")],
    ("storefront", "prod", "high"): SPLIT[("storefront", "prod", "high")],
    ("discovery", "prod", "high"): (1, 400.0, 400.0, 400.0, 30.0, 30.0),
}


def _expected(table: dict[tuple[str, str, str], tuple[float, ...]]) -> dict[Any, dict[str, Any]]:
    return {key: dict(zip(MEASURES, values, strict=True)) for key, values in table.items()}


def _by_team(settings: Settings) -> dict[Any, dict[str, Any]]:
    client = connect(settings)
    try:
        return by_team(client)
    finally:
        client.close()


def _run(settings: Settings, *args: str) -> str:
    result = mttr("owners", *args, settings=settings)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _periods(settings: Settings, *args: str) -> list[tuple[str, str, str, str, str]]:
    rows = json.loads(_run(settings, "list", "--format", "json", *args))
    return [(r["service"], r["team"], r["valid_from"], r["valid_until"], r["source"]) for r in rows]


def test_a_change_mid_month_splits_the_month_and_a_corrected_file_moves_it(
    engine_settings: Settings, tmp_path: Path
) -> None:
    settings = seeded(engine_settings, seed_incidents)
    owners = write_file(tmp_path, "owners.yaml", OWNERS_YAML)
    loaded = _run(settings, "load", "--via", "direct", owners)
    assert loaded.strip() == (
        "Loaded owners.yaml as source 'file': 2 added, 0 changed, 0 removed, 0 unchanged"
    )
    assert _by_team(settings) == _expected(SPLIT)
    assert _periods(settings, "--via", "direct") == [
        ("checkout", "payments", "1970-01-01T00:00:00Z", "2026-03-15T00:00:00Z", "file"),
        ("checkout", "storefront", "2026-03-15T00:00:00Z", "2100-01-01T00:00:00Z", "file"),
    ]
    again = _run(settings, "load", "--via", "direct", owners)
    assert "0 added, 0 changed, 0 removed, 2 unchanged" in again
    assert _by_team(settings) == _expected(SPLIT)

    corrected = write_file(tmp_path / "corrected", "owners.yaml", CORRECTED_YAML)
    reloaded = _run(settings, "load", "--via", "direct", corrected)
    assert "1 added, 0 changed, 1 removed, 1 unchanged" in reloaded
    assert _by_team(settings) == _expected(CORRECTED)
    at = _periods(settings, "--via", "direct", "--at", "2026-03-12T00:00:00Z")
    assert at == [
        ("checkout", "storefront", "2026-03-10T00:00:00Z", "2100-01-01T00:00:00Z", "file")
    ]


def test_backstage_import_is_its_own_source_and_the_row_written_last_wins(
    engine_settings: Settings, tmp_path: Path
) -> None:
    settings = seeded(engine_settings, seed_incidents)
    owners = write_file(tmp_path, "owners.yaml", OWNERS_YAML)
    _run(settings, "load", "--via", "direct", owners)
    catalog = tmp_path / "repos" / "shop"
    catalog.mkdir(parents=True)
    write_file(catalog, "catalog-info.yaml", CATALOG_YAML)
    imported = _run(settings, "import-backstage", "--via", "direct", str(tmp_path / "repos"))
    assert imported.strip() == (
        "Loaded 1 catalog files (1 other entities ignored) as source 'backstage': "
        "2 added, 0 changed, 0 removed, 0 unchanged"
    )
    periods = [
        ("checkout", "platform", "1970-01-01T00:00:00Z", "2026-03-15T00:00:00Z", "backstage"),
        ("checkout", "storefront", "2026-03-15T00:00:00Z", "2100-01-01T00:00:00Z", "file"),
        ("search", "discovery", "1970-01-01T00:00:00Z", "2100-01-01T00:00:00Z", "backstage"),
    ]
    assert _periods(settings, "--via", "direct") == periods
    assert _by_team(settings) == _expected(WITH_BACKSTAGE)
    # loading the unchanged file writes nothing, so Backstage's row stays the last written
    assert "2 unchanged" in _run(settings, "load", "--via", "direct", owners)
    assert _periods(settings, "--via", "direct") == periods
    # an empty file source: the file's rows go, Backstage's stay
    empty = write_file(tmp_path, "empty.yaml", "[]\n")
    assert "0 added, 0 changed, 2 removed" in _run(settings, "load", "--via", "direct", empty)
    assert _periods(settings, "--via", "direct") == [
        ("checkout", "platform", "1970-01-01T00:00:00Z", "2100-01-01T00:00:00Z", "backstage"),
        ("search", "discovery", "1970-01-01T00:00:00Z", "2100-01-01T00:00:00Z", "backstage"),
    ]


def test_an_invalid_file_loads_nothing(engine_settings: Settings, tmp_path: Path) -> None:
    settings = seeded(engine_settings, seed_incidents)
    _run(settings, "load", "--via", "direct", write_file(tmp_path, "owners.yaml", OWNERS_YAML))
    bad = write_file(
        tmp_path, "bad.csv", "service,team,valid_from\nsearch,discovery,\ncheckout,,\n"
    )
    result = mttr("owners", "load", "--via", "direct", bad, settings=settings)
    assert result.returncode == 1
    assert f"error: {bad}:3: team is missing" in result.stderr
    assert "error: 1 problems in bad.csv; nothing loaded" in result.stderr
    assert _by_team(settings) == _expected(SPLIT)


@pytest.mark.slow
def test_loading_through_a_running_worker_that_holds_chdb(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    settings = seeded(isolated_settings, seed_incidents)
    with running_worker(settings, tmp_path / "worker.log"):
        owners = write_file(tmp_path, "owners.yaml", OWNERS_YAML)
        loaded = _run(settings, "load", owners)
        assert loaded.strip() == (
            "Loaded owners.yaml as source 'file' through the worker: "
            "2 added, 0 changed, 0 removed, 0 unchanged"
        )
        assert [p[:3] for p in _periods(settings, "--via", "worker")] == [
            ("checkout", "payments", "1970-01-01T00:00:00Z"),
            ("checkout", "storefront", "2026-03-15T00:00:00Z"),
        ]
        bad = write_file(
            tmp_path, "bad.yaml", "- service: checkout\n  team: x\n  valid_from: now\n"
        )
        refused = mttr("owners", "load", bad, settings=settings)
        assert refused.returncode == 1
        assert f"error: {bad}:3: valid_from: must be an RFC 3339 string" in refused.stderr

        status, answer = post_load(settings, "/mttr/owners/", b'{"source": "file", "rows": '
                                   b'[{"service": "checkout", "team": " ", '
                                   b'"valid_from": "2026-03-01"}]}')  # fmt: skip
        assert status == 400
        assert answer["problems"] == [
            "rows[0]: team: must not be blank",
            "rows[0]: valid_from: must be an RFC 3339 string with a UTC offset, "
            "e.g. 2026-03-01T12:00:00Z",
        ]
        status, answer = post_load(settings, "/mttr/owners/", b"owners")
        assert status == 400 and answer["error"].startswith("body: not JSON")

        corrected = write_file(tmp_path / "corrected", "owners.yaml", CORRECTED_YAML)
        assert "through the worker: 1 added, 0 changed, 1 removed, 1 unchanged" in _run(
            settings, "load", corrected
        )
    assert _by_team(settings) == _expected(CORRECTED)
