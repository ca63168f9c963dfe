"""Hostile requests to every route of the gateway: a precise 4xx, nothing published, still alive.

The routes are those of ``build_sources`` under settings with every source's
secret AND the gateway token configured (tests/support/gateway_routes.py);
each request is authenticated as its sender would, so only the body is wrong,
or only the credentials are. Every refusal is ``{"error": "..."}`` naming
the problem (no traceback, no secret) and publishes nothing; afterwards the
same app still accepts the route's valid request. /events alone is covered in
depth by test_hostile_gateway.py; the properties are in
test_hostile_routes_properties.py.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest

from streams.gateway.auth import MISMATCH, MISSING
from tests.support.gateway_requests import Gateway
from tests.support.gateway_routes import (
    BODY_SIGNED,
    GATEWAY_TOKEN,
    SAMPLES,
    SETTINGS,
    VENDOR,
    Route,
    route,
    route_names,
    unconfigured_secrets,
)
from tests.support.hostile_corpus import CORPUS
from tests.support.hostile_requests import (
    DEEP_ARRAYS,
    DEEP_OBJECTS,
    INVALID_UTF8,
    NOT_JSON,
    NOT_OBJECTS,
    NOT_VALID_JSON,
    assert_refused,
    oversized,
    swapped,
)

NAMES = [name for name in route_names() if name not in BODY_SIGNED]  # SNS: test_hostile_sns
LIMIT = SETTINGS.gateway_max_body_bytes


def exchange(name: str, requests: Callable[[Route, Gateway], None]) -> None:
    """Run ``requests`` on route ``name`` of one app, then check its valid request is accepted."""
    target = route(name)
    with Gateway(SETTINGS) as gateway:
        requests(target, gateway)
        body, _ = target.sample
        answer = gateway.post(target.path, body, target.signed(body))
        assert answer.status == 200, answer.body
        assert answer.body["event_ids"] == [e["event_id"] for e in answer.published] != []


def test_every_route_has_a_valid_request_and_known_credentials() -> None:
    assert NAMES[0] == "events" and len(NAMES) == len(set(NAMES)) > 15
    assert unconfigured_secrets() == [], "configure these in tests/support/gateway_routes.py"
    assert set(SAMPLES) <= set(NAMES) | BODY_SIGNED and set(VENDOR) <= set(NAMES)  # none stale
    for name in NAMES:
        assert route(name).credentials, f"{name} is open although every secret is configured"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("case", "body"),
    [
        ("not_json", NOT_JSON),
        ("invalid_utf8", INVALID_UTF8),
        ("empty", b""),
        ("deep_arrays", DEEP_ARRAYS),
        ("deep_objects", DEEP_OBJECTS),
    ],
)
def test_a_body_that_does_not_parse_is_a_400(name: str, case: str, body: bytes) -> None:
    def requests(target: Route, gateway: Gateway) -> None:
        answer = gateway.post(target.path, body, target.signed(body))
        assert assert_refused(answer, 400).startswith(NOT_VALID_JSON), case

    exchange(name, requests)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", NOT_OBJECTS)
def test_json_that_is_not_an_object_is_a_400(name: str, kind: str) -> None:
    body = NOT_OBJECTS[kind]

    def requests(target: Route, gateway: Gateway) -> None:
        error = assert_refused(gateway.post(target.path, body, target.signed(body)), 400)
        assert "object" in error

    exchange(name, requests)


@pytest.mark.parametrize("name", NAMES)
def test_wrong_types_in_every_field_are_a_400_naming_a_field(name: str) -> None:
    def requests(target: Route, gateway: Gateway) -> None:
        sample = orjson.loads(target.sample[0])
        body = orjson.dumps(swapped(sample))
        error = assert_refused(gateway.post(target.path, body, target.signed(body)), 400)
        fields = sample if isinstance(sample, dict) else {}
        assert any(str(field) in error for field in fields), error

    exchange(name, requests)


@pytest.mark.parametrize("name", NAMES)
def test_an_empty_object_is_a_400(name: str) -> None:
    def requests(target: Route, gateway: Gateway) -> None:
        assert_refused(gateway.post(target.path, b"{}", target.signed(b"{}")), 400)

    exchange(name, requests)


@pytest.mark.parametrize("name", NAMES)
def test_a_body_over_the_limit_is_a_413(name: str) -> None:
    body = oversized(LIMIT)

    def requests(target: Route, gateway: Gateway) -> None:
        for headers in (target.signed(body), {}):  # authenticated or not: refused unread
            error = assert_refused(gateway.post(target.path, body, headers), 413)
            assert error == f"body exceeds the {LIMIT} byte limit"

    exchange(name, requests)


@pytest.mark.parametrize("name", NAMES)
def test_a_missing_or_wrong_credential_is_a_401_naming_it(name: str) -> None:
    def requests(target: Route, gateway: Gateway) -> None:
        body, _ = target.sample
        for credential in target.credentials:
            missing = target.signed(body, without=credential)
            wrong = {**missing, **credential.wrong(body)}
            for headers, token_error in ((missing, MISSING), (wrong, MISMATCH)):
                error = assert_refused(gateway.post(target.path, body, headers), 401)
                if credential is GATEWAY_TOKEN:
                    assert error == token_error
                else:
                    assert credential.header in error, error
            if credential.binds_body:  # a signature of another body
                replayed = {**missing, **credential.sign(body + b" ")}
                error = assert_refused(gateway.post(target.path, body, replayed), 401)
                assert credential.header in error, error
        assert_refused(gateway.post(target.path, body, dict(target.sample[1])), 401)  # none

    exchange(name, requests)


@pytest.mark.parametrize("name", NAMES)
def test_a_wrong_credential_wins_over_a_malformed_body(name: str) -> None:
    """Credentials are checked on the raw body first: a bad body unauthenticated is a 401."""

    def requests(target: Route, gateway: Gateway) -> None:
        for body in (NOT_JSON, INVALID_UTF8, DEEP_ARRAYS, b"null"):
            headers = {**target.sample[1], **target.credentials[0].wrong(body)}
            assert_refused(gateway.post(target.path, body, headers), 401)

    exchange(name, requests)


BYTE_LEVEL = [
    entry
    for entry in CORPUS
    if entry.reason.startswith(("not valid JSON", "expected a JSON object")) and not entry.http_ok
]


@pytest.mark.parametrize("name", [n for n in NAMES if n != "events"])
def test_the_byte_level_hostile_corpus_is_a_400_on_every_webhook(name: str) -> None:
    """The corpus entries that are not a JSON object (encodings, syntax, depth, numbers)."""
    assert len(BYTE_LEVEL) > 20

    def requests(target: Route, gateway: Gateway) -> None:
        for entry in BYTE_LEVEL:
            body = entry.raw
            error = assert_refused(gateway.post(target.path, body, target.signed(body)), 400)
            assert error.startswith(NOT_VALID_JSON) or "object" in error, (entry.file, error)

    exchange(name, requests)
