"""The gateway benchmark's payloads: one builder per served source, each accepted as sent.

Every request a builder makes goes through the gateway's own converters
(``build_sources``, gateway token on, the benchmark's secrets and mappings) and
must give exactly the events the builder announced, none ignored or rejected,
with event ids distinct across requests; without its credentials it must be
refused (401). A source added to the registry without a builder fails here.
"""

from __future__ import annotations

import asyncio
import inspect
import random
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest

from bench.gateway_payloads import (
    BUILDERS,
    Draw,
    Keys,
    MissingBuilder,
    Request,
    builders_for,
    served,
)
from bench.gateway_server import serve_sns_certificate
from streams.gateway import registry
from streams.gateway.adapters.base import Converted, SignatureError
from streams.gateway.app import Convert
from streams.gateway.sources import build_sources
from streams.settings import Settings

KEYS = Keys.generate()
REQUESTS = 40


@pytest.fixture
def sources(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Convert]]:
    monkeypatch.setattr(registry, "https_get", registry.https_get)  # restored afterwards
    serve_sns_certificate(KEYS.sns_cert_pem.encode("ascii"))
    yield build_sources(Settings(**KEYS.settings()))


def call(convert: Convert, request: Request, *, strip_credentials: bool = False) -> Converted:
    parts = urlsplit(request.target)
    query = dict(parse_qsl(parts.query))
    headers = dict(request.headers)
    if strip_credentials:
        query.pop("token", None)
        for name in ("Authorization", "X-Hub-Signature-256", "X-Hub-Signature",
                     "X-PagerDuty-Signature", "X-Gitlab-Token"):  # fmt: skip
            headers.pop(name, None)
    result = convert(request.body, headers, query)
    if inspect.isawaitable(result):
        return asyncio.run(result)  # type: ignore[arg-type]
    return result


def draws(name: str) -> Iterator[Draw]:
    rng = random.Random(7)
    for seq in range(1, REQUESTS + 1):
        yield Draw(uid=f"t{name[:3]}{seq:07d}", number=seq, keys=KEYS, rng=rng)


def test_every_served_source_has_a_builder() -> None:
    names = served(Settings(**KEYS.settings()))
    assert list(builders_for(names)) == names
    assert sorted(BUILDERS) == sorted(names)  # no builder for a source that is gone


def test_a_source_without_a_builder_is_named() -> None:
    with pytest.raises(MissingBuilder, match="'pigeon', 'smoke'.*bench/gateway_payloads/"):
        builders_for(["events", "pigeon", "smoke"])


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_each_request_becomes_the_announced_events(name: str, sources: dict[str, Convert]) -> None:
    seen: set[str] = set()
    for draw in draws(name):
        request = BUILDERS[name](draw)
        assert urlsplit(request.target).path == (
            "/events" if name == "events" else f"/webhooks/{name}"
        )
        converted = call(sources[name], request)
        assert converted.ignored is None, converted.ignored
        assert converted.rejected == []
        assert len(converted.events) == request.events >= 1
        ids = {event["event_id"] for event in converted.events}
        assert len(ids) == request.events and not ids & seen, f"repeated event ids: {ids & seen}"
        seen |= ids


@pytest.mark.parametrize("name", sorted(set(BUILDERS) - {"sns"}))  # SNS signs inside the body
def test_without_its_credentials_a_request_is_refused(
    name: str, sources: dict[str, Convert]
) -> None:
    request = BUILDERS[name](next(draws(name)))
    with pytest.raises(SignatureError):
        call(sources[name], request, strip_credentials=True)


def test_an_sns_message_with_a_changed_body_is_refused(sources: dict[str, Convert]) -> None:
    request = BUILDERS["sns"](next(draws("sns")))
    forged = Request(request.target, request.body.replace(b"ALARM", b"OK"), request.headers)
    with pytest.raises(SignatureError):
        call(sources["sns"], forged)
