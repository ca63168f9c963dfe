"""CloudWatch alarms delivered by SNS to alert events: hand-checked events and mapping rules."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from schemas.events import AlertEvent
from streams.gateway.adapters.base import Converted, PayloadError
from streams.gateway.adapters.sns_config import SnsConfig
from tests.support import adapter_checks
from tests.support import sns_messages as sns

ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-high-latency"


def converted(message: str, config: SnsConfig | None = None) -> Converted:
    return sns.adapter(config).convert(sns.body(sns.notification(message)), {})


def event_of(message: str, config: SnsConfig | None = None) -> dict[str, Any]:
    return adapter_checks.only_event(converted(message, config), AlertEvent)


def test_alarm_is_a_firing_alert_hand_checked() -> None:
    event = event_of(sns.alarm_text("derived_checkout_alarm.json"))
    digest = hashlib.sha256(f"{ARN}\nALARM\n2024-03-04T10:15:30.120+0000".encode()).hexdigest()
    assert event == {
        "event_id": f"cw-{digest[:40]}",
        "type": "alert",
        "source": "sns",
        "service": "checkout",
        "environment": "production",
        "occurred_at": "2024-03-04T10:15:30.120+00:00",
        "alert_id": ARN,
        "name": "checkout-high-latency",
        "status": "firing",
        "severity": "high",
        "summary": "Average response time of the checkout load balancer above 2 s",
        "labels": {
            "aws_account": "123456789012",
            "aws_region": "US East (N. Virginia)",
            "old_state": "OK",
            "reason": "Threshold Crossed: 1 out of the last 1 datapoints [2.4 (04/03/24 10:14:00)]"
            " was greater than the threshold (2.0) (minimum 1 datapoint for OK -> ALARM "
            "transition).",
            "namespace": "AWS/ApplicationELB",
            "metric": "TargetResponseTime",
            "dimension.LoadBalancer": "app/checkout/50dc6c495c0c9188",
        },
    }


def test_ok_resolves_the_same_alert_at_its_state_change_time() -> None:
    firing = event_of(sns.alarm_text("derived_checkout_alarm.json"))
    resolved = event_of(sns.alarm_text("derived_checkout_ok.json"))
    assert (resolved["status"], resolved["alert_id"]) == ("resolved", firing["alert_id"])
    assert resolved["occurred_at"] == "2024-03-04T10:42:05.000+00:00"
    assert resolved["event_id"] != firing["event_id"]
    from_insufficient = event_of(
        sns.alarm("derived_checkout_ok.json", OldStateValue="INSUFFICIENT_DATA")
    )
    assert from_insufficient["status"] == "resolved"


def test_insufficient_data_is_ignored() -> None:
    result = converted(sns.alarm_text("derived_checkout_insufficient_data.json"))
    assert (result.events, result.ignored) == ([], result.ignored)
    assert result.ignored == "alarm 'checkout-high-latency' is INSUFFICIENT_DATA: not converted"


@pytest.mark.parametrize(
    "name", ["cloudwatch_alarm_single_metric.json", "cloudwatch_alarm_multiple_metrics.json"]
)
def test_the_published_examples_convert_with_a_default_service(name: str) -> None:
    with pytest.raises(PayloadError, match="Message.AlarmName: no service for alarm 'EXAMPLE'"):
        converted(sns.alarm_text(name))
    event = event_of(sns.alarm_text(name), SnsConfig(default_service="network"))
    assert (event["service"], event["name"], event["status"]) == ("network", "EXAMPLE", "firing")
    assert event["occurred_at"] == "2015-06-03T17:43:27.123+00:00"
    assert event["alert_id"] == "arn:aws:cloudwatch:REGION:ACCOUNT_NUMBER:alarm:EXAMPLE"
    assert event["labels"]["dimension.InstanceId"] == "TestInstance"
    # A metric math alarm names its metrics inside Trigger.Metrics: no single "metric" label.
    assert event["labels"].get("metric") == ("NetworkOut" if "single" in name else None)


def test_service_rules_in_order() -> None:
    text = sns.alarm("derived_checkout_alarm.json", Trigger={
        "MetricName": "Errors", "Namespace": "Shop",
        "Dimensions": [{"name": "Service", "value": "payments"}]})  # fmt: skip
    assert event_of(text)["service"] == "payments"  # dimension before the name
    assert event_of(text, SnsConfig(services={"CHECKOUT-": "shop"}))["service"] == "shop"
    longest = SnsConfig(services={"checkout-": "shop", "checkout-high": "edge"})
    assert event_of(text, longest)["service"] == "edge"
    by_name = SnsConfig(service_dimensions=())
    assert event_of(text, by_name)["service"] == "checkout"
    slash = SnsConfig(service_dimensions=(), name_separator="/", default_service="misc")
    assert event_of(text, slash)["service"] == "misc"


def test_severity_and_environment_are_configurable() -> None:
    text = sns.alarm_text("derived_checkout_alarm.json")
    config = SnsConfig(
        severity="medium",
        severities={"checkout-": "critical"},
        account_environments={"123456789012": "staging"},
    )
    event = event_of(text, config)
    assert (event["severity"], event["environment"]) == ("critical", "staging")
    other = event_of(
        sns.alarm("derived_checkout_alarm.json", AWSAccountId="1", AlarmName="db-x"), config
    )
    assert (other["severity"], other["environment"]) == ("medium", "production")


def test_without_alarm_arn_the_id_is_derived_from_account_region_and_name() -> None:
    text = sns.alarm("derived_checkout_alarm.json", AlarmArn=None)
    event = event_of(text)
    assert event["alert_id"].startswith("cw-") and len(event["alert_id"]) == 43
    assert event_of(text)["alert_id"] == event["alert_id"]


def test_long_alarm_names_are_cut_to_the_contract() -> None:
    event = event_of(sns.alarm("derived_checkout_alarm.json", AlarmName="checkout-" + "x" * 300))
    assert len(event["name"]) == 128
    assert event["alert_id"].startswith("arn:aws:cloudwatch:")


@pytest.mark.parametrize(
    "message",
    ["Hello world!", '{"Records": []}', "[1, 2]", '{"AlarmName": "x"}', ""],
)
def test_notifications_that_are_not_alarms_are_ignored(message: str) -> None:
    assert (
        converted(message).ignored == f"notification of topic {sns.TOPIC} is not a CloudWatch alarm"
    )


def test_confirmations_are_ignored() -> None:
    adapter = sns.adapter()
    subscription = adapter.convert(sns.body(sns.confirmation()), {})
    assert (
        subscription.ignored is not None
        and "MTTR_SNS_CONFIRM_SUBSCRIPTIONS is off" in subscription.ignored
    )
    unsubscribe = adapter.convert(sns.body(sns.confirmation("UnsubscribeConfirmation")), {})
    assert (
        unsubscribe.ignored == f"UnsubscribeConfirmation of topic {sns.TOPIC}: nothing to convert"
    )


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"NewStateValue": "BROKEN"}, "Message.NewStateValue: expected ALARM, OK or INSUFFICIENT"),
        ({"StateChangeTime": None}, "Message.StateChangeTime: expected str, got NoneType"),
        ({"StateChangeTime": "yesterday"}, "Message.StateChangeTime: "),
        ({"AWSAccountId": 123}, "Message.AWSAccountId: expected str, got int"),
        ({"AlarmName": " "}, "Message.AlarmName: must not be blank"),
        ({"AlarmDescription": 5}, "Message.AlarmDescription: expected str, got int"),
    ],
)
def test_malformed_alarms_name_the_path(changes: dict[str, Any], error: str) -> None:
    with pytest.raises(PayloadError, match=error):
        converted(sns.alarm("derived_checkout_alarm.json", **changes))


def test_config_refuses_values_outside_the_contract() -> None:
    with pytest.raises(ValueError, match="severity: 'urgent'"):
        SnsConfig(severity="urgent")
    with pytest.raises(ValueError, match=r"severities\['db-'\]"):
        SnsConfig(severities={"db-": "urgent"})
    with pytest.raises(ValueError, match="is not an SNS topic ARN"):
        SnsConfig(topic_arns=frozenset({"cloudwatch-alarms"}))
    with pytest.raises(ValueError, match="invalid service/environment name"):
        SnsConfig(default_service=" ")
