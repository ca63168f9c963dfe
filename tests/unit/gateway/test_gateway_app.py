"""The gateway's HTTP rules with an in-process server and an injected publisher (no Kafka).

Kafka itself is exercised by tests/integration/test_gateway.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import orjson
from aiohttp.test_utils import TestClient, TestServer

from streams.gateway.adapters.base import (
    Converted,
    PayloadError,
    SignatureError,
    UnavailableError,
)
from streams.gateway.app import GatewayConfig, create_app, own_events

DEPLOY = {
    "event_id": "d-1",
    "type": "deploy",
    "service": "shop",
    "occurred_at": "2026-03-02T10:00:00Z",
    "deploy_id": "r1",
    "status": "succeeded",
}


def fake_source(body: bytes, headers: Mapping[str, str], query: Mapping[str, str]) -> Converted:
    """Signed with header X-Secret: s3cret; kind "ping" is ignored; "bad" is malformed."""
    if headers.get("X-Secret") != "s3cret":
        raise SignatureError("X-Secret header missing or wrong")
    if body == b"ping":
        return Converted(ignored="ping")
    if body == b"bad":
        raise PayloadError("alerts.0.status: missing")
    if body == b"invalid-event":
        return Converted(events=[{**DEPLOY, "service": ""}])
    if body == b"partly":
        return Converted(events=[DEPLOY], rejected=["alerts.1.labels: no service"])
    return Converted(events=[DEPLOY, {**DEPLOY, "event_id": "d-2"}])


class Kafka:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []
        self.down = False

    async def publish(self, events: Sequence[dict[str, Any]]) -> None:
        if self.down:
            await asyncio.sleep(10)  # never acknowledges: the request times out
        self.published.extend(events)

    async def health(self) -> None:
        if self.down:
            raise ConnectionError("no broker")


async def awaiting_source(
    body: bytes, headers: Mapping[str, str], query: Mapping[str, str]
) -> Converted:
    """Needs I/O before it decides (as SNS fetching a certificate): "down" cannot reach it."""
    await asyncio.sleep(0)
    if body == b"down":
        raise UnavailableError("certificate host did not answer; retry later")
    return fake_source(body, headers, query)


Scenario = Callable[[TestClient[Any, Any], Kafka], Awaitable[None]]


def run(scenario: Scenario, kafka: Kafka | None = None) -> Kafka:
    kafka = kafka or Kafka()
    app = create_app(
        GatewayConfig(max_body_bytes=2048, timeout_s=0.3),
        {"fake": fake_source, "slow": awaiting_source, "events": own_events},
        kafka.publish,
        kafka.health,
    )

    async def main() -> None:
        async with TestClient(TestServer(app)) as client:
            await scenario(client, kafka)

    asyncio.run(main())
    return kafka


def test_accepted_only_after_publish() -> None:
    async def scenario(client: TestClient[Any, Any], kafka: Kafka) -> None:
        response = await client.post("/webhooks/fake", data=b"{}", headers={"X-Secret": "s3cret"})
        assert response.status == 200
        assert await response.json() == {"accepted": 2, "event_ids": ["d-1", "d-2"]}
        assert [e["event_id"] for e in kafka.published] == ["d-1", "d-2"]

    run(scenario)


def test_kafka_not_acknowledging_gives_503_never_2xx() -> None:
    async def scenario(client: TestClient[Any, Any], kafka: Kafka) -> None:
        kafka.down = True
        response = await client.post("/webhooks/fake", data=b"{}", headers={"X-Secret": "s3cret"})
        assert response.status == 503
        assert "Kafka did not acknowledge" in (await response.json())["error"]
        health = await client.get("/healthz")
        assert health.status == 503

    assert run(scenario).published == []


def test_errors_are_precise_json() -> None:
    async def scenario(client: TestClient[Any, Any], kafka: Kafka) -> None:
        signed = {"X-Secret": "s3cret"}
        cases = [
            (await client.post("/webhooks/fake", data=b"{}"), 401, "X-Secret header"),
            (await client.post("/webhooks/fake", data=b"bad", headers=signed), 400,
             "alerts.0.status: missing"),
            (await client.post("/webhooks/fake", data=b"invalid-event", headers=signed), 400,
             "event d-1: service: String should have at least 1 character"),
            (await client.post("/webhooks/fake", data=b"x" * 4096, headers=signed), 413,
             "exceeds the 2048 byte limit"),
            (await client.get("/webhooks/fake"), 405, "Method Not Allowed"),
            (await client.post("/webhooks/unknown", data=b"{}"), 404, "Not Found"),
        ]  # fmt: skip
        for response, status, message in cases:
            assert response.status == status, await response.text()
            assert message in (await response.json())["error"]
        assert kafka.published == []

    run(scenario)


def test_ignored_kinds_get_202_and_are_counted() -> None:
    async def scenario(client: TestClient[Any, Any], kafka: Kafka) -> None:
        response = await client.post("/webhooks/fake", data=b"ping", headers={"X-Secret": "s3cret"})
        assert response.status == 202
        assert await response.json() == {"ignored": "ping"}
        metrics = await (await client.get("/metrics")).text()
        assert 'mttr_gateway_ignored_total{source="fake"} 1.0' in metrics
        assert 'mttr_gateway_requests_total{code="202",endpoint="/webhooks/fake"} 1.0' in metrics

    run(scenario)


def test_own_contract_single_event_or_array() -> None:
    async def scenario(client: TestClient[Any, Any], kafka: Kafka) -> None:
        one = await client.post("/events", data=orjson.dumps(DEPLOY))
        assert (one.status, (await one.json())["accepted"]) == (200, 1)
        many = await client.post(
            "/events", data=orjson.dumps([DEPLOY, {**DEPLOY, "event_id": "x"}])
        )
        assert (many.status, (await many.json())["accepted"]) == (200, 2)

    assert len(run(scenario).published) == 3


def test_own_contract_rejects_the_whole_request_when_one_event_is_invalid() -> None:
    async def scenario(client: TestClient[Any, Any], kafka: Kafka) -> None:
        body = orjson.dumps([DEPLOY, {**DEPLOY, "occurred_at": "2026-03-02 10:00:00"}])
        response = await client.post("/events", data=body)
        assert response.status == 400
        assert (await response.json())["error"].startswith("[1] occurred_at: ")
        empty = await client.post("/events", data=b"[]")
        assert empty.status == 400
        not_json = await client.post("/events", data=b"{")
        assert "body is not valid JSON" in (await not_json.json())["error"]

    assert run(scenario).published == []


def test_items_left_out_are_named_in_the_answer_and_counted() -> None:
    async def scenario(client: TestClient[Any, Any], kafka: Kafka) -> None:
        signed = {"X-Secret": "s3cret"}
        response = await client.post("/webhooks/fake", data=b"partly", headers=signed)
        assert response.status == 200
        assert await response.json() == {
            "accepted": 1,
            "event_ids": ["d-1"],
            "rejected": ["alerts.1.labels: no service"],
        }
        metrics = await (await client.get("/metrics")).text()
        assert 'mttr_gateway_rejected_total{source="fake"} 1.0' in metrics

    assert len(run(scenario).published) == 1


def test_a_source_may_await_before_it_decides() -> None:
    async def scenario(client: TestClient[Any, Any], kafka: Kafka) -> None:
        signed = {"X-Secret": "s3cret"}
        response = await client.post("/webhooks/slow", data=b"{}", headers=signed)
        assert (response.status, (await response.json())["accepted"]) == (200, 2)
        cases = [(b"down", 503, "certificate host did not answer"), (b"bad", 400, "alerts.0")]
        for body, status, message in cases:
            response = await client.post("/webhooks/slow", data=body, headers=signed)
            assert response.status == status
            assert message in (await response.json())["error"]
        assert (await client.post("/webhooks/slow", data=b"{}")).status == 401

    assert len(run(scenario).published) == 2
