"""Shared-secret checks of senders that do not sign: a token header, HTTP Basic.

Unlike ``signatures`` (an HMAC of the body), these senders present the secret
itself on every request. The checks run before the body is parsed and raise
``SignatureError`` (HTTP 401) naming the header and the problem, never a
secret. Every comparison is constant-time, over every configured secret (a
rotation), so the time taken does not tell which one nearly matched.

=========  ===================================  ==========================
sender     header                               value
=========  ===================================  ==========================
GitLab     ``X-Gitlab-Token``                   the webhook's secret token
any        ``Authorization: Basic <base64>``    ``user:password``
=========  ===================================  ==========================
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Sequence

from streams.gateway.adapters.base import SignatureError

GITLAB_HEADER = "X-Gitlab-Token"
AUTHORIZATION = "Authorization"


def verify_token(header: str, value: str | None, secrets: Sequence[str], source: str) -> None:
    """Check that header ``header`` carries one of ``secrets`` verbatim.

    Args:
        header: The header's name, for messages (e.g. ``X-Gitlab-Token``).
        value: The header's value, or None if absent.
        secrets: The configured secrets; empty ones are skipped.
        source: The sender, for the message when no secret is configured.

    Raises:
        SignatureError: No secret is configured, the header is missing, or it
            matches none of the secrets.
    """
    keys = [secret.encode("utf-8") for secret in secrets if secret]
    if not keys:
        msg = f"no {source} webhook secret is configured"
        raise SignatureError(msg)
    if value is None or not value:
        msg = f"{header} header is missing"
        raise SignatureError(msg)
    candidate = value.encode("utf-8", "replace")
    matched = False
    for key in keys:  # every key is compared: no early exit
        matched |= hmac.compare_digest(key, candidate)
    if not matched:
        msg = f"{header} does not match any configured secret"
        raise SignatureError(msg)


def verify_basic(value: str | None, username: str, password: str) -> None:
    """Check ``Authorization: Basic base64(user:password)`` against the configured pair.

    User and password are both compared, in constant time, whatever the first gave.

    Raises:
        SignatureError: The header is missing, not Basic, not decodable, or
            the credentials differ.
    """
    if value is None or not value.strip():
        msg = f"{AUTHORIZATION} header is missing (expected Basic credentials)"
        raise SignatureError(msg)
    scheme, _, encoded = value.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        msg = f"{AUTHORIZATION}: expected 'Basic <base64 user:password>'"
        raise SignatureError(msg)
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        msg = f"{AUTHORIZATION}: Basic credentials are not valid base64"
        raise SignatureError(msg) from None
    user, sep, secret = decoded.partition(b":")
    user_ok = hmac.compare_digest(user, username.encode("utf-8"))
    password_ok = hmac.compare_digest(secret, password.encode("utf-8"))
    if not (sep and user_ok and password_ok):
        msg = f"{AUTHORIZATION}: Basic credentials do not match"
        raise SignatureError(msg)
