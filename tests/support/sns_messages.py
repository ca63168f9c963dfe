"""SNS messages for the adapter and gateway tests: a local signing key, envelopes, fixtures.

AWS's signing key is not ours, so the tests sign with a locally generated RSA
key whose self-signed certificate a ``Trusted`` store (or a ``CertificateCache``
fed by ``pem_fetch``) hands out for ``CERT_URL``, an SNS-shaped URL. AWS's own
signed messages and certificate (tests/fixtures/sns/, see SOURCES.md) check
the verification against real SNS signatures.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
from collections.abc import Mapping
from typing import Any

import orjson
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from streams.gateway.adapters.sns import SnsAdapter
from streams.gateway.adapters.sns_config import SnsConfig
from streams.gateway.adapters.sns_signature import CertificateMissing, string_to_sign
from tests.support import paths

FIXTURES = paths.FIXTURES / "sns"
CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-localtest.pem"
TOPIC = "arn:aws:sns:us-east-1:123456789012:cloudwatch-alarms"
SUBSCRIBE_URL = (
    "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"
    f"&TopicArn={TOPIC}&Token=2336412f37fb687f5d51e6e241d09c80"
)
AWS_CERT_URL = "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem"


@functools.cache
def test_key() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """The local signing key and its self-signed certificate (made once per test run)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com (test)")])
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def test_pem() -> bytes:
    """The local certificate in PEM, as an SNS host would serve it."""
    return test_key()[1].public_bytes(serialization.Encoding.PEM)


def aws_certificate() -> x509.Certificate:
    """AWS's SNS certificate of the aws-php-sns-message-validator functional test."""
    return x509.load_pem_x509_certificate((FIXTURES / "aws_validator_certificate.pem").read_bytes())


def aws_signed() -> list[dict[str, Any]]:
    """The four notifications AWS signed (versions 1 and 2, with and without Subject)."""
    items: list[dict[str, Any]] = json.loads(
        (FIXTURES / "aws_validator_signed_notifications.json").read_text()
    )
    return items


class Trusted:
    """A ``CertificateStore`` holding fixed certificates by URL; records every lookup."""

    def __init__(self, certificates: Mapping[str, x509.Certificate] | None = None) -> None:
        """Trust ``certificates`` (default: the local test certificate at ``CERT_URL``)."""
        self.certificates = dict(certificates or {CERT_URL: test_key()[1]})
        self.asked: list[str] = []

    def get(self, url: str) -> x509.Certificate:
        """Return the certificate at ``url``; ``CertificateMissing`` if not trusted."""
        self.asked.append(url)
        if url not in self.certificates:
            raise CertificateMissing(url)
        return self.certificates[url]


def sign(message: Mapping[str, Any], version: str = "2", url: str = CERT_URL) -> dict[str, Any]:
    """Return ``message`` signed with the local key (SignatureVersion ``version``)."""
    signed = {**message, "SignatureVersion": version, "SigningCertURL": url}
    algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
    raw = test_key()[0].sign(string_to_sign(signed), padding.PKCS1v15(), algorithm)
    signed["Signature"] = base64.b64encode(raw).decode("ascii")
    return signed


def alarm_text(name: str) -> str:
    """The CloudWatch alarm message text of tests/fixtures/sns/NAME, exactly as stored."""
    return (FIXTURES / name).read_text()


def alarm(name: str, **changes: Any) -> str:
    """The alarm of fixture NAME with top-level fields replaced, as a message text."""
    data = {**orjson.loads(alarm_text(name)), **changes}
    return orjson.dumps(data).decode()


def notification(
    message: str, message_id: str = "9c3a6f0e-1c1b-5d0e-9b58-5c0a1d2e3f40"
) -> dict[str, Any]:
    """A signed Notification of ``TOPIC`` carrying ``message`` (shaped as the SNS docs example)."""
    return sign(
        {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": TOPIC,
            "Subject": 'ALARM: "checkout-high-latency" in US East (N. Virginia)',
            "Message": message,
            "Timestamp": "2024-03-04T10:15:31.002Z",
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe"
            f"&SubscriptionArn={TOPIC}:c9135db0-26c4-47ec-8998-413945fb5a96",
        }
    )


def confirmation(kind: str = "SubscriptionConfirmation") -> dict[str, Any]:
    """A signed Subscription/UnsubscribeConfirmation of ``TOPIC`` (docs example, our topic)."""
    return sign(
        {
            "Type": kind,
            "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
            "Token": "2336412f37fb687f5d51e6e241d09c80",
            "TopicArn": TOPIC,
            "Message": f"You have chosen to subscribe to the topic {TOPIC}.\nTo confirm the "
            "subscription, visit the SubscribeURL included in this message.",
            "SubscribeURL": SUBSCRIBE_URL,
            "Timestamp": "2024-03-04T09:00:00.000Z",
        }
    )


def body(message: Mapping[str, Any]) -> bytes:
    """The HTTP body SNS would POST for ``message``."""
    return orjson.dumps(message)


def adapter(config: SnsConfig | None = None, store: Trusted | None = None) -> SnsAdapter:
    """An SNS adapter trusting the local certificate (and default mapping unless given)."""
    return SnsAdapter(config or SnsConfig(), store or Trusted())
