"""The dashboards' template variables: their options come from the seeded data.

docs/dashboards.md. The database (seeded once, tests/support/dashboard_seed.py)
and the variables' options come from the package fixtures ``db`` and
``options`` in tests/integration/dashboards/conftest.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from schemas.events import SEVERITIES
from tests.support.dashboard_seed import ENVIRONMENTS, SERVICES

pytestmark = pytest.mark.integration


def test_variable_options_come_from_the_data(options: dict[str, Any]) -> None:
    for uid, dashboard_options in options.items():
        assert dashboard_options["service"] == SERVICES, uid
        assert dashboard_options["environment"] == ENVIRONMENTS, uid
        assert dashboard_options["severity"] == SEVERITIES, f"{uid}: severity order"
    assert options["mttr-incident-drilldown"]["status"] == ("open", "resolved")
