"""The shared gateway token check, pure: bearer, basic, query, rotation, wrong, missing, unset.

streams/gateway/auth.py; docs/security.md ("The gateway token").
"""

from __future__ import annotations

import base64
import hmac
from typing import Any

import pytest

from streams.gateway import auth
from streams.gateway.adapters.base import SignatureError
from streams.gateway.auth import MISMATCH, MISSING, check_token, offered_tokens

TOKENS = ("old-token-1f2e", "new-token-9a8b")


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("headers", "query"),
    [
        ({"Authorization": "Bearer new-token-9a8b"}, {}),
        ({"Authorization": "bearer  old-token-1f2e "}, {}),  # scheme in any case, spaces
        ({"Authorization": basic("alertmanager", "old-token-1f2e")}, {}),
        ({"Authorization": basic("", "new-token-9a8b")}, {}),  # any user, even none
        ({}, {"token": "new-token-9a8b"}),
        ({"Authorization": "Bearer wrong"}, {"token": "old-token-1f2e"}),  # any offered matches
    ],
)
def test_a_configured_token_in_any_form_passes(
    headers: dict[str, str], query: dict[str, str]
) -> None:
    check_token(TOKENS, headers, query)


@pytest.mark.parametrize(
    ("headers", "query", "message"),
    [
        ({}, {}, MISSING),
        ({"Authorization": "Token new-token-9a8b"}, {}, MISSING),  # another scheme offers nothing
        ({"Authorization": "Bearer "}, {}, MISSING),
        ({"Authorization": "Bearer new-token-9a8"}, {}, MISMATCH),  # a prefix
        ({"Authorization": "Bearer new-token-9a8bX"}, {}, MISMATCH),
        ({"Authorization": basic("new-token-9a8b", "")}, {}, MISMATCH),  # token as the user
        ({"Authorization": "Basic not base64!"}, {}, MISMATCH),
        ({"Authorization": "Basic " + base64.b64encode(b"no colon").decode()}, {}, MISMATCH),
        ({}, {"token": ""}, MISMATCH),
        ({}, {"token": "NEW-TOKEN-9A8B"}, MISMATCH),  # case matters
    ],
)
def test_a_missing_or_wrong_token_is_refused(
    headers: dict[str, str], query: dict[str, str], message: str
) -> None:
    with pytest.raises(SignatureError) as info:
        check_token(TOKENS, headers, query)
    assert str(info.value) == message
    assert all(token not in str(info.value) for token in TOKENS)


def test_the_messages_say_what_to_send() -> None:
    assert MISSING == "missing gateway token: send Authorization: Bearer <token>"
    assert MISMATCH == "gateway token does not match"


def test_no_token_configured_leaves_the_route_open() -> None:
    check_token((), {}, {})
    check_token((), {"Authorization": "Bearer anything"}, {"token": "x"})


def test_every_configured_token_is_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    check_token(TOKENS, {"Authorization": "Bearer old-token-1f2e"}, {})  # matches the first
    assert [b for _, b in compared] == [t.encode() for t in TOKENS]  # the second still compared


def test_offered_tokens_reads_header_and_query() -> None:
    headers = {"Authorization": basic("mttr", "p4ss")}
    assert offered_tokens(headers, {"token": "q"}) == ["p4ss", "q"]
    assert offered_tokens({}, {}) == []
