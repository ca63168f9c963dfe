"""``POST /webhooks/sns`` through the in-process gateway: certificates, confirmation, statuses.

The SNS host is an injected fetch (``Host``): it serves the local test
certificate and answers the subscription confirmation GET; no network.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from streams.gateway.adapters.base import UnavailableError
from streams.gateway.adapters.sns import SnsAdapter
from streams.gateway.adapters.sns_config import SnsConfig
from streams.gateway.app import GatewayConfig, create_app
from streams.gateway.sns_certificates import CertificateCache
from streams.gateway.sns_endpoint import sns_endpoint
from streams.gateway.sources import build_adapters, build_sources
from streams.settings import Settings
from tests.support import sns_messages as sns

Client = TestClient[Any, Any]
ALARM = sns.alarm_text("derived_checkout_alarm.json")


class Host:
    """The SNS host: the test certificate at ``CERT_URL``, ``confirm_status`` for confirmations."""

    def __init__(self, confirm_status: int = 200, down: bool = False) -> None:
        self.confirm_status, self.down = confirm_status, down
        self.urls: list[str] = []

    async def fetch(self, url: str) -> tuple[int, bytes]:
        self.urls.append(url)
        if self.down:
            msg = f"{url}: no answer (ClientConnectorError); retry later"
            raise UnavailableError(msg)
        if url == sns.CERT_URL:
            return 200, sns.test_pem()
        if url.endswith(".pem"):
            return 404, b"<Error><Code>NoSuchKey</Code></Error>"
        return self.confirm_status, b"<ConfirmSubscriptionResponse/>"


class Kafka:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    async def publish(self, events: Sequence[dict[str, Any]]) -> None:
        self.published.extend(events)

    async def health(self) -> None:
        return None


def run(
    scenario: Callable[[Client], Awaitable[None]],
    host: Host,
    *,
    confirm: bool = False,
    config: SnsConfig | None = None,
) -> Kafka:
    kafka = Kafka()
    adapter = SnsAdapter(config or SnsConfig(), CertificateCache(host.fetch))
    source = sns_endpoint(adapter, host.fetch, confirm=confirm)
    app = create_app(GatewayConfig(1 << 20, 2.0), {"sns": source}, kafka.publish, kafka.health)

    async def main() -> None:
        async with TestClient(TestServer(app)) as client:
            await scenario(client)

    asyncio.run(main())
    return kafka


async def post(client: Client, message: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    headers = {
        "x-amz-sns-message-type": message["Type"],
        "x-amz-sns-topic-arn": message["TopicArn"],
    }
    response = await client.post("/webhooks/sns", data=sns.body(message), headers=headers)
    answer: dict[str, Any] = await response.json()
    return response.status, answer


def test_alarm_then_ok_are_published_and_the_certificate_fetched_once() -> None:
    host = Host()

    async def scenario(client: Client) -> None:
        status, firing = await post(client, sns.notification(ALARM))
        assert (status, firing["accepted"]) == (200, 1)
        again = await post(client, sns.notification(ALARM))  # SNS retry: same id
        assert again == (200, firing)
        ok = sns.notification(sns.alarm_text("derived_checkout_ok.json"), message_id="m-2")
        assert (await post(client, ok))[0] == 200

    kafka = run(scenario, host)
    assert [e["status"] for e in kafka.published] == ["firing", "firing", "resolved"]
    assert kafka.published[0]["event_id"] == kafka.published[1]["event_id"]
    assert host.urls == [sns.CERT_URL]


def test_statuses_ignored_unauthenticated_malformed_unavailable() -> None:
    async def scenario(client: Client) -> None:
        insufficient = sns.notification(sns.alarm_text("derived_checkout_insufficient_data.json"))
        assert (await post(client, insufficient))[0] == 202
        forged = {**sns.notification(ALARM), "Message": ALARM.replace("checkout", "admin")}
        status, answer = await post(client, forged)
        mismatch = "Signature: does not match the message (SignatureVersion 2, SHA256withRSA)"
        assert (status, answer["error"]) == (401, mismatch)
        bad = sns.notification(sns.alarm("derived_checkout_alarm.json", NewStateValue="?"))
        assert (await post(client, bad))[0] == 400
        elsewhere = sns.sign(sns.notification(ALARM), url=sns.CERT_URL.replace("test", "next"))
        status, answer = await post(client, elsewhere)
        assert status == 401 and "no certificate at" in answer["error"]
        response = await client.post("/webhooks/sns", data=b"{}")
        assert response.status == 401

    run(scenario, Host(confirm_status=200))


def test_certificate_host_down_is_503_so_sns_retries() -> None:
    async def scenario(client: Client) -> None:
        status, answer = await post(client, sns.notification(ALARM))
        assert (status, answer["error"]) == (
            503, f"{sns.CERT_URL}: no answer (ClientConnectorError); retry later"
        )  # fmt: skip

    assert run(scenario, Host(down=True)).published == []


def test_topic_outside_the_allow_list_is_401() -> None:
    config = SnsConfig(topic_arns=frozenset({"arn:aws:sns:us-east-1:123456789012:other"}))

    async def scenario(client: Client) -> None:
        status, answer = await post(client, sns.confirmation())
        assert status == 401 and "is not one of the accepted topics" in answer["error"]

    host = Host()
    run(scenario, host, confirm=True, config=config)
    assert sns.SUBSCRIBE_URL not in host.urls


def test_subscription_off_is_ignored_and_logs_the_subscribe_url(
    caplog: pytest.LogCaptureFixture,
) -> None:
    host = Host()

    async def scenario(client: Client) -> None:
        status, answer = await post(client, sns.confirmation())
        assert status == 202 and "MTTR_SNS_CONFIRM_SUBSCRIPTIONS is off" in answer["ignored"]
        unsubscribe = sns.confirmation("UnsubscribeConfirmation")
        assert (await post(client, unsubscribe))[0] == 202

    with caplog.at_level(logging.WARNING, logger="streams.gateway.sns_endpoint"):
        run(scenario, host)
    assert host.urls == [sns.CERT_URL]  # no GET of the SubscribeURL
    assert [r.getMessage().count(sns.SUBSCRIBE_URL) for r in caplog.records] == [1]


def test_subscription_on_confirms_by_a_get_of_the_subscribe_url() -> None:
    host = Host()

    async def scenario(client: Client) -> None:
        status, answer = await post(client, sns.confirmation())
        confirmed = f"SubscriptionConfirmation of topic {sns.TOPIC}: subscription confirmed"
        assert (status, answer) == (202, {"ignored": confirmed})

    run(scenario, host, confirm=True, config=SnsConfig(topic_arns=frozenset({sns.TOPIC})))
    assert host.urls == [sns.CERT_URL, sns.SUBSCRIBE_URL]


def test_subscription_refused_by_sns_is_503() -> None:
    async def scenario(client: Client) -> None:
        status, answer = await post(client, sns.confirmation())
        assert (status, answer["error"]) == (
            503, f"confirming the subscription to topic {sns.TOPIC}: SNS answered HTTP 403"
        )  # fmt: skip

    run(scenario, Host(confirm_status=403), confirm=True)


def test_settings_build_the_sns_source() -> None:
    settings = Settings(
        sns_topic_arns=f"{sns.TOPIC}, arn:aws:sns:us-east-1:123456789012:b",
        sns_service_dimensions="Service, ServiceName",
        sns_services={"pay-": "payments"},
        sns_severity="critical",
    )
    (adapter,) = [a for a in build_adapters(settings) if a.name == "sns"]
    assert isinstance(adapter, SnsAdapter)
    assert adapter.config.topic_arns == {sns.TOPIC, "arn:aws:sns:us-east-1:123456789012:b"}
    assert adapter.config.service_dimensions == ("service", "servicename")
    assert adapter.config.severity == "critical"
    assert "sns" in build_sources(settings)
    assert Settings().sns_confirm_subscriptions is False


@pytest.mark.parametrize(
    ("values", "error"),
    [
        (
            {"sns_confirm_subscriptions": True},
            "MTTR_SNS_CONFIRM_SUBSCRIPTIONS needs MTTR_SNS_TOPIC",
        ),
        ({"sns_severity": "urgent"}, "severity: 'urgent'"),
        ({"sns_topic_arns": "alarms"}, "is not an SNS topic ARN"),
        ({"sns_account_environments": {"1": ""}}, "invalid service/environment name"),
    ],
)
def test_wrong_settings_fail_at_start_up(values: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        build_adapters(Settings(**values))
