"""The CDEvents fixtures of the adapter tests, and CloudEvents requests built from them.

``load(name)`` reads a CDEvent of tests/fixtures/cdevents/ (the spec's own
examples of v0.4.0 and v0.4.1, see SOURCES.md); ``VERSIONS`` are those two
folders. ``binary()``, ``structured()`` and ``batch()`` wrap CDEvents into
the (body, headers) of a CloudEvents HTTP request in that mode, with the
attributes the CDEvents binding prescribes (``ce-id`` = ``context.id``,
``ce-type`` = ``context.type``, ...). ``convert()`` runs a request through
``CDEventsAdapter``; ``only_event()`` checks it gave one event of a kind.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import orjson
from pydantic import BaseModel

from streams.gateway.adapters.base import Converted
from streams.gateway.adapters.cdevents import CDEventsAdapter
from streams.gateway.adapters.cdevents_config import CDEventsConfig
from tests.support import adapter_checks, paths

FIXTURES = paths.FIXTURES / "cdevents"
VERSIONS = ("v0.4.0", "v0.4.1")
CONFIG = CDEventsConfig()
STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"
_load = adapter_checks.fixture_loader("cdevents")

Request = tuple[bytes, dict[str, str]]


def load(name: str, version: str = "v0.4.1") -> dict[str, Any]:
    """Return the CDEvent ``<version>/<name>.json`` (a fresh copy, safe to edit)."""
    return copy.deepcopy(_load(f"{version}/{name}.json"))


def attributes(cdevent: dict[str, Any]) -> dict[str, str]:
    """Return the CloudEvents attributes of a CDEvent, as the CDEvents binding sets them."""
    context = cdevent["context"]
    return {
        "specversion": "1.0",
        "id": context["id"],
        "source": context["source"],
        "type": context["type"],
        "subject": cdevent["subject"]["id"],
        "time": context["timestamp"],
    }


def binary(cdevent: dict[str, Any], **overrides: str | None) -> Request:
    """Return a binary-mode request; ``overrides`` set (or, with None, drop) ``ce-*`` headers."""
    headers = {f"ce-{name}": value for name, value in attributes(cdevent).items()}
    headers["Content-Type"] = "application/json; charset=utf-8"
    for name, value in overrides.items():
        key = "Content-Type" if name == "content_type" else f"ce-{name}"
        if value is None:
            headers.pop(key, None)
        else:
            headers[key] = value
    return orjson.dumps(cdevent), headers


def envelope(cdevent: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """Return the structured CloudEvent of a CDEvent; ``overrides`` replace (None: drop) fields."""
    cloud: dict[str, Any] = {
        **attributes(cdevent),
        "datacontenttype": "application/json",
        "data": cdevent,
    }
    for name, value in overrides.items():
        if value is None:
            cloud.pop(name, None)
        else:
            cloud[name] = value
    return cloud


def structured(cdevent: dict[str, Any], **overrides: Any) -> Request:
    """Return a structured-mode request (``application/cloudevents+json``)."""
    return orjson.dumps(envelope(cdevent, **overrides)), {"Content-Type": STRUCTURED}


def batch(items: Iterable[dict[str, Any]]) -> Request:
    """Return a batch request of structured CloudEvents (``envelope()`` results or any JSON)."""
    return orjson.dumps(list(items)), {"Content-Type": BATCH}


def convert(request: Request, config: CDEventsConfig = CONFIG) -> Converted:
    """Run one request through ``CDEventsAdapter(config)``."""
    body, headers = request
    return CDEventsAdapter(config).convert(body, headers)


def only_event(converted: Converted, kind: type[BaseModel]) -> dict[str, Any]:
    """Return the one event of ``converted`` (see ``adapter_checks.only_event``)."""
    return adapter_checks.only_event(converted, kind)
