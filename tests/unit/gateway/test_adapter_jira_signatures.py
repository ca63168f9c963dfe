"""Jira adapter: the webhook signature (X-Hub-Signature).

The signing example of the Jira Cloud webhook docs (tests/fixtures/jira/SOURCES.md),
a fixture body, bad and missing signatures, several secrets.
README.md, "Webhooks: ``mttr gateway``", and streams/gateway/adapters/jira.py.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest

from streams.gateway.adapters.base import SignatureError
from streams.gateway.adapters.jira import verify_signature
from tests.support.jira_payloads import FIXTURES

# The signing example of the Jira Cloud webhook docs (SOURCES.md).
DOC_SECRET = "It's a Secret to Everybody"
DOC_BODY = b"Hello World!"
DOC_HEADER = "sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9"


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- signature --------------------------------------------------------------------------


def test_documented_signature_example_verifies() -> None:
    verify_signature(DOC_BODY, DOC_HEADER, [DOC_SECRET])
    verify_signature(DOC_BODY, DOC_HEADER, DOC_SECRET)  # one secret as a plain string
    verify_signature(DOC_BODY, DOC_HEADER.upper().replace("SHA256=", "sha256="), [DOC_SECRET])


def test_signature_over_a_fixture_body() -> None:
    body = (FIXTURES / "derived_issue_updated_status.json").read_bytes()
    verify_signature(body, sign(body, "s3cret"), ["old-secret", "s3cret"])


@pytest.mark.parametrize(
    ("header", "secrets", "message"),
    [
        (None, [DOC_SECRET], "X-Hub-Signature header is missing"),
        ("  ", [DOC_SECRET], "X-Hub-Signature header is missing"),
        ("a4771c39fbe9", [DOC_SECRET], "X-Hub-Signature: expected 'sha256=<hex>'"),
        ("sha256=", [DOC_SECRET], "X-Hub-Signature: expected 'sha256=<hex>'"),
        (
            "sha1=a4771c39fbe90f317c7824e83ddef3caae9cb3d9",
            [DOC_SECRET],
            "X-Hub-Signature: unsupported method 'sha1' (expected sha256)",
        ),
        (
            DOC_HEADER,
            ["It's a secret to everybody"],
            "X-Hub-Signature: signature does not match the body",
        ),
        (DOC_HEADER + "00", [DOC_SECRET], "X-Hub-Signature: signature does not match the body"),
        ("sha256=ä", [DOC_SECRET], "X-Hub-Signature: signature does not match the body"),
        (DOC_HEADER, [], "no Jira webhook secret is configured"),
        (DOC_HEADER, [""], "no Jira webhook secret is configured"),
        (DOC_HEADER, "", "no Jira webhook secret is configured"),
    ],
)
def test_bad_signatures_are_rejected(header: str | None, secrets: Any, message: str) -> None:
    with pytest.raises(SignatureError) as info:
        verify_signature(DOC_BODY, header, secrets)
    assert str(info.value) == message


def test_a_signature_of_another_body_is_rejected() -> None:
    signed = (FIXTURES / "derived_issue_created.json").read_bytes()
    replayed = (FIXTURES / "derived_issue_updated_status.json").read_bytes()
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(replayed, sign(signed, "s3cret"), ["s3cret"])


def test_a_plain_string_secret_is_not_split_into_characters() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(DOC_BODY, sign(DOC_BODY, "I"), DOC_SECRET)
