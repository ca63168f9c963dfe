"""samples/objectives.yaml, which ``make demo`` loads, is valid and covers every demo service."""

from __future__ import annotations

from streams.devtools.simulate import service_names
from streams.settings import project_root
from streams.storage.objectives.files import parse_objective_file

CRITICAL = {"checkout", "payments", "cart", "auth"}


def test_the_sample_objectives_file_is_valid_and_covers_every_demo_service_in_production() -> None:
    parsed = parse_objective_file(project_root() / "samples" / "objectives.yaml")
    assert parsed.problems == ()
    assert sorted(row.service for row in parsed.rows) == sorted(service_names(12))
    assert {row.environment for row in parsed.rows} == {"production"}
    assert {row.service: row.objective for row in parsed.rows} == {
        service: 0.999 if service in CRITICAL else 0.995 for service in service_names(12)
    }
    assert {row.min_severity for row in parsed.rows} == {"high"}
