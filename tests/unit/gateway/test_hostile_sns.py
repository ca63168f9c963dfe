"""Hostile requests to ``POST /webhooks/sns``, whose authentication is inside the body.

An SNS message carries its own signature (SignatureVersion 1/2 over the
message's fields), so a body that is not a correctly signed SNS message is
unauthenticated: 401, not 400, whatever is wrong with it (bytes that do not
parse, JSON that is not an object, the hostile corpus, a signed message with a
field changed). Every refusal is ``{"error": "..."}`` (no traceback, no
secret), nothing is published, a body over the limit is a 413 unread, and the
same app then still accepts a valid signed alarm. The header-credential cases
of the other routes are in test_hostile_routes.py.
"""

from __future__ import annotations

import orjson
import pytest

from tests.support.gateway_requests import Gateway
from tests.support.gateway_routes import SETTINGS, local_sns_certificates, route
from tests.support.hostile_corpus import CORPUS
from tests.support.hostile_requests import (
    DEEP_ARRAYS,
    DEEP_OBJECTS,
    INVALID_UTF8,
    NOT_JSON,
    NOT_OBJECTS,
    assert_refused,
    oversized,
    swapped,
)

BODIES = [NOT_JSON, INVALID_UTF8, DEEP_ARRAYS, DEEP_OBJECTS, b"", b"{}", *NOT_OBJECTS.values()]


@pytest.fixture(autouse=True)
def _local_sns_certificates(monkeypatch: pytest.MonkeyPatch) -> None:
    local_sns_certificates(monkeypatch)


def test_bodies_that_are_not_signed_messages_are_a_401_and_publish_nothing() -> None:
    target = route("sns")
    body, headers = target.sample
    message = orjson.loads(body)
    tampered = orjson.dumps({**message, "Message": message["Message"].replace("ALARM", "OK")})
    hostile = [*BODIES, *(entry.raw for entry in CORPUS), orjson.dumps(swapped(message)), tampered]
    with Gateway(SETTINGS) as gateway:
        for bad in hostile:
            assert_refused(gateway.post(target.path, bad, headers), 401)
        answer = gateway.post(target.path, body, headers)
        assert answer.status == 200, answer.body
        assert [e["status"] for e in answer.published] == ["firing"]


def test_a_body_over_the_limit_is_a_413_unread() -> None:
    target = route("sns")
    with Gateway(SETTINGS) as gateway:
        error = assert_refused(
            gateway.post(target.path, oversized(SETTINGS.gateway_max_body_bytes), {}), 413
        )
        assert error == f"body exceeds the {SETTINGS.gateway_max_body_bytes} byte limit"
        body, headers = target.sample
        assert gateway.post(target.path, body, headers).status == 200
