"""Amazon SNS HTTP(S) messages become alert events (``POST /webhooks/sns``): CloudWatch alarms.

A CloudWatch alarm publishes to an SNS topic; the topic's HTTPS subscription
POSTs to the gateway one JSON message per request (AWS SNS developer guide,
"Parsing message formats"), its kind in ``Type`` and in the
``x-amz-sns-message-type`` header:

===========================  ===============================================
``Type``                     result
===========================  ===============================================
``Notification``             the alarm in ``Message`` -> one alert event
                             (``cloudwatch.py``); any other message: ignored
``SubscriptionConfirmation`` ignored by the adapter; the gateway confirms it
                             when ``MTTR_SNS_CONFIRM_SUBSCRIPTIONS`` is on
                             (``streams/gateway/sns_endpoint.py``)
``UnsubscribeConfirmation``  ignored
===========================  ===============================================

Authentication is the SNS signature inside the body (``sns_signature.py``),
so no bearer token: ``token_auth`` is False. ``SnsAdapter.verified`` parses
the body, checks the signature against the certificate from its
``CertificateStore``, that the ``x-amz-sns-*`` headers (unsigned) agree with
the signed fields, and that ``TopicArn`` is one of ``SnsConfig.topic_arns``
when that allow-list is set; any failure is a ``SignatureError`` (401).
A body that is not a JSON object is not a signed SNS message either (401).

Why an allow-list matters: the signature proves that SNS sent the message,
not that the topic is ours; anyone can create a topic and subscribe the
gateway's URL to it. Without automatic confirmation such a subscription is
never confirmed; with it, the allow-list is required (checked at start-up).

Design (pure and synchronous, like every adapter): the certificate comes from
an injected store; when it is not cached the store raises
``CertificateMissing`` and the gateway's endpoint fetches it without blocking
the event loop, then converts again (see ``streams/gateway/sns_endpoint.py``).
Sources of the test fixtures: tests/fixtures/sns/SOURCES.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import orjson

from streams.gateway.adapters import sns_signature
from streams.gateway.adapters.base import Converted, PayloadError, SignatureError
from streams.gateway.adapters.cloudwatch import SOURCE, convert_alarm, is_alarm
from streams.gateway.adapters.sns_config import SnsConfig
from streams.gateway.adapters.sns_signature import (
    NOTIFICATION,
    SUBSCRIPTION,
    UNSUBSCRIBE,
    CertificateMissing,
    CertificateStore,
)

TYPE_HEADER = "x-amz-sns-message-type"
TOPIC_HEADER = "x-amz-sns-topic-arn"
__all__ = ["SOURCE", "CertificateMissing", "CertificateStore", "SnsAdapter", "convert"]


@dataclass(frozen=True)
class SnsAdapter:
    """The ``Adapter`` of ``POST /webhooks/sns``: verify the SNS signature, then convert.

    Attributes:
        config: Accepted topics and the alarm mapping.
        certificates: Signing certificates by ``SigningCertURL``.
    """

    name: ClassVar[str] = SOURCE
    token_auth: ClassVar[bool] = False
    config: SnsConfig
    certificates: CertificateStore = field(repr=False)

    def convert(self, body: bytes, headers: Mapping[str, str]) -> Converted:
        """Return the alert event of one signed SNS message, or why it is ignored.

        Raises:
            SignatureError: See ``verified`` (HTTP 401).
            CertificateMissing: The signing certificate is not cached yet.
            PayloadError: The alarm in ``Message`` is malformed (HTTP 400).
        """
        return convert(self.verified(body, headers), self.config)

    def verified(self, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        """Return the parsed message if SNS signed it and its topic is accepted.

        Raises:
            SignatureError: The body is not a JSON object, the signature is
                missing, unsupported or wrong, the certificate URL is not an
                SNS one, a header contradicts the signed body, or the topic
                is not accepted.
            CertificateMissing: The signing certificate is not cached yet.
        """
        try:
            message = orjson.loads(body)
        except orjson.JSONDecodeError:
            message = None
        if not isinstance(message, dict):
            msg = "body is not a signed SNS message (expected a JSON object)"
            raise SignatureError(msg)
        sns_signature.verify(message, self.certificates)
        for header, signed in ((TYPE_HEADER, "Type"), (TOPIC_HEADER, "TopicArn")):
            value = _header(headers, header)
            if value is not None and value != message[signed]:
                msg = f"{header} header {value[:200]!r} disagrees with the signed {signed}"
                raise SignatureError(msg)
        topic = message["TopicArn"]
        if self.config.topic_arns and topic not in self.config.topic_arns:
            msg = f"TopicArn {topic!r} is not one of the accepted topics (MTTR_SNS_TOPIC_ARNS)"
            raise SignatureError(msg)
        if message["Type"] == SUBSCRIPTION:
            sns_signature.check_subscribe_url(message["SubscribeURL"])
        return message


def convert(payload: dict[str, Any], config: SnsConfig) -> Converted:
    """Convert one verified SNS message (``SnsAdapter.verified``) into at most one alert event.

    Args:
        payload: The parsed, signature-checked message.
        config: The alarm mapping.

    Returns:
        One alert event for a CloudWatch alarm ``ALARM``/``OK`` notification;
        ``ignored`` for confirmations, ``INSUFFICIENT_DATA`` and notifications
        that are not CloudWatch alarms.

    Raises:
        PayloadError: The alarm is malformed; the message names the path.
    """
    kind, topic = payload.get("Type"), payload.get("TopicArn")
    if kind == SUBSCRIPTION:
        return Converted(
            ignored=f"SubscriptionConfirmation of topic {topic} not confirmed automatically "
            "(MTTR_SNS_CONFIRM_SUBSCRIPTIONS is off): confirm it with its SubscribeURL, "
            "written to the gateway log, or `aws sns confirm-subscription`"
        )
    if kind == UNSUBSCRIBE:
        return Converted(ignored=f"UnsubscribeConfirmation of topic {topic}: nothing to convert")
    if kind != NOTIFICATION:
        msg = f"Type: unknown SNS message type {kind!r}"
        raise PayloadError(msg)
    message = payload.get("Message")
    alarm = is_alarm(message) if isinstance(message, str) else None
    if alarm is None:
        return Converted(ignored=f"notification of topic {topic} is not a CloudWatch alarm")
    return convert_alarm(alarm, config)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Return header ``name`` in any case (aiohttp's headers are case-insensitive, dicts not)."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value
