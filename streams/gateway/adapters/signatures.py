"""Webhook signatures: an HMAC-SHA256 of the raw body under a shared secret, per sender.

Every check runs on the body exactly as received, before it is parsed, and
raises ``SignatureError`` (HTTP 401) with a message naming the header and
the problem, never a secret. Digests are compared in constant time; with
several secrets (a rotation) or several signatures every pair is compared.

=============  ============================  =====================================
sender         header                        value
=============  ============================  =====================================
GitHub         ``X-Hub-Signature-256``       ``sha256=<64 hex>``, one secret
Jira Cloud     ``X-Hub-Signature``           ``sha256=<hex>``, any of the secrets
PagerDuty v3   ``X-PagerDuty-Signature``     ``v1=<hex>[,v1=<hex>...]``, any/any
Grafana 12+    configurable (see below)      ``<hex>``, one secret
=============  ============================  =====================================

Grafana Alerting signs only when its webhook contact point has an HMAC secret;
the header is ``X-Grafana-Alerting-Signature`` unless renamed there, and with a
timestamp header configured the signed bytes are ``<timestamp>:<body>``.

The adapters re-export their check as ``verify_signature`` and its header as
``SIGNATURE_HEADER``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence

from streams.gateway.adapters.base import SignatureError

GITHUB_HEADER = "X-Hub-Signature-256"
JIRA_HEADER = "X-Hub-Signature"
PAGERDUTY_HEADER = "X-PagerDuty-Signature"
GRAFANA_HEADER = "X-Grafana-Alerting-Signature"  # the default; a contact point may rename it

_GITHUB_VALUE = re.compile(r"sha256=([0-9a-fA-F]{64})")


def signing_keys(secrets: str | Sequence[str], source: str) -> list[str]:
    """Return the configured secrets (one string or several); ``SignatureError`` if none."""
    keys = [secrets] if isinstance(secrets, str) else [s for s in secrets if s]
    if not any(keys):
        msg = f"no {source} webhook secret is configured"
        raise SignatureError(msg)
    return keys


def any_signature_matches(body: bytes, keys: Sequence[str], candidates: Sequence[bytes]) -> bool:
    """True if a hex HMAC-SHA256 of ``body`` under any key equals any candidate.

    Candidates are lower-case hex digests. Every pair is compared in constant
    time and none is skipped.
    """
    matched = False
    for key in keys:
        expected = hmac.new(key.encode("utf-8"), body, hashlib.sha256).hexdigest().encode("ascii")
        for candidate in candidates:
            matched |= hmac.compare_digest(expected, candidate)
    return matched


def verify_github(body: bytes, header: str | None, secret: str) -> None:
    """Check ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body) before parsing it.

    Args:
        body: The request body exactly as received.
        header: The ``X-Hub-Signature-256`` value (``sha256=<hex>``), or None.
        secret: The webhook secret configured at GitHub.

    Raises:
        SignatureError: No secret is configured, the header is missing or
            malformed, or it does not match the body. The digests are compared
            in constant time.
    """
    keys = signing_keys(secret, "GitHub")
    if header is None or not header.strip():
        msg = f"missing {GITHUB_HEADER} header"
        raise SignatureError(msg)
    match = _GITHUB_VALUE.fullmatch(header.strip())
    if match is None:
        msg = f"{GITHUB_HEADER} is malformed: expected sha256=<64 hex digits>"
        raise SignatureError(msg)
    if not any_signature_matches(body, keys, [match.group(1).lower().encode("ascii")]):
        msg = f"{GITHUB_HEADER} does not match the body"
        raise SignatureError(msg)


def verify_jira(body: bytes, header: str | None, secrets: str | Sequence[str]) -> None:
    """Check ``X-Hub-Signature`` (``sha256=<hex>``) against the raw body, constant-time.

    Call it before parsing the body. Several secrets may be given (to rotate
    the webhook's secret without downtime); one must match.

    Args:
        body: The request body exactly as received.
        header: The ``X-Hub-Signature`` header value, or None if absent.
        secrets: The configured secrets; a single string is accepted as one secret.

    Raises:
        SignatureError: No secret is configured, the header is missing or
            malformed, its method is not ``sha256``, or no secret matches.
    """
    keys = signing_keys(secrets, "Jira")
    if header is None or not header.strip():
        msg = f"{JIRA_HEADER} header is missing"
        raise SignatureError(msg)
    method, sep, provided = header.strip().partition("=")
    if not sep or not provided:
        msg = f"{JIRA_HEADER}: expected 'sha256=<hex>'"
        raise SignatureError(msg)
    if method.strip().lower() != "sha256":
        msg = f"{JIRA_HEADER}: unsupported method {method.strip()!r} (expected sha256)"
        raise SignatureError(msg)
    candidate = provided.strip().lower().encode("utf-8", "replace")
    if not any_signature_matches(body, keys, [candidate]):
        msg = f"{JIRA_HEADER}: signature does not match the body"
        raise SignatureError(msg)


def verify_pagerduty(body: bytes, header: str | None, secrets: str | Sequence[str]) -> None:
    """Check ``X-PagerDuty-Signature`` against the raw body, constant-time.

    The header holds comma-separated signatures; ``v1=<hex>`` entries are
    checked and others are skipped. The request is authentic if any of them
    matches any configured secret, which allows rotating secrets on either side.

    Args:
        body: The request body exactly as received.
        header: The ``X-PagerDuty-Signature`` header value, or None if absent.
        secrets: The configured secrets; a single string is accepted as one secret.

    Raises:
        SignatureError: No secret is configured, the header is missing or has
            no ``v1`` signature, or no signature matches.
    """
    keys = signing_keys(secrets, "PagerDuty")
    if header is None or not header.strip():
        msg = f"{PAGERDUTY_HEADER} header is missing"
        raise SignatureError(msg)
    provided = [
        part.strip()[3:].lower().encode("utf-8", "replace")
        for part in header.split(",")
        if part.strip().startswith("v1=")
    ]
    if not provided:
        msg = f"{PAGERDUTY_HEADER}: no 'v1=<hex>' signature"
        raise SignatureError(msg)
    if not any_signature_matches(body, keys, provided):
        msg = f"{PAGERDUTY_HEADER}: no signature matches the body"
        raise SignatureError(msg)


def verify_grafana(
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    header: str = GRAFANA_HEADER,
    timestamp_header: str = "",
) -> None:
    """Check Grafana Alerting's webhook HMAC (hex SHA-256) against the raw body, constant-time.

    Grafana signs ``body``, or ``<timestamp>:<body>`` when the contact point
    names a timestamp header (grafana/alerting ``http/hmac.go``). The
    timestamp's age is not checked (the adapters have no clock): a replayed
    request yields the same event ids, which are deduplicated downstream.

    Args:
        body: The request body exactly as received.
        headers: The request headers.
        secret: The contact point's HMAC secret.
        header: The signature header configured at Grafana.
        timestamp_header: The timestamp header configured at Grafana; empty
            if none is (the body alone is signed).

    Raises:
        SignatureError: No secret is configured, a header is missing, or the
            signature does not match.
    """
    keys = signing_keys(secret, "Grafana")
    signature = (headers.get(header) or "").strip()
    if not signature:
        msg = f"{header} header is missing"
        raise SignatureError(msg)
    signed = body
    if timestamp_header:
        timestamp = (headers.get(timestamp_header) or "").strip()
        if not timestamp:
            msg = f"{timestamp_header} header is missing"
            raise SignatureError(msg)
        signed = timestamp.encode("utf-8", "replace") + b":" + body
    if not any_signature_matches(signed, keys, [signature.lower().encode("utf-8", "replace")]):
        msg = f"{header}: signature does not match the body"
        raise SignatureError(msg)
