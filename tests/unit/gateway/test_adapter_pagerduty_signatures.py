"""PagerDuty adapter: the v3 webhook signature (X-PagerDuty-Signature).

The signed body of PagerDuty's own client library tests (go-pagerduty, see
tests/fixtures/pagerduty/SOURCES.md), several v1 signatures and secrets, bad,
missing and reformatted-body signatures.
README.md, "Webhooks: ``mttr gateway``", and streams/gateway/adapters/pagerduty.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest

from streams.gateway.adapters.base import Converted, SignatureError
from streams.gateway.adapters.pagerduty import convert, verify_signature
from tests.support.pagerduty_payloads import CONFIG, FIXTURES

# go-pagerduty webhookv3 tests: this secret signs signed_priority_updated.body.json as below.
GO_SECRET = "lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK"
GO_SIGNATURE = "v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd"
GO_MISMATCH = "v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5"


def signed_body() -> bytes:
    # Published without a trailing newline; tolerate one added by an editor.
    return (FIXTURES / "signed_priority_updated.body.json").read_bytes().removesuffix(b"\n")


def sign(body: bytes, secret: str) -> str:
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- signature --------------------------------------------------------------------------


def test_published_signature_verifies() -> None:
    verify_signature(signed_body(), GO_SIGNATURE, [GO_SECRET])
    verify_signature(signed_body(), GO_SIGNATURE, GO_SECRET)  # one secret as a plain string


def test_the_signed_body_is_the_documented_example_it_claims_to_be() -> None:
    assert convert(json.loads(signed_body()), CONFIG) == Converted(
        ignored="event.event_type 'incident.priority_updated' is not converted"
    )


@pytest.mark.parametrize(
    "header",
    [
        f"{GO_MISMATCH},{GO_SIGNATURE}",  # rotation: the second one matches
        f"{GO_SIGNATURE}, {GO_MISMATCH}",
        f"v0=abc,{GO_SIGNATURE}",  # other versions are skipped
        GO_SIGNATURE.upper().replace("V1=", "v1="),
    ],
)
def test_any_matching_v1_signature_is_enough(header: str) -> None:
    verify_signature(signed_body(), header, [GO_SECRET])


def test_any_configured_secret_may_match() -> None:
    body = (FIXTURES / "derived_incident_triggered.json").read_bytes()
    verify_signature(body, sign(body, "new"), ["old", "new"])
    verify_signature(body, sign(body, "old"), ["old", "new"])


@pytest.mark.parametrize(
    ("header", "secrets", "message"),
    [
        (None, [GO_SECRET], "X-PagerDuty-Signature header is missing"),
        ("", [GO_SECRET], "X-PagerDuty-Signature header is missing"),
        ("0c0b9495b893a39e", [GO_SECRET], "X-PagerDuty-Signature: no 'v1=<hex>' signature"),
        ("v2=0c0b9495b893a39e", [GO_SECRET], "X-PagerDuty-Signature: no 'v1=<hex>' signature"),
        (GO_MISMATCH, [GO_SECRET], "X-PagerDuty-Signature: no signature matches the body"),
        (GO_SIGNATURE, ["wrong"], "X-PagerDuty-Signature: no signature matches the body"),
        (GO_SIGNATURE[:-2], [GO_SECRET], "X-PagerDuty-Signature: no signature matches the body"),
        ("v1=zzzé", [GO_SECRET], "X-PagerDuty-Signature: no signature matches the body"),
        (GO_SIGNATURE, [], "no PagerDuty webhook secret is configured"),
        (GO_SIGNATURE, ["", ""], "no PagerDuty webhook secret is configured"),
    ],
)
def test_bad_signatures_are_rejected(header: str | None, secrets: Any, message: str) -> None:
    with pytest.raises(SignatureError) as info:
        verify_signature(signed_body(), header, secrets)
    assert str(info.value) == message


def test_a_signature_of_another_body_is_rejected() -> None:
    replayed = (FIXTURES / "derived_incident_resolved.json").read_bytes()
    with pytest.raises(SignatureError, match="no signature matches"):
        verify_signature(replayed, GO_SIGNATURE, [GO_SECRET])


def test_a_reformatted_body_is_rejected() -> None:
    # Same JSON, different bytes: the signature covers the raw body.
    reformatted = json.dumps(json.loads(signed_body()), indent=2).encode()
    with pytest.raises(SignatureError, match="no signature matches"):
        verify_signature(reformatted, GO_SIGNATURE, [GO_SECRET])
