"""``POST /webhooks/cdevents`` through the in-process gateway app (sources from settings).

The publisher is a list, so these run without Kafka; tests/integration/test_cdevents_e2e.py
sends CDEvents through the real broker and worker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from streams.gateway.app import GatewayConfig, create_app
from streams.gateway.sources import build_sources
from streams.settings import Settings
from tests.support.cdevents_payloads import batch, binary, envelope, load, structured

SETTINGS = Settings(
    cdevents_services={"myApp": "checkout"},
    cdevents_environments={"prod1": "production"},
    cdevents_status_map={"triage": "acknowledged"},
    cdevents_ticket_types="incident, task",
    cdevents_default_service="security",
)
URL = "/webhooks/cdevents"

Scenario = Callable[[TestClient[Any, Any]], Awaitable[None]]


def run(scenario: Scenario) -> list[dict[str, Any]]:
    """Run ``scenario`` against the app; return what it published."""
    published: list[dict[str, Any]] = []

    async def publish(events: Sequence[dict[str, Any]]) -> None:
        published.extend(events)

    async def health() -> None:
        return None

    app = create_app(
        GatewayConfig(max_body_bytes=1 << 16, timeout_s=1.0),
        build_sources(SETTINGS),
        publish,
        health,
    )

    async def main() -> None:
        async with TestClient(TestServer(app)) as client:
            await scenario(client)

    asyncio.run(main())
    return published


def test_binary_and_structured_are_accepted_with_their_event_ids() -> None:
    answers: list[dict[str, Any]] = []

    async def scenario(client: TestClient[Any, Any]) -> None:
        for body, headers in (
            binary(load("incident_detected")),
            structured(load("incident_detected")),
        ):
            response = await client.post(URL, data=body, headers=headers)
            assert response.status == 200
            answers.append(await response.json())

    published = run(scenario)
    assert answers[0] == answers[1] == {"accepted": 1, "event_ids": [published[0]["event_id"]]}
    assert (published[0]["service"], published[0]["environment"]) == ("checkout", "production")
    assert published[0] == published[1]  # a redelivery: the same event id, deduplicated downstream


def test_a_batch_answers_its_rejected_items() -> None:
    async def scenario(client: TestClient[Any, Any]) -> None:
        updated = load("ticket_updated")
        updated["customData"] = {"status": "Triage"}
        body, headers = batch([envelope(updated), envelope(load("service_rolledback"), id=None)])
        response = await client.post(URL, data=body, headers=headers)
        assert response.status == 200
        answer = await response.json()
        assert answer["accepted"] == 1
        assert answer["rejected"] == ["1.id: missing"]

    (event,) = run(scenario)
    assert (event["type"], event["status"], event["service"]) == (
        "ticket",
        "acknowledged",
        "security",
    )


def test_ignored_kinds_get_202_and_are_counted() -> None:
    async def scenario(client: TestClient[Any, Any]) -> None:
        for name in ("change_merged", "taskrun_started"):
            response = await client.post(
                URL, data=binary(load(name))[0], headers=binary(load(name))[1]
            )
            assert response.status == 202
            assert "ignored" in await response.json()
        metrics = await (await client.get("/metrics")).text()
        assert 'mttr_gateway_ignored_total{source="cdevents"} 2.0' in metrics

    assert run(scenario) == []


def test_malformed_requests_get_400_naming_the_problem() -> None:
    cases = [
        (binary(load("incident_detected"), specversion="0.3"),
         "ce-specversion header: expected '1.0' (CloudEvents 1.0), got '0.3'"),
        (structured(load("incident_detected"), id=None), "id: missing"),
        ((b"{}", {"Content-Type": "application/json"}), None),
    ]  # fmt: skip

    async def scenario(client: TestClient[Any, Any]) -> None:
        for (body, headers), message in cases:
            response = await client.post(URL, data=body, headers=headers)
            assert response.status == 400
            error = (await response.json())["error"]
            assert error == message if message else error.startswith("not a CloudEvent")
        cdevent = load("service_deployed")
        cdevent["context"]["type"] = "dev.cdevents.service.deployed.1.0.0"
        response = await client.post(
            URL, data=structured(cdevent)[0], headers=structured(cdevent)[1]
        )
        assert response.status == 400
        assert (
            "major version 1 of service.deployed is not supported"
            in (await response.json())["error"]
        )

    assert run(scenario) == []
