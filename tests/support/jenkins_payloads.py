"""The Jenkins Notification plugin fixtures for the adapter tests, and their checks.

``load()`` reads a message of tests/fixtures/jenkins/ (the plugin's documented
example and variants in the shape of its current ``BuildState``, see
SOURCES.md); ``only_event()`` checks a conversion gave exactly one valid deploy
event. ``CONFIG`` maps the fixtures' job ``asgard`` to service ``asgard``.
Used by tests/unit/gateway/test_adapter_jenkins*.py.
"""

from __future__ import annotations

from typing import Any

from schemas.events import DeployEvent
from streams.gateway.adapters.base import Converted
from streams.gateway.adapters.jenkins import JenkinsConfig
from tests.support import adapter_checks, paths

FIXTURES = paths.FIXTURES / "jenkins"
CONFIG = JenkinsConfig.from_mapping({"asgard": {"service": "asgard", "environment": "production"}})
load = adapter_checks.fixture_loader("jenkins")


def only_event(converted: Converted) -> dict[str, Any]:
    """Return the one deploy event of ``converted`` (see ``adapter_checks.only_event``)."""
    return adapter_checks.only_event(converted, DeployEvent)
