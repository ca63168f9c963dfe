"""Amazon SNS message signatures: string to sign, SNS URLs, RSA check against the signing cert.

SNS signs every message it POSTs to an HTTP(S) subscription (AWS SNS developer
guide, "Verifying the signatures of Amazon SNS messages"); the signature is in
the JSON body, not in a header:

* The string to sign is ``name`` newline ``value`` newline for each signed field, in byte
  order of the names: ``Message``, ``MessageId``, ``Subject`` (only when the
  message has one), ``Timestamp``, ``TopicArn``, ``Type`` for a
  ``Notification``; ``Message``, ``MessageId``, ``SubscribeURL``,
  ``Timestamp``, ``Token``, ``TopicArn``, ``Type`` for a
  ``SubscriptionConfirmation`` or ``UnsubscribeConfirmation``.
* ``SignatureVersion`` ``1`` is SHA1withRSA, ``2`` SHA256withRSA (PKCS#1
  v1.5), of those bytes; ``Signature`` is its base64.
* The public key is that of the X.509 certificate at ``SigningCertURL``. The
  URL must be ``https://sns.<region>.amazonaws.com/<name>.pem`` (also
  ``.amazonaws.com.cn``, China; GovCloud regions are ``us-gov-*``): checked
  with one strict pattern over the whole URL, so no other scheme, host, port,
  user info, query or look-alike (``sns.us-east-1.amazonaws.com.evil.com``)
  passes. The certificate is trusted because it comes over TLS from an SNS
  host; it is fetched once and cached by the gateway.

Certificates come from a ``CertificateStore`` (``get(url)``), so this module
does no I/O: a store without the certificate raises ``CertificateMissing`` and
the gateway fetches it (``streams/gateway/sns_certificates.py``) and asks
again. Every other failure is a ``SignatureError`` naming the field.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any, Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from streams.gateway.adapters.base import SignatureError

NOTIFICATION = "Notification"
SUBSCRIPTION = "SubscriptionConfirmation"
UNSUBSCRIBE = "UnsubscribeConfirmation"
_CONFIRMATION = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
SIGNED_FIELDS: Mapping[str, tuple[str, ...]] = {
    NOTIFICATION: ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    SUBSCRIPTION: _CONFIRMATION,
    UNSUBSCRIBE: _CONFIRMATION,
}
"""Message type -> the fields its signature covers, in string-to-sign order."""
OPTIONAL_FIELDS = frozenset({"Subject"})  # signed only when the message has one
HASHES: Mapping[str, tuple[type[hashes.HashAlgorithm], str]] = {
    "1": (hashes.SHA1, "SHA1withRSA"),
    "2": (hashes.SHA256, "SHA256withRSA"),
}

_HOST = r"sns\.[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}\.amazonaws\.com(?:\.cn)?"
SNS_HOST = re.compile(_HOST)
"""An SNS regional host: ``sns.us-east-1.amazonaws.com``, ``sns.cn-north-1.amazonaws.com.cn``."""
CERT_URL = re.compile(rf"https://{_HOST}/[A-Za-z0-9._-]+\.pem")
SUBSCRIBE_URL = re.compile(rf"https://{_HOST}/\?Action=ConfirmSubscription&[A-Za-z0-9&=:._%~+-]+")


class CertificateMissing(Exception):  # noqa: N818 - a condition, not a failure of the request
    """The store does not hold the certificate at ``url`` yet; the caller fetches it and retries."""

    def __init__(self, url: str) -> None:
        super().__init__(f"signing certificate not cached: {url}")
        self.url = url


class CertificateStore(Protocol):
    """Where signing certificates come from, by their (already checked) ``SigningCertURL``."""

    def get(self, url: str) -> x509.Certificate:
        """Return the certificate at ``url``; ``CertificateMissing`` if it is not at hand."""


def string_to_sign(message: Mapping[str, Any]) -> bytes:
    """Return the bytes SNS signed for ``message`` (fields by its ``Type``, see the module doc).

    Raises:
        SignatureError: ``Type`` is not an SNS message type, or a signed
            field is missing or not a string.
    """
    kind = message.get("Type")
    fields = SIGNED_FIELDS.get(kind) if isinstance(kind, str) else None
    if fields is None:
        msg = f"Type: expected one of {', '.join(SIGNED_FIELDS)}, got {kind!r}"
        raise SignatureError(msg)
    parts = []
    for name in fields:
        value = message.get(name)
        if value is None and name in OPTIONAL_FIELDS:
            continue
        if not isinstance(value, str):
            problem = "missing" if value is None else f"expected str, got {type(value).__name__}"
            msg = f"{name}: {problem} (a signed field of {kind})"
            raise SignatureError(msg)
        parts.append(f"{name}\n{value}\n")
    return "".join(parts).encode("utf-8")


def check_cert_url(url: Any) -> str:
    """Return ``SigningCertURL`` if it is an SNS certificate URL; ``SignatureError`` otherwise."""
    if not isinstance(url, str) or not url:
        msg = "SigningCertURL: missing"
        raise SignatureError(msg)
    if CERT_URL.fullmatch(url) is None:
        msg = (
            f"SigningCertURL: {url[:200]!r} is not an SNS certificate URL "
            "(expected https://sns.<region>.amazonaws.com[.cn]/<name>.pem)"
        )
        raise SignatureError(msg)
    return url


def check_subscribe_url(url: Any) -> str:
    """Return ``SubscribeURL`` if it is an SNS ConfirmSubscription URL, else ``SignatureError``."""
    if not isinstance(url, str) or SUBSCRIBE_URL.fullmatch(url) is None:
        msg = (
            "SubscribeURL: not an SNS ConfirmSubscription URL "
            "(expected https://sns.<region>.amazonaws.com[.cn]/?Action=ConfirmSubscription&...)"
        )
        raise SignatureError(msg)
    return url


def verify(message: Mapping[str, Any], certificates: CertificateStore) -> None:
    """Check the signature of a parsed SNS message; return only if SNS signed it.

    The cheap checks (version, base64, certificate URL, signed fields) run
    before the store is asked, so a forged message costs no fetch.

    Raises:
        SignatureError: The version is missing or unsupported, the signature
            is not base64, the certificate URL is not an SNS one, a signed
            field is missing, or the signature does not match.
        CertificateMissing: The store does not hold the certificate yet.
    """
    version = message.get("SignatureVersion")
    if version is None:
        msg = "SignatureVersion: missing"
        raise SignatureError(msg)
    scheme = HASHES.get(version) if isinstance(version, str) else None
    if scheme is None:
        msg = f"SignatureVersion: unsupported {version!r} (expected '1' or '2')"
        raise SignatureError(msg)
    algorithm, name = scheme
    signature = _decoded_signature(message.get("Signature"))
    url = check_cert_url(message.get("SigningCertURL"))
    signed = string_to_sign(message)
    key = certificates.get(url).public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        msg = f"SigningCertURL: the certificate's key is not RSA ({type(key).__name__})"
        raise SignatureError(msg)
    try:
        key.verify(signature, signed, padding.PKCS1v15(), algorithm())
    except InvalidSignature:
        msg = f"Signature: does not match the message (SignatureVersion {version}, {name})"
        raise SignatureError(msg) from None


def _decoded_signature(value: Any) -> bytes:
    if not isinstance(value, str) or not value:
        msg = "Signature: missing"
        raise SignatureError(msg)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        msg = "Signature: not valid base64"
        raise SignatureError(msg) from None
