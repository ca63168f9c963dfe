"""GitHub adapter: the webhook signature (X-Hub-Signature-256).

GitHub's documented example, constant-time comparison, missing, malformed,
wrong-body and wrong-secret signatures, no configured secret. README.md,
"Webhooks: ``mttr gateway``", and streams/gateway/adapters/github.py.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest

from streams.gateway.adapters.base import SignatureError
from streams.gateway.adapters.github import verify_signature

SECRET = "It's a Secret to Everybody"


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- signature ---------------------------------------------------------------


def test_signature_matches_githubs_documented_example() -> None:
    header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    verify_signature(b"Hello, World!", header, SECRET)
    verify_signature(b"Hello, World!", header.upper().replace("SHA256=", "sha256="), SECRET)


def test_signature_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def compare(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", compare)
    verify_signature(b"{}", sign(b"{}"), SECRET)
    assert len(calls) == 1


@pytest.mark.parametrize("header", [None, "", "  "])
def test_missing_signature_is_rejected(header: str | None) -> None:
    with pytest.raises(SignatureError, match="^missing X-Hub-Signature-256 header$"):
        verify_signature(b"{}", header, SECRET)


@pytest.mark.parametrize(
    "header",
    [
        "sha1=" + hashlib.sha1(b"{}").hexdigest(),
        sign(b"{}").removeprefix("sha256="),
        sign(b"{}")[:-1],
        sign(b"{}")[:-1] + "g",
        sign(b"{}") + "00",
        "sha256=" + "é" * 64,
    ],
)
def test_malformed_signature_is_rejected(header: str) -> None:
    with pytest.raises(SignatureError, match="^X-Hub-Signature-256 is malformed"):
        verify_signature(b"{}", header, SECRET)


def test_signature_for_another_body_is_rejected() -> None:
    body = b'{"action":"created","deployment_status":{"state":"success"}}'
    replayed = b'{"action":"created","deployment_status":{"state":"failure"}}'
    with pytest.raises(SignatureError, match="^X-Hub-Signature-256 does not match the body$"):
        verify_signature(replayed, sign(body), SECRET)


def test_signature_with_another_secret_is_rejected() -> None:
    with pytest.raises(SignatureError, match="does not match the body"):
        verify_signature(b"{}", sign(b"{}", "other secret"), SECRET)


def test_no_configured_secret_rejects_everything() -> None:
    with pytest.raises(SignatureError, match="no GitHub webhook secret is configured"):
        verify_signature(b"{}", sign(b"{}", ""), "")
