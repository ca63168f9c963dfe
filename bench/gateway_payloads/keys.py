"""The credentials of one gateway benchmark run, shared by the gateway and the load generator.

``Keys.generate()`` makes fresh random secrets for every source that
authenticates its sender (the gateway token, the GitHub, Jira and PagerDuty
HMAC secrets, the GitLab secret token) and an RSA key with a self-signed
certificate that stands in for the SNS signing certificate. ``settings()``
gives the gateway's settings that hold them (with the mapping settings the
payloads rely on, ``MAPPINGS``); the load generator signs with the same
values, read back with ``Keys.read``.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

SNS_CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-bench.pem"
"""The ``SigningCertURL`` of the bench's SNS messages (served locally: bench/gateway_server.py)."""
SNS_TOPIC = "arn:aws:sns:us-east-1:123456789012:mttr-bench-alarms"

MAPPINGS: dict[str, Any] = {
    "jenkins_jobs": {"asgard": {"service": "asgard", "environment": "production"}},
    "jira_default_service": "checkout",
    "servicenow_services": {"PaymentGateway": "payments"},
    "cdevents_services": {"mySubject123": "myapp"},
    "sns_topic_arns": SNS_TOPIC,
    "sns_default_service": "checkout",
    "opsgenie_default_service": "checkout",
    "newrelic_default_service": "storage",
    "rundeck_jobs": {"test job": "checkout"},
    "awx_templates": {
        "AWX-Collection-tests-awx_job_wait-long_running-XVFBGRSAvUUIrYKn": "checkout"
    },
}
"""Mapping settings the payload templates need to become events (setting name -> value)."""


@dataclass(frozen=True)
class Keys:
    """Secrets of one run; every value is text, so the whole is one small JSON file."""

    token: str
    github_secret: str
    jira_secret: str
    pagerduty_secret: str
    gitlab_token: str
    sns_key_pem: str
    sns_cert_pem: str

    @classmethod
    def generate(cls) -> Keys:
        """Return fresh random secrets and a new 2048-bit RSA key with its certificate."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return cls(
            token=secrets.token_urlsafe(24),
            github_secret=secrets.token_urlsafe(24),
            jira_secret=secrets.token_urlsafe(24),
            pagerduty_secret=secrets.token_urlsafe(24),
            gitlab_token=secrets.token_urlsafe(24),
            sns_key_pem=key_pem.decode("ascii"),
            sns_cert_pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        )

    def settings(self) -> dict[str, Any]:
        """Return the gateway settings (name -> value) for these secrets and ``MAPPINGS``."""
        return {
            "gateway_token": self.token,
            "github_webhook_secret": self.github_secret,
            "jira_webhook_secrets": self.jira_secret,
            "pagerduty_webhook_secrets": self.pagerduty_secret,
            "gitlab_webhook_secrets": self.gitlab_token,
            **MAPPINGS,
        }

    @cached_property
    def sns_key(self) -> rsa.RSAPrivateKey:
        """The private key that signs the bench's SNS messages."""
        key = serialization.load_pem_private_key(self.sns_key_pem.encode("ascii"), None)
        if not isinstance(key, rsa.RSAPrivateKey):  # generate() makes RSA keys only
            msg = "the SNS key is not an RSA key"
            raise TypeError(msg)
        return key

    def write(self, path: Path) -> None:
        """Write the keys to ``path`` (JSON)."""
        path.write_bytes(orjson.dumps(asdict(self)))

    @classmethod
    def read(cls, path: Path) -> Keys:
        """Read keys written by ``write``."""
        return cls(**orjson.loads(path.read_bytes()))
