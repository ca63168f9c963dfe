"""The gateway's sources, configured from the settings: name -> converter."""

from __future__ import annotations

from collections.abc import Mapping

from streams.gateway.adapters import alertmanager
from streams.gateway.app import Convert, own_events, parse_json
from streams.settings import Settings


def build_sources(settings: Settings) -> dict[str, Convert]:
    """Return every endpoint's converter (``events`` is our own contract)."""
    am_config = alertmanager.AlertmanagerConfig(
        service_labels=tuple(
            label.strip() for label in settings.alertmanager_service_labels.split(",") if label
        )
    )

    def from_alertmanager(
        body: bytes, _headers: Mapping[str, str], _query: Mapping[str, str]
    ) -> alertmanager.Converted:
        return alertmanager.convert(parse_json(body), am_config)

    return {"events": own_events, "alertmanager": from_alertmanager}
