"""Grafana Alerting adapter: the optional HMAC signature, checked on the raw body first.

Scheme (grafana/alerting ``http/hmac.go``, see tests/fixtures/grafana/SOURCES.md):
hex HMAC-SHA256 of the body, or of ``<timestamp>:<body>`` with a timestamp header.
"""

from __future__ import annotations

import pytest

from streams.gateway.adapters.base import PayloadError, SignatureError
from streams.gateway.adapters.grafana import GrafanaAdapter, GrafanaConfig, GrafanaSigning
from streams.gateway.adapters.signatures import verify_grafana
from tests.support.alerting_payloads import raw, sign_grafana

BODY = raw("grafana", "docs_two_firing.json")
TEAM = GrafanaConfig(service_labels=("team",))
SECRET = "grafana-hmac-secret"
HEADER = "X-Grafana-Alerting-Signature"
SIGNED = GrafanaAdapter(TEAM, GrafanaSigning(secret=SECRET))
TIMED = GrafanaAdapter(TEAM, GrafanaSigning(secret=SECRET, timestamp_header="X-Grafana-Ts"))


def test_the_adapter_uses_the_gateway_token() -> None:
    assert GrafanaAdapter.token_auth is True
    assert SECRET not in repr(SIGNED)


def test_without_a_secret_no_signature_is_needed() -> None:
    assert len(GrafanaAdapter(TEAM).convert(BODY, {}).events) == 2


def test_valid_signature_of_the_body() -> None:
    converted = SIGNED.convert(BODY, {HEADER: sign_grafana(BODY, SECRET)})
    assert len(converted.events) == 2
    SIGNED.convert(BODY, {HEADER: sign_grafana(BODY, SECRET).upper()})  # hex in any case


def test_valid_signature_with_timestamp() -> None:
    headers = {HEADER: sign_grafana(BODY, SECRET, "1760000000"), "X-Grafana-Ts": "1760000000"}
    assert len(TIMED.convert(BODY, headers).events) == 2


def test_the_go_test_vector_shape() -> None:
    """``computeHMAC`` of hmac_test.go: body ``test message``, secret ``secret``, mock clock 0."""
    body = b"test message"
    verify_grafana(body, {"X-Signature": sign_grafana(body, "secret")}, "secret", "X-Signature")
    headers = {"X-Signature": sign_grafana(body, "secret", "0"), "X-Timestamp": "0"}
    verify_grafana(body, headers, "secret", "X-Signature", "X-Timestamp")


def test_a_renamed_header_is_read() -> None:
    adapter = GrafanaAdapter(TEAM, GrafanaSigning(secret=SECRET, header="X-Sig"))
    assert len(adapter.convert(BODY, {"X-Sig": sign_grafana(BODY, SECRET)}).events) == 2


@pytest.mark.parametrize(
    ("adapter", "headers", "message"),
    [
        (SIGNED, {}, f"{HEADER} header is missing"),
        (SIGNED, {HEADER: " "}, f"{HEADER} header is missing"),
        (SIGNED, {HEADER: "00" * 32}, f"{HEADER}: signature does not match the body"),
        (SIGNED, {HEADER: sign_grafana(BODY, "other")}, "does not match the body"),
        (SIGNED, {HEADER: sign_grafana(b"{}", SECRET)}, "does not match the body"),
        (TIMED, {HEADER: sign_grafana(BODY, SECRET, "1")}, "X-Grafana-Ts header is missing"),
        (TIMED, {HEADER: sign_grafana(BODY, SECRET), "X-Grafana-Ts": "1"}, "does not match"),
        (TIMED, {HEADER: sign_grafana(BODY, SECRET, "1"), "X-Grafana-Ts": "2"}, "does not match"),
    ],
    ids=["missing", "blank", "zeros", "other-secret", "other-body", "no-timestamp",
         "timestamp-not-signed", "other-timestamp"],
)  # fmt: skip
def test_invalid_or_missing_signatures_are_refused(
    adapter: GrafanaAdapter, headers: dict[str, str], message: str
) -> None:
    with pytest.raises(SignatureError, match=message):
        adapter.convert(BODY, headers)


def test_the_signature_is_checked_before_the_body_is_parsed() -> None:
    with pytest.raises(SignatureError):
        SIGNED.convert(b"not json", {})
    with pytest.raises(PayloadError, match="not valid JSON"):
        SIGNED.convert(b"not json", {HEADER: sign_grafana(b"not json", SECRET)})


def test_a_replayed_request_gives_the_same_event_ids() -> None:
    headers = {HEADER: sign_grafana(BODY, SECRET)}
    first = [e["event_id"] for e in SIGNED.convert(BODY, headers).events]
    assert first == [e["event_id"] for e in SIGNED.convert(BODY, dict(headers)).events]


def test_a_reformatted_body_no_longer_matches() -> None:
    reformatted = BODY.replace(b"\n  ", b"\n    ")
    assert reformatted != BODY
    with pytest.raises(SignatureError):
        SIGNED.convert(reformatted, {HEADER: sign_grafana(BODY, SECRET)})


def test_a_blank_signature_header_name_fails_at_start_up() -> None:
    with pytest.raises(ValueError, match="signature header must not be blank"):
        GrafanaSigning(secret=SECRET, header=" ")
