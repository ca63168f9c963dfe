"""samples/owners.yaml, which ``make demo`` loads, is valid and owns every simulated service."""

from __future__ import annotations

from streams.devtools.simulate import service_names
from streams.settings import project_root
from streams.storage.owners.files import parse_owner_file


def test_the_sample_owners_file_is_valid_and_owns_every_demo_service() -> None:
    parsed = parse_owner_file(project_root() / "samples" / "owners.yaml")
    assert parsed.problems == ()
    assert sorted(row.service for row in parsed.rows) == sorted(service_names(12))
    assert {row.team for row in parsed.rows} == {
        "payments", "discovery", "identity", "platform", "fulfilment"
    }  # fmt: skip
