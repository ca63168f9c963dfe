"""SNS message signatures: string to sign, AWS's own signed messages, forgeries, cert URLs."""

from __future__ import annotations

import json

import pytest

from streams.gateway.adapters.base import SignatureError
from streams.gateway.adapters.sns_config import SnsConfig
from streams.gateway.adapters.sns_signature import string_to_sign
from tests.support import sns_messages as sns

DOCS = sns.FIXTURES


def load(name: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((DOCS / name).read_text())
    return data


# --- the string to sign -----------------------------------------------------------------


def test_notification_string_to_sign_of_the_docs_example() -> None:
    message = load("aws_docs_notification.json")
    assert string_to_sign(message) == (
        b"Message\nHello world!\n"
        b"MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
        b"Subject\nMy First Message\n"
        b"Timestamp\n2012-05-02T00:54:06.655Z\n"
        b"TopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n"
        b"Type\nNotification\n"
    )
    without_subject = {k: v for k, v in message.items() if k != "Subject"}
    assert b"Subject" not in string_to_sign(without_subject)
    assert string_to_sign({**message, "Subject": None}) == string_to_sign(without_subject)


@pytest.mark.parametrize(
    "name", ["aws_docs_subscription_confirmation.json", "aws_docs_unsubscribe_confirmation.json"]
)
def test_confirmation_string_to_sign_has_subscribe_url_and_token(name: str) -> None:
    message = load(name)
    expected = "".join(
        f"{field}\n{message[field]}\n"
        for field in ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn")
    )
    assert string_to_sign(message) == (expected + f"Type\n{message['Type']}\n").encode()
    assert "\nTo confirm" in message["Message"] or "\nTo cancel" in message["Message"]


def test_string_to_sign_refuses_unknown_types_and_missing_fields() -> None:
    with pytest.raises(SignatureError, match="Type: expected one of Notification"):
        string_to_sign({**load("aws_docs_notification.json"), "Type": "Other"})
    confirmation = {k: v for k, v in load("aws_docs_subscription_confirmation.json").items()}
    del confirmation["Token"]
    with pytest.raises(SignatureError, match="Token: missing .a signed field of Subscription"):
        string_to_sign(confirmation)


# --- AWS's own signatures ---------------------------------------------------------------


@pytest.mark.parametrize("index", range(4), ids=["v1", "v2", "v1-subject", "v2-subject"])
def test_messages_signed_by_aws_verify(index: int) -> None:
    message = sns.aws_signed()[index]
    store = sns.Trusted({sns.AWS_CERT_URL: sns.aws_certificate()})
    adapter = sns.adapter(store=store)
    assert adapter.verified(sns.body(message), {}) == message
    assert store.asked == [sns.AWS_CERT_URL]
    for field, value in (("Message", "Hello world?"), ("TopicArn", sns.TOPIC)):
        with pytest.raises(SignatureError, match="Signature: does not match the message"):
            adapter.verified(sns.body({**message, field: value}), {})


def test_aws_signature_fails_under_another_certificate() -> None:
    message = sns.aws_signed()[1]
    store = sns.Trusted({sns.AWS_CERT_URL: sns.test_key()[1]})
    with pytest.raises(SignatureError, match=r"SignatureVersion 2, SHA256withRSA"):
        sns.adapter(store=store).verified(sns.body(message), {})


# --- locally signed messages ------------------------------------------------------------


@pytest.mark.parametrize("version", ["1", "2"])
def test_both_versions_of_both_kinds_verify(version: str) -> None:
    adapter = sns.adapter()
    alarm = sns.alarm_text("derived_checkout_alarm.json")
    for message in (sns.notification(alarm), sns.confirmation()):
        resigned = sns.sign(message, version=version)
        assert adapter.verified(sns.body(resigned), {})["Type"] == message["Type"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"Signature": None}, "Signature: missing"),
        ({"Signature": "not base64!"}, "Signature: not valid base64"),
        ({"Signature": "AAAA"}, "Signature: does not match"),
        ({"SignatureVersion": None}, "SignatureVersion: missing"),
        ({"SignatureVersion": "3"}, "SignatureVersion: unsupported '3'"),
        ({"SignatureVersion": 2}, "SignatureVersion: unsupported 2"),
        ({"Message": '{"AlarmName": "forged"}'}, "Signature: does not match"),
        ({"Timestamp": "2024-03-04T10:15:31.003Z"}, "Signature: does not match"),
        ({"Subject": None}, "Signature: does not match"),
        ({"MessageId": None}, "MessageId: missing"),
        ({"SigningCertURL": None}, "SigningCertURL: missing"),
    ],
)
def test_forged_or_incomplete_messages_are_refused(change: dict[str, object], error: str) -> None:
    message = {**sns.notification(sns.alarm_text("derived_checkout_alarm.json")), **change}
    message = {k: v for k, v in message.items() if v is not None}
    with pytest.raises(SignatureError, match=error):
        sns.adapter().convert(sns.body(message), {})


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"Notification"', b""])
def test_a_body_that_is_not_a_json_object_is_unauthenticated(body: bytes) -> None:
    with pytest.raises(SignatureError, match="not a signed SNS message"):
        sns.adapter().convert(body, {})


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem",
        "https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-x.pem",
        "https://evil.com/sns.us-east-1.amazonaws.com/x.pem",
        "https://user@sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com@evil.com/x.pem",
        "https://sns.us-east-1.amazonaws.com:8443/x.pem",
        "https://sns.us-east-1.amazonaws.com/x.pem?x=1",
        "https://sns.us-east-1.amazonaws.com/x.pem#frag",
        "https://sns.us-east-1.amazonaws.com/x.crt",
        "https://sns.us-east-1.amazonaws.com/../x.pem/..",
        "https://s3.us-east-1.amazonaws.com/bucket/x.pem",
        "https://sns.amazonaws.com/x.pem",
        "https://SNS.US-EAST-1.AMAZONAWS.COM/x.pem",
        " https://sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com/x.pem\n",
    ],
)
def test_certificate_urls_off_sns_hosts_are_refused_before_any_lookup(url: str) -> None:
    store = sns.Trusted()
    message = sns.sign({**sns.confirmation()}, url=url)
    with pytest.raises(SignatureError, match="SigningCertURL: .* is not an SNS certificate URL"):
        sns.adapter(store=store).convert(sns.body(message), {})
    assert store.asked == []


@pytest.mark.parametrize(
    "url",
    [
        "https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-a.pem",
        "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-a.pem",
        "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-a.pem",
    ],
)
def test_sns_hosts_of_every_partition_are_accepted(url: str) -> None:
    store = sns.Trusted({url: sns.test_key()[1]})
    message = sns.sign(sns.confirmation(), url=url)
    assert sns.adapter(store=store).verified(sns.body(message), {})["SigningCertURL"] == url


def test_headers_must_agree_with_the_signed_body() -> None:
    message = sns.notification(sns.alarm_text("derived_checkout_alarm.json"))
    adapter = sns.adapter()
    agreeing = {"x-amz-sns-message-type": "Notification", "X-Amz-Sns-Topic-Arn": sns.TOPIC}
    assert adapter.verified(sns.body(message), agreeing)["TopicArn"] == sns.TOPIC
    for header, value in (("x-amz-sns-message-type", "SubscriptionConfirmation"),
                          ("x-amz-sns-topic-arn", "arn:aws:sns:us-east-1:1:other")):  # fmt: skip
        with pytest.raises(SignatureError, match=f"{header} header .* disagrees"):
            adapter.verified(sns.body(message), {header: value})


def test_topics_outside_the_allow_list_are_refused() -> None:
    message = sns.notification(sns.alarm_text("derived_checkout_alarm.json"))
    allowed = sns.adapter(SnsConfig(topic_arns=frozenset({sns.TOPIC})))
    assert len(allowed.convert(sns.body(message), {}).events) == 1
    other = sns.adapter(SnsConfig(topic_arns=frozenset({"arn:aws:sns:us-east-1:1:mine"})))
    with pytest.raises(SignatureError, match="is not one of the accepted topics"):
        other.convert(sns.body(message), {})


def test_a_subscribe_url_off_sns_is_refused() -> None:
    message = sns.sign({**sns.confirmation(), "SubscribeURL": "https://evil.com/?Action=x"})
    with pytest.raises(SignatureError, match="SubscribeURL: not an SNS ConfirmSubscription URL"):
        sns.adapter().verified(sns.body(message), {})


def test_replayed_message_gives_the_same_event_ids() -> None:
    body = sns.body(sns.notification(sns.alarm_text("derived_checkout_alarm.json")))
    adapter = sns.adapter()
    first, again = adapter.convert(body, {}), adapter.convert(body, {})
    assert [e["event_id"] for e in first.events] == [e["event_id"] for e in again.events]
    # A redelivery under another MessageId (e.g. a second topic) is the same state change.
    other = sns.notification(sns.alarm_text("derived_checkout_alarm.json"), message_id="x-2")
    assert adapter.convert(sns.body(other), {}).events == first.events
