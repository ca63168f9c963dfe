"""The Argo CD notification fixtures for the adapter tests, and their checks.

``load()`` reads a body of tests/fixtures/argocd/ (our template rendered from
an Application of Argo CD's test data, see SOURCES.md); ``only_event()``
checks a conversion gave exactly one valid event of a contract type.
``CONFIG`` is the default config. Used by tests/unit/gateway/test_adapter_argocd*.py.
"""

from __future__ import annotations

from streams.gateway.adapters.argocd import ArgoCDConfig
from tests.support import adapter_checks, paths

FIXTURES = paths.FIXTURES / "argocd"
CONFIG = ArgoCDConfig()
load = adapter_checks.fixture_loader("argocd")
only_event = adapter_checks.only_event
