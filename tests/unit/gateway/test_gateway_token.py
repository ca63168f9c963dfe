"""The shared gateway token through the in-process app: who is asked for it, what a refusal says.

``/events`` and the routes of adapters with ``token_auth`` (Alertmanager)
need ``MTTR_GATEWAY_TOKEN`` when it is set; routes with their own vendor
signature (GitHub, Jira, PagerDuty) do not. The token never reaches the
access log, even when sent as ``?token=``. streams/gateway/sources.py,
streams/gateway/auth.py, streams/gateway/access_log.py.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from streams.gateway.access_log import AccessLogger
from streams.gateway.app import GatewayConfig, create_app
from streams.gateway.sources import build_adapters, build_sources, token_routes
from streams.settings import Settings

TOKEN = "gw-token-3c5d7e"
OLD = "gw-token-old-0a1b"
EVENT = {
    "event_id": "e-1",
    "type": "deploy",
    "service": "shop",
    "occurred_at": "2026-03-02T10:00:00Z",
    "deploy_id": "r1",
    "status": "succeeded",
}
NOTIFICATION = {
    "version": "4",
    "status": "firing",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "Down", "job": "shop"},
            "startsAt": "2026-03-02T10:00:00Z",
            "fingerprint": "f00d",
        }
    ],
}
PING = orjson.dumps({"zen": "Keep it logically awesome.", "hook_id": 1})
Client = TestClient[Any, Any]


def settings(token: str | None) -> Settings:
    return Settings(
        gateway_token=SecretStr(token) if token else None,
        github_webhook_secret=SecretStr("gh-secret"),
    )


def run(token: str | None, scenario: Callable[[Client], Awaitable[None]]) -> list[Any]:
    published: list[Any] = []

    async def publish(events: Sequence[dict[str, Any]]) -> None:
        published.extend(events)

    async def health() -> None:
        return None

    app = create_app(
        GatewayConfig(max_body_bytes=65536, timeout_s=1.0),
        build_sources(settings(token)),
        publish,
        health,
    )

    async def main() -> None:
        server = TestServer(app)
        await server.start_server(access_log_class=AccessLogger)  # as ``mttr gateway`` runs it
        async with TestClient(server) as client:
            await scenario(client)

    asyncio.run(main())
    return published


def test_token_routes_are_events_and_the_unsigned_adapters() -> None:
    signed = {"github", "jira", "pagerduty", "gitlab", "sns"}  # a vendor signature or secret
    unsigned = [
        "alertmanager", "grafana", "azure-monitor", "datadog", "opsgenie", "newrelic", "splunk",
        "cdevents", "argocd", "jenkins", "servicenow", "rundeck", "awx",
    ]  # fmt: skip
    assert token_routes(settings(None)) == ["/events", *(f"/webhooks/{n}" for n in unsigned)]
    flags = {adapter.name: adapter.token_auth for adapter in build_adapters(settings(None))}
    assert flags == {name: name not in signed for name in [*signed, *unsigned]}
    with_basic = settings(None).model_copy(
        update={"servicenow_username": "mttr", "servicenow_password": SecretStr("pw")}
    )
    assert "/webhooks/servicenow" not in token_routes(with_basic)  # it checks Basic itself


def test_without_the_token_nothing_is_published_and_the_error_says_why() -> None:
    async def scenario(client: Client) -> None:
        cases = [
            ("/events", {}, "missing gateway token: send Authorization: Bearer <token>"),
            ("/events", {"Authorization": "Bearer nope"}, "gateway token does not match"),
            ("/webhooks/alertmanager", {}, "missing gateway token: send Authorization: "
             "Bearer <token>"),
            ("/webhooks/alertmanager?token=nope", {}, "gateway token does not match"),
        ]  # fmt: skip
        for path, headers, message in cases:
            body = EVENT if path == "/events" else NOTIFICATION
            response = await client.post(path, data=orjson.dumps(body), headers=headers)
            assert (response.status, await response.json()) == (401, {"error": message}), path

    assert run(TOKEN, scenario) == []


def test_each_form_of_a_configured_token_is_accepted() -> None:
    credentials = base64.b64encode(f"alertmanager:{OLD}".encode()).decode()

    async def scenario(client: Client) -> None:
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        response = await client.post("/events", data=orjson.dumps(EVENT), headers=bearer)
        assert (response.status, await response.json()) == (
            200,
            {"accepted": 1, "event_ids": ["e-1"]},
        )
        basic = {"Authorization": f"Basic {credentials}"}
        response = await client.post(
            "/webhooks/alertmanager", data=orjson.dumps(NOTIFICATION), headers=basic
        )
        assert response.status == 200
        response = await client.post(
            f"/webhooks/alertmanager?token={TOKEN}", data=orjson.dumps(NOTIFICATION)
        )
        assert response.status == 200

    published = run(f"{OLD},{TOKEN}", scenario)
    assert [e["type"] for e in published] == ["deploy", "alert", "alert"]


def test_routes_with_their_own_signature_ignore_the_token() -> None:
    signature = "sha256=" + hmac.new(b"gh-secret", PING, hashlib.sha256).hexdigest()

    async def scenario(client: Client) -> None:
        headers = {"X-GitHub-Event": "ping", "X-Hub-Signature-256": signature}
        response = await client.post("/webhooks/github", data=PING, headers=headers)
        assert response.status == 202  # no gateway token asked
        response = await client.post(
            "/webhooks/github", data=PING, headers={"X-GitHub-Event": "ping", **_bearer()}
        )
        assert response.status == 401  # the token does not replace the signature
        assert "X-Hub-Signature-256" in (await response.json())["error"]

    run(TOKEN, scenario)


def test_unset_the_routes_stay_open() -> None:
    async def scenario(client: Client) -> None:
        response = await client.post("/events", data=orjson.dumps(EVENT))
        assert response.status == 200
        response = await client.post("/webhooks/alertmanager", data=orjson.dumps(NOTIFICATION))
        assert response.status == 200

    assert len(run(None, scenario)) == 2


def test_the_access_log_never_shows_the_token(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario(client: Client) -> None:
        for path in (f"/events?token={TOKEN}", "/events?token=wrong-guess-77"):
            await client.post(path, data=orjson.dumps(EVENT))

    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        run(TOKEN, scenario)
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(lines) == 2
    assert '"POST /events" 200' in lines[0]
    assert '"POST /events" 401' in lines[1]
    assert all(TOKEN not in line and "wrong-guess-77" not in line for line in lines)


def _bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}
