"""The shared gateway token: who may post to the routes whose sender cannot sign.

Alertmanager, most alerting tools and our own ``POST /events`` cannot sign
their requests with a per-source secret. Those routes (``/events`` and every
adapter with ``token_auth = True``) accept a shared token,
``MTTR_GATEWAY_TOKEN`` (comma-separated: several for a rotation), in any of
three forms:

* ``Authorization: Bearer <token>`` (Alertmanager's and Grafana's
  ``http_config.authorization``);
* ``Authorization: Basic base64(<any user>:<token>)``, for senders that only
  take a URL with user info (``https://mttr:<token>@gateway/...``);
* a ``token`` query parameter, for senders that only take a URL (it ends up
  in proxy logs: see docs/security.md).

``check_token`` is pure: no token configured means the route is open (as
before the token existed); otherwise a request without a matching token is a
``SignatureError`` (HTTP 401). Every offered token is compared with every
configured one in constant time (``hmac.compare_digest``, none skipped), so
the answer time does not tell which token, or which prefix, came close.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping

from streams.gateway.adapters.base import SignatureError

TOKEN_PARAMETER = "token"
MISSING = "missing gateway token: send Authorization: Bearer <token>"
MISMATCH = "gateway token does not match"


def check_token(
    tokens: tuple[str, ...], headers: Mapping[str, str], query: Mapping[str, str]
) -> None:
    """Return when the request carries one of ``tokens`` (or none is configured).

    Args:
        tokens: The configured tokens; empty means the route is open.
        headers: The request headers (``Authorization`` is read).
        query: The query parameters (``token`` is read).

    Raises:
        SignatureError: No token was offered (``MISSING``) or none offered
            matches a configured one (``MISMATCH``). The message never
            contains a token.
    """
    if not tokens:
        return
    offered = offered_tokens(headers, query)
    if not offered:
        raise SignatureError(MISSING)
    matched = False
    for candidate in offered:
        for token in tokens:  # every comparison runs: no early exit on a match
            matched |= hmac.compare_digest(candidate.encode(), token.encode())
    if not matched:
        raise SignatureError(MISMATCH)


def offered_tokens(headers: Mapping[str, str], query: Mapping[str, str]) -> list[str]:
    """Return the tokens a request offers: from ``Authorization`` and the ``token`` parameter.

    A Basic credential that is not base64 of ``user:password`` offers an empty
    token (it was offered, and it does not match). A header of another scheme
    offers nothing.
    """
    offered: list[str] = []
    scheme, _, credential = headers.get("Authorization", "").strip().partition(" ")
    credential = credential.strip()
    if scheme.casefold() == "bearer" and credential:
        offered.append(credential)
    elif scheme.casefold() == "basic" and credential:
        offered.append(_basic_password(credential))
    if (value := query.get(TOKEN_PARAMETER)) is not None:
        offered.append(value)
    return offered


def _basic_password(credential: str) -> str:
    try:
        decoded = base64.b64decode(credential, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    _user, colon, password = decoded.partition(":")
    return password if colon else ""
