"""Properties of every gateway route: nothing anyone sends gets a 5xx or publishes invalid events.

For every route of ``build_sources`` (tests/support/gateway_routes.py), with
the request authenticated so the body reaches the source: arbitrary bytes,
arbitrary JSON values, and the route's valid request with any JSON value put
in place of one of its values. Every answer is sound (``assert_sound``): below
500, JSON, a refusal or an ignored payload publishes nothing, an acceptance
publishes exactly the events it names and each passes the contract. One app
serves all examples of a route, and still accepts the valid request after
them. tests/support/strategies.py gives the hostile JSON values.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.gateway_requests import Gateway
from tests.support.gateway_routes import (
    SETTINGS,
    Route,
    local_sns_certificates,
    route,
    route_names,
)
from tests.support.hostile_requests import assert_sound, leaf_paths, replaced
from tests.support.strategies import json_values

NAMES = route_names()
EXAMPLES = settings(
    max_examples=50,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def _local_sns_certificates(monkeypatch: pytest.MonkeyPatch) -> None:
    local_sns_certificates(monkeypatch)  # SNS signing certificates: the local test key's


def post_signed(gateway: Gateway, target: Route, body: bytes) -> None:
    answer = gateway.post(target.path, body, target.signed(body))
    assert_sound(answer)
    if not body.lstrip().startswith((b"{", b"[")):
        # not even an object or array; SNS: not a signed message, so unauthenticated
        assert answer.status == (401 if target.name == "sns" else 400), answer.body


def still_accepts(gateway: Gateway, target: Route) -> None:
    body, _ = target.sample
    answer = gateway.post(target.path, body, target.signed(body))
    assert answer.status == 200, answer.body


@pytest.mark.parametrize("name", NAMES)
def test_arbitrary_bytes_are_refused(name: str) -> None:
    target = route(name)
    with Gateway(SETTINGS) as gateway:

        @EXAMPLES
        @given(body=st.binary(max_size=400))
        def check(body: bytes) -> None:
            post_signed(gateway, target, body)

        check()
        still_accepts(gateway, target)


@pytest.mark.parametrize("name", NAMES)
def test_arbitrary_json_values_are_sound(name: str) -> None:
    target = route(name)
    with Gateway(SETTINGS) as gateway:

        @EXAMPLES
        @given(value=json_values)
        def check(value: Any) -> None:
            post_signed(gateway, target, orjson.dumps(value))

        check()
        still_accepts(gateway, target)


@pytest.mark.parametrize("name", NAMES)
def test_any_value_anywhere_in_a_valid_request_is_sound(name: str) -> None:
    """The valid request with one of its values (or the whole body) replaced by any JSON value."""
    target = route(name)
    sample = orjson.loads(target.sample[0])
    paths = list(leaf_paths(sample))
    with Gateway(SETTINGS) as gateway:

        @settings(EXAMPLES, max_examples=120)
        @given(path=st.sampled_from(paths), value=json_values)
        def check(path: tuple[str | int, ...], value: Any) -> None:
            post_signed(gateway, target, orjson.dumps(replaced(sample, path, value)))

        check()
        still_accepts(gateway, target)
